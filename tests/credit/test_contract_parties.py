"""Credit memory of a consortium contract: an outcome is remembered for the lead team, every consortium partner
and the company, each note naming the capacity, in the outcome's own transaction; a late report stays the lead
team's alone."""

from datetime import timedelta

import pytest
from sqlmodel import func, select

from marketplace.accounts.models import Role
from marketplace.audit.models import AuditEvent
from marketplace.contracts import lifecycle, memory, service
from marketplace.contracts.models import Contract
from marketplace.contracts.schemas import ConcludeIn, MidtermIn
from marketplace.credit import service as credit
from marketplace.credit.models import CreditRecord
from tests import factories as f
from tests.contracts import helpers as h


def records(session, org_id) -> list[tuple[str, str]]:
    session.expire_all()
    return [(r.kind, r.note) for r in session.exec(
        select(CreditRecord).where(CreditRecord.organisation_id == org_id).order_by(CreditRecord.id)).all()]


@pytest.fixture
def consortium(session):
    """A signed contract whose winning bid named two partners (30 % and 20 %)."""
    s = h.awarded(session)
    second = f.user(session, role=Role.TEAM)
    s.bid.partners = [*s.bid.partners, {"organisation_id": second.organisation_id, "share_percent": 20,
                                        "role": "工艺验证"}]
    session.add(s.bid)
    session.commit()
    c = h.contract(session, s)
    for u in (s.company, s.team, s.partner, second, s.officer):
        service.sign(session=session, actor=s.a(session, u), contract_id=c.id)
    s.second = second
    return s, c


def _fail(session, s, c, tmp_path):
    h.milestones_done(session, s, c, tmp_path)
    service.request_acceptance(session=session, actor=s.a(session, s.team), contract_id=c.id,
                               data=h.measurements("结壳热阻", "功率循环寿命"))
    expert, user = h.expert(session)
    service.add_panel_expert(session=session, actor=s.a(session, s.officer), contract_id=c.id, expert_id=expert.id)
    for u in (user, s.company):
        service.vote(session=session, actor=s.a(session, u), contract_id=c.id, data=h.votes(False))
    service.conclude(session=session, actor=s.a(session, s.officer), contract_id=c.id,
                     data=ConcludeIn(reason="两项指标均未达标"))


def test_a_failed_acceptance_is_remembered_for_the_lead_team_each_partner_and_the_company(session, consortium,
                                                                                          tmp_path):
    s, c = consortium
    _fail(session, s, c, tmp_path)
    capacities = [(s.team, "揭榜方牵头单位"), (s.partner, "联合体成员单位"), (s.second, "联合体成员单位"),
                  (s.company, "发榜方")]
    for user, capacity in capacities:
        (row,) = records(session, user.organisation_id)
        assert row[0] == "failed" and "两项指标均未达标" in row[1] and row[1].endswith(f"（{capacity}）")
    assert records(session, s.outsider.organisation_id) == []
    events = session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "credit.recorded", AuditEvent.summary["subject"].as_string() == f"contract:{c.id}")).one()
    assert events == 4


def test_a_termination_is_remembered_for_every_party_a_late_report_for_the_lead_team_only(session):
    s = h.awarded(session)
    c = h.signed(session, s, start=service.today() - timedelta(days=200))
    lifecycle.tick(session=session)
    assert [k for k, _ in records(session, s.team.organisation_id)] == ["late_report"]
    assert records(session, s.partner.organisation_id) == records(session, s.company.organisation_id) == []
    service.midterm(session=session, actor=s.a(session, s.officer), contract_id=c.id,
                    data=MidtermIn(decision="terminate", note="核心人员离职，无法继续"))
    for user in (s.team, s.partner, s.company):
        assert records(session, user.organisation_id)[-1][0] == "terminated"
        assert "核心人员离职" in records(session, user.organisation_id)[-1][1]


def test_the_outcome_and_every_partys_record_commit_together_or_not_at_all(session, consortium, tmp_path,
                                                                           monkeypatch):
    s, c = consortium
    real, calls = credit.record, []

    def failing_on_the_third(**kw):  # the third party's record fails: nothing of the outcome may remain
        calls.append(kw["organisation_id"])
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(**kw)

    monkeypatch.setattr(credit, "record", failing_on_the_third)
    with pytest.raises(RuntimeError):
        _fail(session, s, c, tmp_path)
    session.rollback()
    session.expire_all()
    assert session.get(Contract, c.id).outcome is None
    assert all(records(session, u.organisation_id) == [] for u in (s.team, s.partner, s.second, s.company))


def test_the_answering_parties_are_the_lead_team_then_the_partners_then_the_company(session, consortium):
    s, c = consortium
    orgs = [org for org, _ in memory.answering_parties(session, c)]
    assert orgs == [s.team.organisation_id, s.partner.organisation_id, s.second.organisation_id,
                    s.company.organisation_id]
