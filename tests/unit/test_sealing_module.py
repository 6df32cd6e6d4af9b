"""Issue 9 item 4: the sealing rule in one module; one predicate per rule, handed to templates.

Imports run bids → challenges only; the opened bid states are spelled once (bids/permissions.py);
templates take the predicates' answers instead of re-deriving them."""

import ast
from pathlib import Path

import pytest

from marketplace.actor import Role
from marketplace.challenges import files
from marketplace.challenges.models import ChallengeStatus
from marketplace.errors import Conflict
from tests import factories as f
from tests.bids import helpers as h

ROOT = Path(__file__).resolve().parents[2]


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_the_challenge_package_never_imports_the_bid_package():
    offenders = {p.name: sorted(m for m in imports(p) if m.startswith("marketplace.bids"))
                 for p in (ROOT / "marketplace" / "challenges").glob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_opened_bid_states_are_spelled_once():
    spelled = [str(p.relative_to(ROOT)) for p in (ROOT / "marketplace").rglob("*.py")
               if "QUALIFIED, B" in p.read_text() or "BidStatus.QUALIFIED, BidStatus" in p.read_text()
               or "SUBMITTED, BidStatus.QUALIFIED" in p.read_text()]
    assert spelled == ["marketplace/bids/permissions.py"]


@pytest.mark.parametrize(("template", "derived"), [
    ("templates/bids/_on_challenge.html", 'challenge.status == "published"'),
    ("templates/bids/_on_challenge.html", "actor.organisation_id != challenge.organisation_id"),
    ("templates/bids/detail.html", 'bid.status in ("draft", "submitted")'),
    ("templates/challenges/detail.html", 'c.status in ("draft","returned","published")'),
])
def test_templates_take_the_predicates_answers(template, derived):
    assert derived not in (ROOT / template).read_text()


def test_a_closed_challenge_refuses_a_bid_the_same_way_on_pages_and_api(client, session):
    w = h.cast(session)
    h.close(session, w.challenge)
    f.login(client, session, w.team)
    page = client.get(f"/challenges/{w.challenge.id}/bid", follow_redirects=False)
    api = client.post(f"/api/v1/challenges/{w.challenge.id}/bids", json=h.payload(w.profile.id),
                      headers={"X-CSRFToken": f.csrf(client)})
    assert page.status_code == api.status_code == 409


def test_recommendations_need_a_public_challenge_on_the_api_as_on_the_page(client, session):
    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company, status=ChallengeStatus.SUBMITTED)
    session.commit()
    f.login(client, session, company)
    assert client.get(f"/api/v1/challenges/{c.id}/recommended-teams").status_code == 403
    assert 'id="recommended"' not in client.get(f"/challenges/{c.id}").text


def test_uploads_are_limited_in_the_domain_not_only_in_the_template(session, tmp_path):
    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company, status=ChallengeStatus.WITHDRAWN)
    session.commit()
    pdf = files.Upload(filename="说明.pdf",
                       data=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    with pytest.raises(Conflict):
        files.add_attachment(session=session, actor=f.actor(session, company), challenge_id=c.id, upload=pdf,
                             confidential=False, uploads_dir=tmp_path, max_bytes=10_000)


def test_the_cli_alone_loads_the_bid_facts_the_lifecycle_asks_for():
    """`jiebang tick` from cron imports no web route: the bid package must still be installed
    (the CLI loads every package when a command first opens the database)."""
    import subprocess
    import sys

    code = ("import marketplace.cli as cli; cli.db.new_session; "
            "from marketplace.challenges import bidding; bidding.facts()")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True).returncode == 0
