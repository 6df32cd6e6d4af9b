"""The contract stage as sentences: 任务书 → signatures → amendments → payments → milestones → acceptance."""

from datetime import timedelta

import pytest
from sqlmodel import func, select

from marketplace.audit.models import AuditEvent
from marketplace.contracts import files, lifecycle, service
from marketplace.contracts.models import (
    Contract,
    ContractAmendment,
    ContractFile,
    ContractParty,
    Milestone,
    Payment,
)
from marketplace.contracts.schemas import (
    AmendmentIn,
    ConcludeIn,
    ContractIn,
    MidtermIn,
    PaymentIn,
    ReportDecisionIn,
    ReportIn,
)
from marketplace.contracts.source import SOURCE
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.notifications.models import Notification
from marketplace.subsidies import facts
from tests import factories as f
from tests.contracts import helpers as h


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def events(session, action: str) -> int:
    return count(session, AuditEvent, AuditEvent.action == action)


def test_a_contract_is_drafted_from_the_award_with_the_consortium_and_the_bids_milestones(session):
    s = h.awarded(session)
    c = h.contract(session, s)
    parties = {p.party: p for p in session.exec(select(ContractParty).where(ContractParty.contract_id == c.id))}
    assert set(parties) == {"company", "team", f"partner:{s.partner.organisation_id}", "bureau"}
    assert parties["team"].share_percent == 70 and parties[f"partner:{s.partner.organisation_id}"].share_percent == 30
    assert (c.status, c.amount_fen, c.committed_fen) == ("signing", s.bid.price_fen, s.challenge.committed_funds_fen)
    ms = session.exec(select(Milestone).where(Milestone.contract_id == c.id).order_by(Milestone.seq)).all()
    assert [(m.title, m.payment_share_percent, m.indicators) for m in ms] == [
        ("样品试制", 40, ["结壳热阻"]), ("可靠性验证", 60, ["功率循环寿命"])]
    assert ms[0].due_on == service.add_months(c.start_on, 6)
    assert events(session, "contract.created") == 1


def test_only_an_awarded_challenge_gets_a_contract_and_only_one(session):
    s = h.awarded(session)
    h.contract(session, s)
    with pytest.raises(Conflict):
        h.contract(session, s)
    other = f.challenge(session, company=s.company, status="announced")
    with pytest.raises(Forbidden, match="公示期满"):
        service.create(session=session, actor=s.a(session, s.officer), challenge_id=other.id, data=ContractIn())


def test_payment_shares_must_cover_every_milestone_and_add_up_to_100(session):
    s = h.awarded(session)
    with pytest.raises(RuleViolation):
        service.create(session=session, actor=s.a(session, s.officer), challenge_id=s.challenge.id,
                       data=ContractIn(payment_shares=[100]))
    with pytest.raises(ValueError):
        ContractIn(payment_shares=[50, 40])
    assert count(session, Contract) == 0


def test_the_contract_is_signed_when_every_party_has_signed(session):
    s = h.awarded(session)
    c = h.contract(session, s)
    for u in (s.company, s.team, s.partner):
        service.sign(session=session, actor=s.a(session, u), contract_id=c.id)
        assert session.get(Contract, c.id).status == "signing"
    with pytest.raises(Conflict, match="已签署"):
        service.sign(session=session, actor=s.a(session, s.team), contract_id=c.id)
    service.sign(session=session, actor=s.a(session, s.officer), contract_id=c.id)
    c = session.get(Contract, c.id)
    assert c.status == "signed" and c.signed_on == service.today()
    assert events(session, "contract.party_signed") == 4 and events(session, "contract.sign_all") == 1
    told = session.exec(select(Notification.user_id).where(Notification.title.like("任务书已签署生效%"))).all()
    assert {s.company.id, s.team.id, s.partner.id, s.officer.id} <= set(told)


def test_an_outsider_neither_sees_nor_signs(session):
    s = h.awarded(session)
    c = h.contract(session, s)
    with pytest.raises(NotFound):
        service.sign(session=session, actor=s.a(session, s.outsider), contract_id=c.id)


