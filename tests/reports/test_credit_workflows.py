"""Credit memory filled by the workflows: acceptance outcomes, termination, late milestone reports, upheld
objections and clawbacks are recorded per organisation in the same transaction, and shown to officers beside
the organisation's later bids and the review's ranking, with the underlying event linked; never to others."""

from datetime import timedelta

import pytest
from sqlmodel import select

from marketplace.accounts.models import Role
from marketplace.awards import service as award_service
from marketplace.contracts import lifecycle, service
from marketplace.contracts.schemas import ConcludeIn, MidtermIn
from marketplace.credit import service as credit
from marketplace.credit.models import CreditRecord
from marketplace.reviews.models import ReviewPanel
from tests import factories as f
from tests.contracts import helpers as h
from tests.reviews import scenario


def kinds(session, org_id) -> list[tuple[str, str, str]]:
    session.expire_all()
    return [(r.kind, r.subject_type, r.subject_id) for r in session.exec(
        select(CreditRecord).where(CreditRecord.organisation_id == org_id).order_by(CreditRecord.id)).all()]


def panel(session, s, c, n=1):
    experts = [h.expert(session) for _ in range(n)]
    for e, _ in experts:
        service.add_panel_expert(session=session, actor=s.a(session, s.officer), contract_id=c.id, expert_id=e.id)
    return [u for _, u in experts]


def accepting(session, s, tmp_path):
    c = h.signed(session, s)
    h.milestones_done(session, s, c, tmp_path)
    service.request_acceptance(session=session, actor=s.a(session, s.team), contract_id=c.id,
                               data=h.measurements("结壳热阻", "功率循环寿命"))
    return c


def vote_all(session, s, c, ok):
    (expert,) = panel(session, s, c)
    for u in (expert, s.company):
        service.vote(session=session, actor=s.a(session, u), contract_id=c.id, data=h.votes(ok))


def test_a_passed_acceptance_is_remembered_for_every_party_that_answered_for_the_contract(session, tmp_path):
    s = h.awarded(session)
    c = accepting(session, s, tmp_path)
    vote_all(session, s, c, True)
    service.conclude(session=session, actor=s.a(session, s.officer), contract_id=c.id, data=ConcludeIn())
    for party in (s.team, s.partner, s.company):
        assert kinds(session, party.organisation_id) == [("accepted", "contract", str(c.id))]
    assert kinds(session, s.outsider.organisation_id) == []


def test_rectified_then_failed_each_remembered_once_the_window_alone_is_not_an_outcome(session, tmp_path):
    s = h.awarded(session)
    c = accepting(session, s, tmp_path)
    officer = s.a(session, s.officer)
    vote_all(session, s, c, False)
    service.conclude(session=session, actor=officer, contract_id=c.id,
                     data=ConcludeIn(rectify=True, rectify_by=h.later(60), reason="寿命未达标"))
    assert kinds(session, s.team.organisation_id) == []
    service.request_acceptance(session=session, actor=s.a(session, s.team), contract_id=c.id,
                               data=h.measurements("结壳热阻", "功率循环寿命"))
    vote_all(session, s, c, False)
    service.conclude(session=session, actor=officer, contract_id=c.id, data=ConcludeIn(reason="整改后仍未达标"))
    assert kinds(session, s.team.organisation_id) == [("failed", "contract", str(c.id))]
    row = session.exec(select(CreditRecord).where(CreditRecord.organisation_id == s.team.organisation_id)).one()
    assert "整改后仍未达标" in row.note and credit.link_of(row) == f"/contracts/{c.id}"


def test_passed_after_rectification_is_remembered_as_rectified(session, tmp_path):
    s = h.awarded(session)
    c = accepting(session, s, tmp_path)
    officer = s.a(session, s.officer)
    vote_all(session, s, c, False)
    service.conclude(session=session, actor=officer, contract_id=c.id,
                     data=ConcludeIn(rectify=True, rectify_by=h.later(60), reason="寿命未达标"))
    service.request_acceptance(session=session, actor=s.a(session, s.team), contract_id=c.id,
                               data=h.measurements("结壳热阻", "功率循环寿命"))
    vote_all(session, s, c, True)
    service.conclude(session=session, actor=officer, contract_id=c.id, data=ConcludeIn())
    assert kinds(session, s.team.organisation_id) == [("rectified", "contract", str(c.id))]


