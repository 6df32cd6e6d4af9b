"""After `jiebang demo`, every contract state has real content and each role reaches it from the nav."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from marketplace import db
from marketplace.accounts.models import User
from marketplace.app import create_app
from marketplace.cli import app as cli
from marketplace.config import get_settings
from marketplace.contracts.models import Contract, Milestone
from marketplace.subsidies import facts
from tests import factories as f
from tests.test_demo_and_cli import cli_db  # noqa: F401  (a fresh database the CLI points at)


@pytest.fixture
def demo(cli_db):  # noqa: F811
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    return cli_db


def test_the_demo_has_a_contract_in_every_state_and_loads_once(demo):
    with db.new_session(demo) as s:
        rows = s.exec(select(Contract)).all()
        assert {c.status for c in rows} >= {"signing", "signed", "accepting", "accepted", "failed", "terminated"}
        assert {c.outcome for c in rows} >= {"passed", "passed_after_rectification", "failed", "terminated"}
        assert s.exec(select(Milestone).where(Milestone.overdue_since.is_not(None))).first() is not None
        ended = facts.source().ended(session=s)
        assert len(ended) == 4 and all(e.invested_fen > 0 for e in ended)
        total = len(rows)
    assert "无新增" in CliRunner().invoke(cli, ["demo"]).output
    with db.new_session(demo) as s:
        assert len(s.exec(select(Contract)).all()) == total


@pytest.mark.parametrize(("email", "seen"), [
    ("company@jiebang.demo", {"signing", "signed", "accepting"}),
    ("team@jiebang.demo", {"signing", "signed"}),
    ("officer@jiebang.demo", {"signing", "signed", "accepting", "accepted", "failed", "terminated"}),
    ("expert@jiebang.demo", {"accepting"}),
])
def test_each_demo_account_reaches_its_contracts_from_the_nav(demo, email, seen):
    application = create_app(settings=get_settings(), engine=demo)
    with TestClient(application, base_url="http://testserver") as client, db.new_session(demo) as s:
        f.login(client, s, s.exec(select(User).where(User.email == email)).one())
        assert 'href="/contracts"' in client.get("/dashboard").text
        listing = client.get("/contracts")
        assert listing.status_code == 200
        shown = {c.status for c in s.exec(select(Contract)).all() if f'href="/contracts/{c.id}"' in listing.text}
        assert shown >= seen
        for c in s.exec(select(Contract)).all():
            if f'href="/contracts/{c.id}"' in listing.text:
                page = client.get(f"/contracts/{c.id}")
                assert page.status_code == 200 and c.title in page.text
                assert client.get(f"/contracts/{c.id}/print").status_code == 200
