"""Open data's update date (更新日期) follows everything the records show: published challenges, awards,
contracts' public status and subsidies paid — on /open-data, in the JSON and with the CSV."""

from datetime import date, timedelta
from email.utils import parsedate_to_datetime

import time_machine

from marketplace.clock import to_shanghai, utcnow
from marketplace.contracts.models import Contract
from marketplace.reports import opendata
from marketplace.subsidies import service
from marketplace.subsidies.models import Subsidy
from tests import factories as f
from tests.subsidies_ledger.conftest import contract, source, who  # noqa: F401  (fixtures)


def _shown(client) -> tuple[str, str, str]:
    """(JSON updated_at, the /open-data page, the CSV's Last-Modified and file name)."""
    body = client.get("/api/v1/open-data/projects?page_size=1").json()
    page = client.get("/open-data").text
    csv = client.get("/open-data/projects.csv")
    return body["updated_at"], page, (csv.headers.get("last-modified"), csv.headers["content-disposition"])


def test_paying_a_subsidy_moves_the_update_date_everywhere(client, session, source, who):  # noqa: F811
    source.add(contract(company_org_id=who.org_id, policy_id="JB-STAGED"))
    s = session.get(Subsidy, service.compute_all(session=session).computed[-1])
    service.check(session=session, actor=f.actor(session, who.maker), subsidy_id=s.id)
    service.approve(session=session, actor=f.actor(session, who.checker), subsidy_id=s.id)
    later = utcnow() + timedelta(days=40)  # after anything else in the shared database
    before = opendata.last_change(session)
    assert before is None or before < later
    with time_machine.travel(later, tick=False):
        service.disburse(session=session, actor=f.actor(session, who.checker), subsidy_id=s.id, installment=1,
                         key="open-data-moves")
    expected = to_shanghai(later).isoformat(timespec="seconds")
    updated, page, (modified, disposition) = _shown(client)
    assert updated == expected
    assert expected in page
    assert parsedate_to_datetime(modified) == later.replace(microsecond=0)
    assert f"{to_shanghai(later):%Y%m%d}" in disposition


def test_a_contracts_public_status_moves_it_an_unsigned_contract_does_not(session):
    company = f.user(session, role="company")
    officer = f.user(session, role="officer")
    c = f.challenge(session, company=company, status="awarded", deadline_days=-60)
    later = utcnow() + timedelta(days=50)
    draft = Contract(challenge_id=c.id, bid_id=f.bid(session, challenge=c, status="qualified").id, title=c.title,
                     company_org_id=c.organisation_id, team_org_id=c.organisation_id, amount_fen=1, committed_fen=1,
                     start_on=date(2026, 11, 10), end_on=date(2027, 11, 10), status="draft", created_by=officer.id,
                     updated_at=later)
    session.add(draft)
    session.flush()
    assert opendata.last_change(session) != later
    draft.signed_on, draft.status = date(2026, 11, 10), "signed"
    session.add(draft)
    session.flush()
    assert opendata.last_change(session) == later
