"""Maker-checker, disbursement per installment (E25), clawback with reversals, and the API shapes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from marketplace.actor import SYSTEM
from marketplace.audit.models import AuditEvent
from marketplace.errors import Conflict, Forbidden, InvalidTransition, RuleViolation
from marketplace.subsidies import service
from marketplace.subsidies.facts import Outcome
from marketplace.subsidies.models import Disbursement, EntryKind, LedgerEntry, Subsidy
from tests import factories as f
from tests.subsidies_ledger.conftest import as_api, contract


def computed(session, source, who, **kw) -> Subsidy:
    source.add(contract(company_org_id=who.org_id, **kw))
    return session.get(Subsidy, service.compute_all(session=session).computed[-1])


def approved(session, source, who, **kw) -> Subsidy:
    s = computed(session, source, who, **kw)
    service.check(session=session, actor=f.actor(session, who.maker), subsidy_id=s.id)
    service.approve(session=session, actor=f.actor(session, who.checker), subsidy_id=s.id)
    return s


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_the_checker_cannot_approve_a_different_officer_must(session, source, who):
    s = computed(session, source, who)
    maker = f.actor(session, who.maker)
    service.check(session=session, actor=maker, subsidy_id=s.id)
    with pytest.raises(Forbidden, match="另一名工作人员"):
        service.approve(session=session, actor=maker, subsidy_id=s.id)
    assert session.get(Subsidy, s.id).status == "checked"
    service.approve(session=session, actor=f.actor(session, who.checker), subsidy_id=s.id)
    assert session.get(Subsidy, s.id).status == "approved"


def test_override_needs_a_reason_and_is_audited(session, source, who):
    s = computed(session, source, who)
    maker = f.actor(session, who.maker)
    service.check(session=session, actor=maker, subsidy_id=s.id)
    with pytest.raises(RuleViolation):
        service.override_approve(session=session, actor=maker, subsidy_id=s.id, reason="  ")
    service.override_approve(session=session, actor=maker, subsidy_id=s.id, reason="另一人病假，经局领导同意")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "subsidy.override_approve")).one()
    assert event.summary["override_reason"] == "另一人病假，经局领导同意"


@pytest.mark.parametrize("role", ["company", "team", "expert"])
def test_only_officers_move_a_subsidy(session, source, who, role):
    s = computed(session, source, who)
    outsider = f.actor(session, f.user(session, role=role))
    with pytest.raises(Forbidden):
        service.check(session=session, actor=outsider, subsidy_id=s.id)


def test_reject_reverses_the_award_entry(session, source, who):
    s = computed(session, source, who)
    service.reject(session=session, actor=f.actor(session, who.maker), subsidy_id=s.id, reason="企业已迁出本市")
    entries = session.exec(select(LedgerEntry).where(LedgerEntry.subsidy_id == s.id)).all()
    assert [e.kind for e in entries] == ["award", "reversal"] and sum(e.amount_fen for e in entries) == 0
    assert entries[1].reverses_id == entries[0].id


def test_e25a_the_same_key_pays_once_and_replays(session, source, who):
    s = approved(session, source, who)
    checker = f.actor(session, who.checker)
    first = service.disburse(session=session, actor=checker, subsidy_id=s.id, installment=1, key="E25-a")
    again = service.disburse(session=session, actor=checker, subsidy_id=s.id, installment=1, key="E25-a")
    assert not first.replayed and again.replayed and again.disbursement.id == first.disbursement.id
    assert count(session, LedgerEntry, LedgerEntry.kind == EntryKind.PAYMENT) == 1
    s = session.get(Subsidy, s.id)
    assert s.disbursed_fen == 160_000_000 and s.status == "paid"


def test_e25c_a_key_reused_for_another_installment_is_refused(session, source, who):
    s = approved(session, source, who, policy_id="JB-STAGED")
    checker = f.actor(session, who.checker)
    service.disburse(session=session, actor=checker, subsidy_id=s.id, installment=1, key="k-1")
    with pytest.raises(RuleViolation) as caught:
        service.disburse(session=session, actor=checker, subsidy_id=s.id, installment=2, key="k-1")
    assert caught.value.code == "IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT"
    with pytest.raises(Conflict):  # another key for the paid installment
        service.disburse(session=session, actor=checker, subsidy_id=s.id, installment=1, key="k-other")
    assert session.get(Subsidy, s.id).disbursed_fen == 80_000_000


def test_unapproved_or_out_of_range_disbursement_writes_nothing(session, source, who):
    s = computed(session, source, who, policy_id="JB-STAGED")
    checker = f.actor(session, who.checker)
    with pytest.raises(Conflict, match="尚未批准"):
        service.disburse(session=session, actor=checker, subsidy_id=s.id, installment=1, key="early")
    service.check(session=session, actor=f.actor(session, who.maker), subsidy_id=s.id)
    service.approve(session=session, actor=checker, subsidy_id=s.id)
    with pytest.raises(RuleViolation):
        service.disburse(session=session, actor=checker, subsidy_id=s.id, installment=3, key="three")
    with pytest.raises(RuleViolation, match="请先拨付第 1 期"):
        service.disburse(session=session, actor=checker, subsidy_id=s.id, installment=2, key="two")
    assert count(session, Disbursement, Disbursement.subsidy_id == s.id) == 0
    assert count(session, LedgerEntry, LedgerEntry.kind == EntryKind.PAYMENT) == 0


def test_partly_paid_stays_approved_until_the_last_installment(session, source, who):
    s = approved(session, source, who, policy_id="JB-STAGED")
    checker = f.actor(session, who.checker)
    service.disburse(session=session, actor=checker, subsidy_id=s.id, installment=1, key="p1")
    assert session.get(Subsidy, s.id).status == "approved"
    service.disburse(session=session, actor=checker, subsidy_id=s.id, installment=2, key="p2")
    s = session.get(Subsidy, s.id)
    assert s.status == "paid" and s.disbursed_fen == s.awarded_fen == 160_000_000
    with pytest.raises(Conflict):
        service.disburse(session=session, actor=checker, subsidy_id=s.id, installment=2, key="p3")


def test_clawback_after_an_installment_posts_a_receivable_and_reversal(session, source, who):
    s = approved(session, source, who, policy_id="JB-STAGED")
    service.disburse(session=session, actor=f.actor(session, who.checker), subsidy_id=s.id, installment=1, key="c1")
    source.end_again(s.contract_id, Outcome.TERMINATED)
    report = service.compute_all(session=session)
    assert report.clawed_back == [s.id]
    s = session.get(Subsidy, s.id)
    assert s.status == "clawback" and s.clawback_fen == 80_000_000
    entries = session.exec(select(LedgerEntry).where(LedgerEntry.subsidy_id == s.id).order_by(LedgerEntry.id)).all()
    assert [(e.kind, e.amount_fen) for e in entries] == [
        ("award", 160_000_000), ("payment", 80_000_000), ("reversal", -160_000_000),
        ("clawback_receivable", -80_000_000)]
    assert service.recompute(session=session, subsidy_id=s.id).agrees  # the stored case is the new one
    with pytest.raises(InvalidTransition):
        service.check(session=session, actor=f.actor(session, who.maker), subsidy_id=s.id)


def test_a_policy_without_clawback_rejects_what_is_unpaid(session, source, who):
    s = approved(session, source, who)
    source.end_again(s.contract_id, Outcome.FAILED)
    assert service.compute_all(session=session, actor=SYSTEM).rejected == [s.id]
    assert session.get(Subsidy, s.id).status == "rejected"


# --- API -----------------------------------------------------------------------------------------

def test_api_list_detail_and_disbursement(client, session, source, who):
    s = approved(session, source, who, policy_id="JB-STAGED", ended_on=date(2025, 5, 1))
    as_api(client, session, who.checker)
    listed = client.get("/api/v1/subsidies?status=approved").json()
    assert [r["id"] for r in listed] == [s.id]
    assert client.get("/api/v1/subsidies?status=computed").json() == []
    assert client.get("/api/v1/subsidies?status=nonsense").status_code == 422
    body = client.get(f"/api/v1/subsidies/{s.id}").json()
    assert body["status"] == "approved" and body["entitlement_fen"] == 160_000_000 and body["disbursed_fen"] == 0
    assert body["case"] == s.case
    assert [(i["installment"], i["amount_fen"], i["status"]) for i in body["installments"]] == [
        (1, 80_000_000, "due"), (2, 80_000_000, "due")]
    assert [e["kind"] for e in body["ledger"]] == ["award"]
    url = f"/api/v1/subsidies/{s.id}/disbursements"
    assert client.post(url, json={"installment": 1}).status_code == 422  # no key
    r1 = client.post(url, json={"installment": 1}, headers={"Idempotency-Key": "api-1"})
    r2 = client.post(url, json={"installment": 1}, headers={"Idempotency-Key": "api-1"})
    assert r1.status_code == 201 and r2.status_code == 200 and r2.headers["Idempotent-Replayed"] == "true"
    assert {k: v for k, v in r2.json().items() if k != "replayed"} == {
        k: v for k, v in r1.json().items() if k != "replayed"}
    r3 = client.post(url, json={"installment": 1}, headers={"Idempotency-Key": "api-other"})
    assert r3.status_code == 409
    body = client.get(f"/api/v1/subsidies/{s.id}").json()
    assert body["disbursed_fen"] == 80_000_000
    assert [i["status"] for i in body["installments"]] == ["paid", "due"]
    assert [e["kind"] for e in body["ledger"]] == ["award", "payment"]


def test_api_second_approval_by_the_checker_is_a_chinese_4xx(client, session, source, who):
    s = computed(session, source, who)
    as_api(client, session, who.maker)
    assert client.post(f"/api/v1/subsidies/{s.id}/check").status_code == 200
    r = client.post(f"/api/v1/subsidies/{s.id}/approve")
    assert r.status_code == 403 and "另一名工作人员" in r.json()["error"]["message"]
    assert session.get(Subsidy, s.id).status == "checked"


def test_api_disbursement_on_an_unapproved_subsidy_is_refused(client, session, source, who):
    s = computed(session, source, who)
    as_api(client, session, who.checker)
    r = client.post(f"/api/v1/subsidies/{s.id}/disbursements", json={"installment": 1},
                    headers={"Idempotency-Key": "too-early"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "subsidy_not_approved"
    assert count(session, Disbursement) == 0


def test_api_beneficiary_sees_its_own_and_others_see_nothing(client, session, source, who):
    s = computed(session, source, who)
    as_api(client, session, who.company)
    assert [r["id"] for r in client.get("/api/v1/subsidies").json()] == [s.id]
    assert client.post(f"/api/v1/subsidies/{s.id}/check").status_code == 403
    stranger = f.user(session, role="company")
    session.commit()
    as_api(client, session, stranger)
    assert client.get("/api/v1/subsidies").json() == []
    assert client.get(f"/api/v1/subsidies/{s.id}").status_code == 404


def test_api_publicity_lists_approved_subsidies_to_anyone(client, session, source, who):
    s = approved(session, source, who)
    computed(session, source, who)
    rows = client.get("/api/v1/subsidies/publicity").json()
    assert [r["id"] for r in rows] == [s.id] and rows[0]["awarded_fen"] == 160_000_000


def test_beyond_the_entitlement_is_refused_even_if_a_stored_schedule_were_wrong(session, source, who):
    s = approved(session, source, who)
    broken = dict(s.result, installments=[{"no": 1, "trigger": "acceptance_passed", "amount": "1600000.01",
                                           "status": "due"}])
    s.result = broken  # a corrupted row (not something the service writes)
    session.add(s)
    session.commit()
    with pytest.raises(RuleViolation) as caught:
        service.disburse(session=session, actor=f.actor(session, who.checker), subsidy_id=s.id, installment=1,
                         key="too-much")
    assert caught.value.code == "beyond_entitlement"
    assert count(session, Disbursement) == 0


def test_each_step_notifies_the_beneficiary(session, source, who):
    from marketplace.notifications.models import Notification

    s = approved(session, source, who)
    service.disburse(session=session, actor=f.actor(session, who.checker), subsidy_id=s.id, installment=1, key="n1")
    titles = session.exec(select(Notification.title).where(Notification.user_id == who.company.id)
                          .order_by(Notification.id)).all()
    assert [t.split("：")[0] for t in titles] == ["补助已测算", "补助已批准", "补助拨付"]