def test_termination_and_late_reports_are_remembered_late_reports_once_per_milestone(session):
    s = h.awarded(session)
    c = h.signed(session, s, start=service.today() - timedelta(days=200))
    marked = lifecycle.tick(session=session)
    assert len(marked) == 1 and lifecycle.tick(session=session) == []
    assert kinds(session, s.team.organisation_id) == [("late_report", "contract", str(c.id))]
    service.midterm(session=session, actor=s.a(session, s.officer), contract_id=c.id,
                    data=MidtermIn(decision="terminate", note="核心人员离职，无法继续"))
    assert kinds(session, s.team.organisation_id)[-1] == ("terminated", "contract", str(c.id))
    assert len(kinds(session, s.team.organisation_id)) == 2


def test_an_upheld_objection_is_remembered_for_the_winner_a_dismissed_one_is_not(session):
    s = scenario.build(session)
    scenario.start(session, s)
    scenario.assign_and_score(session, s, totals={s.bids[0].id: 9, s.bids[1].id: 7})
    officer = f.actor(session, s.officer)
    award_service.decide(session=session, actor=officer, challenge_id=s.challenge.id,
                         winning_bid_ids=[s.bids[0].id], reason="")
    award_service.publish(session=session, actor=officer, challenge_ids=[s.challenge.id])
    lodge = [award_service.lodge_objection(session=session, actor=f.actor(session, s.teams[1]),
                                           challenge_id=s.challenge.id, reasons=text)
             for text in ("评审专家与中选单位存在合作关系", "中选单位的业绩材料与事实不符，请核查")]
    award_service.answer_objection(session=session, actor=officer, objection_id=lodge[1].id, upheld=False,
                                   answer="经核查，材料属实，异议不成立")
    assert kinds(session, s.bids[0].organisation_id) == []
    award_service.answer_objection(session=session, actor=officer, objection_id=lodge[0].id, upheld=True,
                                   answer="经核查属实，异议成立", reopens="decided")
    assert kinds(session, s.bids[0].organisation_id) == [("objection_upheld", "challenge", str(s.challenge.id))]
    assert kinds(session, s.bids[1].organisation_id) == []


@pytest.fixture
def remembered(session, tmp_path):
    """A team whose contract failed, now bidding again on a new challenge that is in review."""
    s = h.awarded(session)
    c = accepting(session, s, tmp_path)
    vote_all(session, s, c, False)
    service.conclude(session=session, actor=s.a(session, s.officer), contract_id=c.id,
                     data=ConcludeIn(reason="两项指标均未达标"))
    # The parties see the verdict; only officers see what the bureau remembers (a canary in an officer's note).
    credit.record(session=session, actor=s.a(session, s.officer), organisation_id=s.team.organisation_id,
                  kind="late_report", note="CREDITCANARY 报告多次逾期", subject_type="contract", subject_id=c.id)
    profile = f.team(session, owner=s.team)
    later = f.challenge(session, status="closed", deadline_days=-5)
    bid = f.bid(session, challenge=later, team_profile=profile, status="submitted")
    reviewed = f.challenge(session, status="in_review", deadline_days=-30)
    f.bid(session, challenge=reviewed, team_profile=profile, status="qualified")
    session.add(ReviewPanel(challenge_id=reviewed.id, created_by=s.officer.id,
                            criteria=[{"name": "技术路线", "weight": "100"}]))
    session.commit()
    s.reviewed = reviewed
    return s, c, later, bid


def test_officers_see_it_beside_later_bids_and_the_review_ranking_with_the_event_linked(client, session,
                                                                                        remembered):
    s, c, later, bid = remembered
    f.login(client, session, s.officer)
    org = s.team.organisation_id
    for url in (f"/officer/challenges/{later.id}/review", f"/officer/challenges/{s.reviewed.id}/panel",
                f"/officer/challenges/{s.reviewed.id}/decision"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert f"/officer/organisations/{org}/credit" in page.text and "不良 2" in page.text, url
    memory = client.get(f"/officer/organisations/{org}/credit").text
    assert "CREDITCANARY" in memory and "两项指标均未达标" in memory and f'href="/contracts/{c.id}"' in memory


def test_nobody_but_officers_ever_sees_credit_memory(client, session, app, remembered):
    from tests.crawl import crawl

    s, c, later, bid = remembered
    ids = {"id": c.id, "contract_id": c.id, "challenge_id": later.id, "bid_id": bid.id,
           "organisation_id": s.team.organisation_id, "team_id": bid.team_id, "user_id": s.team.id}
    for who in (None, s.team, s.company, s.outsider, f.user(session, role=Role.EXPERT)):
        client.cookies.clear()
        if who is not None:
            f.login(client, session, who)
        badge = f"/officer/organisations/{s.team.organisation_id}/credit"
        # (a refused page may name its own address: the badge's link counts only elsewhere)
        leaks = [url for url, r, body in crawl(client, app, ids)
                 if "CREDITCANARY" in body or (badge in body and url != badge)]
        assert leaks == [], (who and who.role, leaks)