def test_an_amendment_needs_every_party_again_and_keeps_the_history(session):
    s = h.awarded(session)
    c = h.signed(session, s)
    new_end = c.end_on + timedelta(days=90)
    service.propose_amendment(session=session, actor=s.a(session, s.company), contract_id=c.id,
                              data=AmendmentIn(amount_yuan="4500000", end_on=new_end, reason="增加可靠性试验"))
    c = session.get(Contract, c.id)
    assert (c.status, c.revision, c.amount_fen) == ("amending", 2, s.bid.price_fen)  # not yet applied
    for u in (s.company, s.team, s.partner):
        service.sign(session=session, actor=s.a(session, u), contract_id=c.id)
    assert session.get(Contract, c.id).amount_fen == s.bid.price_fen
    service.sign(session=session, actor=s.a(session, s.officer), contract_id=c.id)
    c = session.get(Contract, c.id)
    assert (c.status, c.amount_fen, c.end_on) == ("signed", 450_000_000, new_end)
    history = session.exec(select(ContractAmendment).where(ContractAmendment.contract_id == c.id)).one()
    assert history.previous["amount_fen"] == s.bid.price_fen and history.applied_at is not None


def test_payments_count_only_once_checked_by_an_officer(session, tmp_path):
    s = h.awarded(session)
    c = h.signed(session, s)
    p = h.pay(session, s, c, "1000000", tmp=tmp_path)
    h.pay(session, s, c, "500000", tmp=tmp_path)
    service.confirm_payment(session=session, actor=s.a(session, s.team), payment_id=p.id)
    with pytest.raises(Forbidden):
        service.check_payment(session=session, actor=s.a(session, s.company), payment_id=p.id)
    service.check_payment(session=session, actor=s.a(session, s.officer), payment_id=p.id)
    assert session.get(Payment, p.id).status == "checked"
    assert events(session, "payment.confirm_receipt") == 1 and events(session, "payment.check") == 1


@pytest.mark.parametrize(("yuan", "on_days", "voucher", "field"), [
    ("4000000.01", 0, h.PDF, "amount_yuan"),                                   # above the contract amount
    ("100", -1, h.PDF, "paid_on"),                                              # before signing
    ("100", 0, files.Upload("凭证.docx", b"PK\x03\x04docx"), "file"),            # not a voucher type
    ("100", 0, files.Upload("凭证.pdf", b"MZ\x90\x00 an exe"), "file"),           # content is not a PDF
    ("100", 0, files.Upload("凭证.exe", b"MZ\x90\x00"), "file"),
])
def test_a_bad_payment_is_refused_in_chinese_and_nothing_is_written(session, tmp_path, yuan, on_days, voucher, field):
    s = h.awarded(session)
    c = h.signed(session, s)
    before = session.get(Contract, c.id).recorded_fen
    with pytest.raises(RuleViolation) as exc:
        h.pay(session, s, c, yuan, on=c.signed_on + timedelta(days=on_days), voucher=voucher, tmp=tmp_path)
    assert field in exc.value.fields and any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.fields[field])
    session.expire_all()
    assert count(session, Payment) == 0 and count(session, ContractFile) == 0
    assert session.get(Contract, c.id).recorded_fen == before
    assert list(tmp_path.iterdir()) == []


def test_cumulative_payments_stop_at_the_contract_amount_and_a_rejected_one_frees_its_room(session, tmp_path):
    s = h.awarded(session)
    c = h.signed(session, s)
    first = h.pay(session, s, c, "3000000", tmp=tmp_path)
    with pytest.raises(RuleViolation, match="累计付款不能超过任务书金额"):
        h.pay(session, s, c, "1000000.01", tmp=tmp_path)
    service.confirm_payment(session=session, actor=s.a(session, s.team), payment_id=first.id, received=False,
                            reason="未收到")
    h.pay(session, s, c, "4000000", tmp=tmp_path)
    assert session.get(Contract, c.id).recorded_fen == 400_000_000


def test_milestone_reports_check_files_and_the_company_confirms_or_returns(session, tmp_path):
    s = h.awarded(session)
    c = h.signed(session, s)
    m = session.exec(select(Milestone).where(Milestone.contract_id == c.id, Milestone.seq == 1)).one()
    with pytest.raises(RuleViolation, match="证明材料"):
        service.report_milestone(session=session, actor=s.a(session, s.team), milestone_id=m.id,
                                 data=ReportIn(summary="完成"), uploads=[files.Upload("a.sh", b"#!/bin/sh")],
                                 uploads_dir=tmp_path, max_bytes=1 << 20)
    assert session.get(Milestone, m.id).status == "pending"
    with pytest.raises(Forbidden):
        service.report_milestone(session=session, actor=s.a(session, s.company), milestone_id=m.id,
                                 data=ReportIn(summary="完成"), uploads=[], uploads_dir=tmp_path, max_bytes=1 << 20)
    service.report_milestone(session=session, actor=s.a(session, s.team), milestone_id=m.id,
                             data=ReportIn(summary="样品完成"), uploads=[h.PDF], uploads_dir=tmp_path,
                             max_bytes=1 << 20)
    service.decide_report(session=session, actor=s.a(session, s.company), milestone_id=m.id,
                          data=ReportDecisionIn(confirm=False, note="缺少检测报告"))
    assert session.get(Milestone, m.id).status == "returned"
    service.report_milestone(session=session, actor=s.a(session, s.team), milestone_id=m.id,
                             data=ReportIn(summary="补充检测报告"), uploads=[h.PDF], uploads_dir=tmp_path,
                             max_bytes=1 << 20)
    service.decide_report(session=session, actor=s.a(session, s.company), milestone_id=m.id,
                          data=ReportDecisionIn(confirm=True))
    assert session.get(Milestone, m.id).status == "confirmed"
    assert count(session, ContractFile, ContractFile.purpose == "report") == 2


