"""`jiebang subsidy compute` and `jiebang subsidy recompute ID` (exit code says whether it agrees)."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import select
from typer.testing import CliRunner

from marketplace import db
from marketplace.cli import app
from marketplace.subsidies.models import Subsidy
from tests.subsidies_ledger.conftest import contract, people


@pytest.fixture
def cli_engine(live_engine):
    db.set_engine(live_engine)
    yield live_engine
    db.set_engine(None)


def test_compute_then_recompute_agrees_and_a_tampered_result_does_not(cli_engine, source):
    with db.new_session(cli_engine) as s:
        who = people(s)
    source.add(contract(company_org_id=who.org_id))
    runner = CliRunner()
    computed = runner.invoke(app, ["subsidy", "compute", "--year", "2024"])
    assert computed.exit_code == 0 and "新测算 1 项" in computed.output
    with db.new_session(cli_engine) as s:
        subsidy = s.exec(select(Subsidy)).one()
    agrees = runner.invoke(app, ["subsidy", "recompute", str(subsidy.id)])
    assert agrees.exit_code == 0 and "一致" in agrees.output
    tampered = dict(subsidy.result, entitlement="1600000.01")
    with db.new_session(cli_engine) as s:
        s.execute(update(Subsidy).where(Subsidy.id == subsidy.id).values(result=tampered))
        s.commit()
    differs = runner.invoke(app, ["subsidy", "recompute", str(subsidy.id)])
    assert differs.exit_code == 1 and "不一致" in differs.output and "entitlement" in differs.output
    assert runner.invoke(app, ["subsidy", "recompute", "999999"]).exit_code == 2
