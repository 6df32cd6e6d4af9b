"""A failed contract after a payment, under a policy that does not claw back: held once for an officer's
decision (one notice, later ticks quiet), decided on the page or through the API — waive (keep what was
paid, pay no more) or claw back anyway — each with a reason, audited, ledger entries appended."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from marketplace.actor import SYSTEM
from marketplace.audit.models import AuditEvent
from marketplace.credit.models import CreditRecord
from marketplace.errors import Forbidden, InvalidTransition, RuleViolation
from marketplace.notifications.models import Notification
from marketplace.subsidies import service
from marketplace.subsidies.facts import Outcome
from marketplace.subsidies.models import LedgerEntry, Subsidy
from tests import factories as f
from tests.subsidies_ledger.conftest import as_api
from tests.subsidies_ledger.test_workflow import approved


def paid_then_failed(session, source, who) -> Subsidy:
    """JB-COMPLETION (no clawback, one installment): paid in full, then the contract is reported failed."""
    s = approved(session, source, who)
    service.disburse(session=session, actor=f.actor(session, who.checker), subsidy_id=s.id, installment=1, key="m1")
    source.end_again(s.contract_id, Outcome.FAILED)
    return s


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_held_for_a_decision_once_and_not_reported_again(session, source, who):
    s = paid_then_failed(session, source, who)
    first = service.compute_all(session=session, actor=SYSTEM)
    assert first.manual == [s.id] and first.errors == []
    s = session.get(Subsidy, s.id)
    assert s.status == "manual" and s.disbursed_fen == 160_000_000 and "待工作人员决定" in s.decision_note
    notices = _count(session, Notification, Notification.dedupe_key.like(f"subsidy-manual:{s.id}:%"))
    assert notices >= 2  # both officers
    for _ in range(3):  # every later tick: nothing to report, nothing written
        again = service.compute_all(session=session, actor=SYSTEM)
        assert again.manual == [] and again.errors == [] and again.rejected == []
    assert _count(session, Notification, Notification.dedupe_key.like(f"subsidy-manual:{s.id}:%")) == notices
    assert _count(session, AuditEvent, AuditEvent.action == "subsidy.hold", AuditEvent.subject_id == s.id) == 1


def test_waive_keeps_what_was_paid_and_books_the_entitlement_at_that(session, source, who):
    s = paid_then_failed(session, source, who)
    service.compute_all(session=session, actor=SYSTEM)
    officer = f.actor(session, who.maker)
    with pytest.raises(RuleViolation):
        service.decide_manual(session=session, actor=officer, subsidy_id=s.id, decision="waive", reason="短")
    with pytest.raises(Forbidden):
        service.decide_manual(session=session, actor=f.actor(session, who.company), subsidy_id=s.id,
                              decision="waive", reason="企业自己决定免予追回")
    assert session.get(Subsidy, s.id).status == "manual"
    service.decide_manual(session=session, actor=officer, subsidy_id=s.id, decision="waive",
                          reason="项目已尽力实施，经局务会研究免予追回")
    s = session.get(Subsidy, s.id)
    assert s.status == "waived" and s.clawback_fen == 0 and "局务会" in s.decision_note
    entries = session.exec(select(LedgerEntry).where(LedgerEntry.subsidy_id == s.id).order_by(LedgerEntry.id)).all()
    assert [(e.kind, e.amount_fen) for e in entries] == [
        ("award", 160_000_000), ("payment", 160_000_000), ("reversal", -160_000_000), ("award", 160_000_000)]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "subsidy.waive")).one()
    assert event.summary["reason"].startswith("项目已尽力") and event.actor_id == who.maker.id
    with pytest.raises(InvalidTransition):  # decided once
        service.decide_manual(session=session, actor=officer, subsidy_id=s.id, decision="clawback",
                              reason="改变主意仍予追回")


def test_clawback_anyway_through_the_api_posts_a_receivable(client, session, source, who):
    s = paid_then_failed(session, source, who)
    service.compute_all(session=session, actor=SYSTEM)
    as_api(client, session, who.company)
    url = f"/api/v1/subsidies/{s.id}/decision"
    assert client.post(url, json={"decision": "clawback", "reason": "企业无权决定此事"}).status_code == 403
    as_api(client, session, who.checker)
    bad = client.post(url, json={"decision": "forgive", "reason": "理由足够长了"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_decision"
    assert client.post(url, json={"decision": "clawback"}).status_code == 422
    assert session.get(Subsidy, s.id).status == "manual"
    r = client.post(url, json={"decision": "clawback", "reason": "合同约定失败须退回财政资金"})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "clawback" and body["clawback_fen"] == 160_000_000
    assert [e["kind"] for e in body["ledger"]] == ["award", "payment", "reversal", "clawback_receivable"]
    assert body["ledger"][-1]["amount_fen"] == -160_000_000
    assert client.post(url, json={"decision": "waive", "reason": "再决定一次试试"}).status_code == 409
    # the clawback is remembered for the beneficiary, as the policy's own clawback is (officers only)
    memory = session.exec(select(CreditRecord).where(CreditRecord.subject_type == "subsidy",
                                                     CreditRecord.subject_id == str(s.id))).all()
    assert [(m.organisation_id, m.kind) for m in memory] == [(s.beneficiary_org_id, "clawback")]
    assert "合同约定失败须退回财政资金" in memory[0].note


def test_the_officer_decides_on_the_page_from_the_queue(client, session, source, who):
    s = paid_then_failed(session, source, who)
    service.compute_all(session=session, actor=SYSTEM)
    f.login(client, session, who.maker)
    listing = client.get("/subsidies")
    assert "待人工决定" in listing.text and "/subsidies?status=manual" in listing.text
    queue = client.get("/subsidies?status=manual")
    assert f"/subsidies/{s.id}" in queue.text
    page = client.get(f"/subsidies/{s.id}")
    assert 'id="manual-decision"' in page.text and f"/subsidies/{s.id}/manual" in page.text
    refused = client.post(f"/subsidies/{s.id}/manual", data={"csrf_token": f.csrf(client), "decision": "waive"},
                          follow_redirects=True)
    assert refused.status_code == 200 and "理由" in refused.text and session.get(Subsidy, s.id).status == "manual"
    done = client.post(f"/subsidies/{s.id}/manual", follow_redirects=True,
                       data={"csrf_token": f.csrf(client), "decision": "waive", "reason": "经研究免予追回已拨付款"})
    assert done.status_code == 200 and "免予追回" in done.text
    session.expire_all()
    assert session.get(Subsidy, s.id).status == "waived"
    assert 'id="manual-decision"' not in client.get(f"/subsidies/{s.id}").text
