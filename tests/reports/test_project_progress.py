"""Public project progress (`/projects/{id}`): only with both the company's and the lead team's consent, only
what they agreed to publish (milestones done / due, weighted progress, status or verdict) — never amounts,
payments, vouchers, reports, reasons or anything of a bid; linked from /results and the public navigation."""

import pytest
from sqlmodel import select

from marketplace import db
from marketplace.accounts.models import Role
from marketplace.audit.models import AuditEvent
from marketplace.contracts import progress, service
from marketplace.contracts.models import Milestone, ProgressConsent
from marketplace.contracts.schemas import ReportDecisionIn, ReportIn
from marketplace.errors import Conflict, Forbidden
from tests import factories as f
from tests.concurrency.conftest import live_engine  # noqa: F401
from tests.contracts import helpers as h
from tests.contracts.test_concurrency import colleagues, race
from tests.reviews.scenario import api_headers

CANARY = "PROGRESSCANARY"


@pytest.fixture
def project(session, tmp_path):
    """A signed contract (milestones 40 % / 60 %), the first milestone confirmed, a payment with a voucher."""
    s = h.awarded(session)
    c = h.signed(session, s)
    first = session.exec(select(Milestone).where(Milestone.contract_id == c.id).order_by(Milestone.seq)).first()
    service.report_milestone(session=session, actor=s.a(session, s.team), milestone_id=first.id,
                             data=ReportIn(summary=f"{CANARY} 报告正文"),
                             uploads=[h.files.Upload(f"{CANARY}.pdf", b"%PDF-1.4 x")], uploads_dir=tmp_path,
                             max_bytes=1 << 20)
    service.decide_report(session=session, actor=s.a(session, s.company), milestone_id=first.id,
                          data=ReportDecisionIn(confirm=True))
    h.pay(session, s, c, "1234567", voucher=h.files.Upload(f"{CANARY}-凭证.pdf", b"%PDF-1.4 v"), tmp=tmp_path)
    session.commit()
    return s, c


def agree(session, s, c, *users, agree=True):
    for u in users:
        progress.set_consent(session=session, actor=s.a(session, u), contract_id=c.id, agree=agree)


def test_the_page_exists_only_while_both_sides_agree(client, session, project):
    s, c = project
    assert client.get(f"/projects/{c.id}").status_code == 404
    agree(session, s, c, s.company)
    assert client.get(f"/projects/{c.id}").status_code == 404
    assert client.get(f"/api/v1/projects/{c.id}").status_code == 404
    agree(session, s, c, s.team)
    page = client.get(f"/projects/{c.id}")
    assert page.status_code == 200
    assert "已完成 1 个" in page.text and "40%" in page.text and "执行中" in page.text
    api = client.get(f"/api/v1/projects/{c.id}").json()
    assert (api["milestones_done"], api["weighted_progress_percent"], api["status"]) == (1, 40, "执行中")
    assert [m["done"] for m in api["milestones"]] == [True, False]
    assert f'href="/projects/{c.id}"' in client.get("/projects").text
    agree(session, s, c, s.team, agree=False)
    assert client.get(f"/projects/{c.id}").status_code == 404
    assert f'href="/projects/{c.id}"' not in client.get("/projects").text
    actions = session.exec(select(AuditEvent.summary).where(AuditEvent.action == "contract.progress_consent")).all()
    assert [(a["party"], a["agree"]) for a in actions] == [("company", True), ("team", True), ("team", False)]


def test_only_the_company_and_the_lead_team_decide(session, project):
    s, c = project
    for u in (s.partner, s.officer, s.outsider):
        with pytest.raises(Forbidden):
            agree(session, s, c, u)
    agree(session, s, c, s.company)
    with pytest.raises(Conflict):
        agree(session, s, c, s.company)
    with pytest.raises(Conflict):
        agree(session, s, c, s.team, agree=False)


def test_nothing_but_the_agreed_facts_reaches_any_public_page(client, session, app, project):
    from tests.crawl import crawl

    s, c = project
    agree(session, s, c, s.company, s.team)
    session.commit()
    ids = {"id": c.id, "contract_id": c.id, "challenge_id": c.challenge_id, "bid_id": c.bid_id,
           "organisation_id": c.team_org_id, "team_id": 1, "user_id": s.team.id}
    secrets = (CANARY, "1234567", "12,345.67", "123.46 万", str(c.amount_fen // 100))
    client.cookies.clear()
    leaks = [url for url, _, body in crawl(client, app, ids) if any(x in body for x in secrets)]
    assert leaks == []
    assert c.title in client.get(f"/projects/{c.id}").text  # the crawl reached the page


def test_results_link_to_the_published_project_and_the_navigation_has_it(client, session, project):
    s, c = project
    agree(session, s, c, s.company, s.team)
    session.commit()
    assert '<a href="/projects"' in client.get("/").text
    assert progress.published_by_challenge(session, [c.challenge_id]) == {c.challenge_id: c.id}
    assert client.get("/results").status_code == 200


def test_the_web_form_gives_and_withdraws_consent(client, session, project):
    s, c = project
    f.login(client, session, s.company)
    page = client.get(f"/contracts/{c.id}")
    assert "本方同意公开项目进展" in page.text
    r = client.post(f"/contracts/{c.id}/progress-consent", data={"agree": "1", "csrf_token": f.csrf(client)},
                    follow_redirects=False)
    assert r.status_code in (303, 200)
    assert progress.consents(session, c.id) == ["company"]
    again = client.post(f"/contracts/{c.id}/progress-consent", data={"agree": "1", "csrf_token": f.csrf(client)},
                        follow_redirects=False)
    assert again.status_code == 409 and "本方已同意公开项目进展" in again.text
    assert progress.consents(session, c.id) == ["company"]
    assert "撤回本方同意" in client.get(f"/contracts/{c.id}").text


def test_the_api_answers_409_to_a_second_consent(client, session, project):
    s, c = project
    headers = api_headers(session, s.team)
    first = client.post(f"/api/v1/contracts/{c.id}/progress-consent", json={"agree": True}, headers=headers)
    assert first.status_code == 200 and first.json() == {"contract_id": c.id, "agreed": ["team"], "published": False}
    assert client.post(f"/api/v1/contracts/{c.id}/progress-consent", json={"agree": True},
                       headers=headers).status_code == 409
    assert client.post(f"/api/v1/contracts/{c.id}/progress-consent", json={"agree": "也许"},
                       headers=headers).status_code == 422


def test_fifty_simultaneous_consents_of_one_side_make_one_row(live_engine):  # noqa: F811
    with db.new_session(live_engine) as s:
        scene = h.awarded(s)
        c = h.signed(s, scene)
        teams = colleagues(s, scene.team, Role.TEAM)
        s.commit()
        contract_id = c.id
    outcomes = race(live_engine, lambda s, i: progress.set_consent(session=s, actor=teams[i],
                                                                   contract_id=contract_id, agree=True))
    assert outcomes == ["conflict"] * 49 + ["ok"]
    with db.new_session(live_engine) as s:
        assert len(s.exec(select(ProgressConsent).where(ProgressConsent.contract_id == contract_id)).all()) == 1