def test_the_tick_marks_an_overdue_milestone_once_and_reminds_the_team_and_the_officer(session):
    s = h.awarded(session)
    c = h.signed(session, s, start=service.today() - timedelta(days=200))
    assert lifecycle.overdue_ids(session=session) != []
    first = lifecycle.tick(session=session)
    assert len(first) == 1 and lifecycle.tick(session=session) == []
    told = session.exec(select(Notification.user_id).where(Notification.kind == "milestone_overdue")).all()
    assert sorted(told) == sorted({s.team.id, s.partner.id, s.officer.id})
    assert events(session, "milestone.overdue") == 1
    assert session.get(Milestone, first[0]).contract_id == c.id


def test_midterm_rectify_then_terminate_ends_the_contract_for_the_ledger(session):
    s = h.awarded(session)
    c = h.signed(session, s)
    officer = s.a(session, s.officer)
    with pytest.raises(ValueError):
        MidtermIn(decision="rectify", note="进度滞后")
    service.midterm(session=session, actor=officer, contract_id=c.id,
                    data=MidtermIn(decision="rectify", note="进度滞后", rectify_by=h.later(30)))
    assert session.get(Contract, c.id).status == "rectifying"
    service.midterm(session=session, actor=officer, contract_id=c.id,
                    data=MidtermIn(decision="terminate", note="核心人员离职，无法继续"))
    c = session.get(Contract, c.id)
    assert (c.status, c.outcome) == ("terminated", "terminated")
    assert SOURCE.get(session=session, contract_id=c.id).outcome == facts.Outcome.TERMINATED


def accepting(session, s, tmp_path):
    c = h.signed(session, s)
    h.milestones_done(session, s, c, tmp_path)
    service.request_acceptance(session=session, actor=s.a(session, s.team), contract_id=c.id,
                               data=h.measurements("结壳热阻", "功率循环寿命"))
    return c


def test_an_acceptance_with_an_indicator_missing_is_refused(session, tmp_path):
    s = h.awarded(session)
    c = h.signed(session, s)
    h.milestones_done(session, s, c, tmp_path)
    with pytest.raises(RuleViolation, match="功率循环寿命"):
        service.request_acceptance(session=session, actor=s.a(session, s.team), contract_id=c.id,
                                   data=h.measurements("结壳热阻"))
    assert session.get(Contract, c.id).status == "signed"


def test_acceptance_needs_every_milestone_confirmed(session):
    s = h.awarded(session)
    c = h.signed(session, s)
    with pytest.raises(Conflict, match="里程碑"):
        service.request_acceptance(session=session, actor=s.a(session, s.team), contract_id=c.id,
                                   data=h.measurements("结壳热阻", "功率循环寿命"))


def test_a_conflicted_expert_cannot_join_the_acceptance_panel(session, tmp_path):
    s = h.awarded(session)
    c = accepting(session, s, tmp_path)
    from marketplace.accounts.models import Organisation

    _, _ = h.expert(session)
    conflicted, _ = h.expert(session, org=session.get(Organisation, s.partner.organisation_id))
    with pytest.raises(Conflict, match="回避"):
        service.add_panel_expert(session=session, actor=s.a(session, s.officer), contract_id=c.id,
                                 expert_id=conflicted.id)


def panel(session, s, c, n=3):
    experts = [h.expert(session) for _ in range(n)]
    for e, _ in experts:
        service.add_panel_expert(session=session, actor=s.a(session, s.officer), contract_id=c.id, expert_id=e.id)
    return [u for _, u in experts]


def test_passed_when_the_company_and_a_majority_of_experts_pass_every_indicator(session, tmp_path):
    s = h.awarded(session)
    c = accepting(session, s, tmp_path)
    experts = panel(session, s, c)
    officer = s.a(session, s.officer)
    with pytest.raises(RuleViolation, match="功率循环寿命"):
        service.vote(session=session, actor=s.a(session, experts[0]), contract_id=c.id,
                     data=h.VoteIn(results={"结壳热阻": True}))
    for u, ok in zip(experts, (True, True, False), strict=True):
        service.vote(session=session, actor=s.a(session, u), contract_id=c.id, data=h.votes(ok))
    with pytest.raises(Conflict, match="发榜企业尚未提交意见"):
        service.conclude(session=session, actor=officer, contract_id=c.id, data=ConcludeIn())
    service.vote(session=session, actor=s.a(session, s.company), contract_id=c.id, data=h.votes(True))
    with pytest.raises(Conflict):
        service.vote(session=session, actor=s.a(session, s.company), contract_id=c.id, data=h.votes(True))
    acceptance = service.conclude(session=session, actor=officer, contract_id=c.id, data=ConcludeIn())
    c = session.get(Contract, c.id)
    assert (acceptance.verdict, c.status, c.outcome) == ("passed", "accepted", "passed")


def test_one_rectification_window_then_passed_after_rectification_or_failed(session, tmp_path):
    s = h.awarded(session)
    c = accepting(session, s, tmp_path)
    officer = s.a(session, s.officer)
    (expert,) = panel(session, s, c, 1)
    service.vote(session=session, actor=s.a(session, expert), contract_id=c.id, data=h.votes(True))
    service.vote(session=session, actor=s.a(session, s.company), contract_id=c.id,
                 data=h.VoteIn(results={"结壳热阻": True, "功率循环寿命": False}))
    with pytest.raises(RuleViolation):
        service.conclude(session=session, actor=officer, contract_id=c.id, data=ConcludeIn(rectify=True))
    service.conclude(session=session, actor=officer, contract_id=c.id,
                     data=ConcludeIn(rectify=True, rectify_by=h.later(60), reason="寿命未达标"))
    assert session.get(Contract, c.id).status == "acceptance_rectifying"
    service.request_acceptance(session=session, actor=s.a(session, s.team), contract_id=c.id,
                               data=h.measurements("结壳热阻", "功率循环寿命"))
    (expert2,) = panel(session, s, c, 1)
    service.vote(session=session, actor=s.a(session, expert2), contract_id=c.id, data=h.votes(False))
    service.vote(session=session, actor=s.a(session, s.company), contract_id=c.id, data=h.votes(False))
    with pytest.raises(Conflict, match="整改机会仅有一次"):
        service.conclude(session=session, actor=officer, contract_id=c.id,
                         data=ConcludeIn(rectify=True, rectify_by=h.later(60), reason="仍未达标"))
    service.conclude(session=session, actor=officer, contract_id=c.id, data=ConcludeIn(reason="整改后仍未达标"))
    c = session.get(Contract, c.id)
    assert (c.status, c.outcome) == ("failed", "failed")


def test_the_ledger_sees_ended_contracts_with_their_checked_payments_only(session, tmp_path):
    s = h.awarded(session)
    c = accepting(session, s, tmp_path)
    assert SOURCE.get(session=session, contract_id=c.id) is None  # not ended yet
    checked = h.pay(session, s, c, "1200000", tmp=tmp_path)
    h.pay(session, s, c, "300000", tmp=tmp_path)  # never checked: not 企业投入资金
    service.confirm_payment(session=session, actor=s.a(session, s.team), payment_id=checked.id)
    service.check_payment(session=session, actor=s.a(session, s.officer), payment_id=checked.id)
    (expert,) = panel(session, s, c, 1)
    for u in (expert, s.company):
        service.vote(session=session, actor=s.a(session, u), contract_id=c.id, data=h.votes(True))
    service.conclude(session=session, actor=s.a(session, s.officer), contract_id=c.id, data=ConcludeIn())
    found = facts.source().get(session=session, contract_id=c.id)
    assert found.invested_fen == 120_000_000 and found.outcome == facts.Outcome.PASSED
    assert found.payments == (facts.Payment(paid_on=c.signed_on, amount_fen=120_000_000),)
    assert [x.contract_id for x in SOURCE.ended(session=session)] == [c.id]
    assert SOURCE.ended(session=session, since=service.today() + timedelta(days=1)) == []


def test_payment_input_rejects_nonsense_amounts():
    for bad in ("0", "-1", "1.001", "abc"):
        with pytest.raises(ValueError):
            PaymentIn(amount_yuan=bad, paid_on=service.today())
