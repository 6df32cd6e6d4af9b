"""Reading subsidies: who may see which, the detail view (installments, ledger), 公示 list, exports."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from marketplace.accounts.models import Organisation
from marketplace.actor import Actor
from marketplace.challenges.models import Challenge
from marketplace.challenges.stats import StatsFilter, scoped
from marketplace.errors import NotFound, RuleViolation
from marketplace.money import format_yuan
from marketplace.subsidies.models import (
    ENTRY_LABELS,
    STATUS_LABELS,
    Account,
    Disbursement,
    LedgerEntry,
    Subsidy,
    SubsidyPool,
    SubsidyStatus,
)
from marketplace.subsidies.service import installments_of, policies

PUBLIC_STATES = (SubsidyStatus.APPROVED, SubsidyStatus.PAID)  # 公示: approved, before (and after) payment


def may_see(subsidy: Subsidy, actor: Actor) -> bool:
    if actor.is_officer:
        return True
    org = actor.organisation_id
    return org is not None and org in (subsidy.beneficiary_org_id, subsidy.team_org_id)


def _visible(actor: Actor):
    stmt = select(Subsidy)
    if not actor.is_officer:
        org = actor.organisation_id or -1
        stmt = stmt.where((col(Subsidy.beneficiary_org_id) == org) | (col(Subsidy.team_org_id) == org))
    return stmt


def parse_status(status: str | None) -> str | None:
    if status in (None, ""):
        return None
    if status not in set(SubsidyStatus):
        allowed = " / ".join(s.value for s in SubsidyStatus)
        raise RuleViolation(f"状态须为 {allowed}", fields={"status": "未知状态"}, code="unknown_status")
    return status


def listing(*, session: Session, actor: Actor, status: str | None = None, limit: int = 500) -> list[Subsidy]:
    stmt = _visible(actor)
    status = parse_status(status)
    if status:
        stmt = stmt.where(Subsidy.status == status)
    return list(session.exec(stmt.order_by(col(Subsidy.id).desc()).limit(limit)).all())


def count_manual(*, session: Session) -> int:
    """Subsidies waiting for an officer's manual decision (the queue on /subsidies)."""
    return len(session.exec(select(Subsidy.id).where(Subsidy.status == SubsidyStatus.MANUAL)).all())


def get(*, session: Session, actor: Actor, subsidy_id: int) -> Subsidy:
    subsidy = session.get(Subsidy, subsidy_id)
    if subsidy is None or not may_see(subsidy, actor):
        raise NotFound("补助记录不存在")
    return subsidy


def disbursements(session: Session, subsidy_id: int) -> list[Disbursement]:
    return list(session.exec(select(Disbursement).where(Disbursement.subsidy_id == subsidy_id)
                             .order_by(Disbursement.installment)).all())


def ledger(session: Session, subsidy_id: int | None = None) -> list[LedgerEntry]:
    stmt = select(LedgerEntry).order_by(LedgerEntry.id)
    if subsidy_id is not None:
        stmt = stmt.where(LedgerEntry.subsidy_id == subsidy_id)
    return list(session.exec(stmt).all())


def installments(session: Session, subsidy: Subsidy) -> list[dict[str, Any]]:
    paid = {d.installment: d for d in disbursements(session, subsidy.id)}
    rows = []
    for item in installments_of(subsidy):
        done = paid.get(item["installment"])
        rows.append({"installment": item["installment"], "trigger": item["trigger"],
                     "amount_fen": item["amount_fen"], "status": "paid" if done else "due",
                     "paid_at": done.paid_at if done else None})
    return rows


def entry_dict(e: LedgerEntry) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind, "kind_label": ENTRY_LABELS.get(e.kind, e.kind), "account": e.account,
            "amount_fen": e.amount_fen, "installment": e.installment, "reverses_id": e.reverses_id,
            "idempotency_key": e.idempotency_key, "memo": e.memo, "created_at": e.created_at}


def org_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(ids))).all()
    return dict(rows)


def detail(session: Session, subsidy: Subsidy) -> dict[str, Any]:
    names = org_names(session, {subsidy.beneficiary_org_id, subsidy.team_org_id})
    return {
        "id": subsidy.id, "contract_id": subsidy.contract_id, "challenge_id": subsidy.challenge_id,
        "title": subsidy.title, "status": subsidy.status, "status_label": STATUS_LABELS.get(subsidy.status, ""),
        "beneficiary_org_id": subsidy.beneficiary_org_id,
        "beneficiary": names.get(subsidy.beneficiary_org_id, ""), "team_org_id": subsidy.team_org_id,
        "policy_code": subsidy.policy_code, "policy_version": subsidy.policy_version, "year": subsidy.year,
        "entitlement_fen": subsidy.entitlement_fen, "awarded_fen": subsidy.awarded_fen,
        "disbursed_fen": subsidy.disbursed_fen, "clawback_fen": subsidy.clawback_fen,
        "case": subsidy.case, "result": subsidy.result, "explanation": subsidy.explanation,
        "installments": installments(session, subsidy),
        "ledger": [entry_dict(e) for e in ledger(session, subsidy.id)],
        "checked_by": subsidy.checked_by, "approved_by": subsidy.approved_by,
        "override_reason": subsidy.override_reason, "decision_note": subsidy.decision_note,
        "computed_at": subsidy.computed_at, "updated_at": subsidy.updated_at,
    }


def publicity(*, session: Session) -> list[dict[str, Any]]:
    """The public 公示 list: approved subsidies (amounts, beneficiaries, policy), newest first."""
    rows = list(session.exec(select(Subsidy).where(col(Subsidy.status).in_(PUBLIC_STATES))
                             .order_by(col(Subsidy.id).desc())).all())
    names = org_names(session, {s.beneficiary_org_id for s in rows})
    return [{"id": s.id, "title": s.title, "beneficiary": names.get(s.beneficiary_org_id, ""),
             "policy_code": s.policy_code, "policy": policy_name(s.policy_code), "year": s.year,
             "awarded_fen": s.awarded_fen,
             "awarded": format_yuan(s.awarded_fen), "status": s.status,
             "status_label": STATUS_LABELS.get(s.status, ""), "updated_at": s.updated_at}
            for s in rows]


# —— dashboard aggregates (SQL SUM / GROUP BY over the ledger; the bureau's filter on the subsidy's challenge) ———


def _on_challenges(stmt, flt: StatsFilter):  # noqa: ANN001, ANN202
    return scoped(stmt.join(Challenge, col(Challenge.id) == col(Subsidy.challenge_id)), flt)


def funds(session: Session, flt: StatsFilter) -> dict[str, int]:
    """Subsidy entitled (award entries net of reversals) and paid (installments), in fen, from the ledger."""
    def total(account: Account) -> int:
        return int(session.exec(_on_challenges(
            select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0)).select_from(LedgerEntry)
            .join(Subsidy, col(Subsidy.id) == col(LedgerEntry.subsidy_id)), flt)
            .where(col(LedgerEntry.account) == account)).one() or 0)

    return {"entitled_fen": total(Account.ENTITLEMENT), "paid_fen": total(Account.PAID)}


def paid_challenges(session: Session, flt: StatsFilter) -> int:
    """Challenges whose subsidy has been (at least partly) paid out: the pipeline's last stage."""
    return int(session.exec(_on_challenges(select(func.count(func.distinct(Subsidy.challenge_id)))
                                           .select_from(Subsidy), flt)
                            .where(col(Subsidy.disbursed_fen) > 0)).one() or 0)


def pool_use(session: Session, flt: StatsFilter) -> list[tuple[str, int, int, int]]:
    """(pool name, year, budget fen, entitled fen) per pool, oldest year first. The year filter picks the
    pools' year; industry and district narrow the entitlements counted (the budget stays the pool's)."""
    used = (_on_challenges(select(LedgerEntry.pool.label("pool"),
                                  func.sum(LedgerEntry.amount_fen).label("used")).select_from(LedgerEntry)
                           .join(Subsidy, col(Subsidy.id) == col(LedgerEntry.subsidy_id)),
                           StatsFilter(industry=flt.industry, district=flt.district))
            .where(col(LedgerEntry.account) == Account.ENTITLEMENT, col(LedgerEntry.pool).is_not(None))
            .group_by(LedgerEntry.pool).subquery())
    stmt = (select(SubsidyPool.name, SubsidyPool.year, SubsidyPool.total_fen, func.coalesce(used.c.used, 0))
            .outerjoin(used, used.c.pool == col(SubsidyPool.name))
            .order_by(col(SubsidyPool.year), col(SubsidyPool.name)))
    if flt.year is not None:
        stmt = stmt.where(col(SubsidyPool.year) == flt.year)
    return [(str(n), int(y), int(b), int(u or 0)) for n, y, b, u in session.exec(stmt).all()]


def paid_by_challenge(session: Session, challenge_ids: list[int]) -> dict[int, int]:
    """challenge id → subsidy paid (fen) of its publicly listed (公示) subsidies, for open data."""
    if not challenge_ids:
        return {}
    return {int(c): int(p or 0) for c, p in session.exec(
        select(Subsidy.challenge_id, func.sum(Subsidy.disbursed_fen))
        .where(col(Subsidy.challenge_id).in_(challenge_ids), col(Subsidy.status).in_(PUBLIC_STATES))
        .group_by(Subsidy.challenge_id)).all()}


def policy_title(code: str, step: dict | None = None) -> str:
    """A policy's Chinese name for people (never its code): “name（clause）” — the clause of the
    document the calculation used (`step`: its trace's policy step, e.g. a successor version's)."""
    policy = policies()[0].get(code)
    if policy is None:
        return "其他政策"
    document, clause = policy.document, policy.clause
    if step and step.get("document"):
        document, clause = step["document"], step.get("clause", "")
    return f"{policy.name}（{document}{clause}）" if clause else policy.name


def policy_name(code: str) -> str:
    policy = policies()[0].get(code)
    return policy.name if policy is not None else "其他政策"


NOT_YET_PAID = (SubsidyStatus.COMPUTED, SubsidyStatus.CHECKED, SubsidyStatus.APPROVED)


def pool_budgets(*, session: Session) -> list[dict[str, Any]]:
    """Per subsidy pool (a policy's annual budget, table `subsidypool`) and year: the budget; committed
    = entitlements computed, checked or approved but not yet paid (awarded − disbursed); paid = every
    installment paid out of it (clawed-back money counts as paid until refunded); remaining = budget −
    committed − paid. Policies and years with subsidies but no pool are listed with an open budget."""
    pools = list(session.exec(select(SubsidyPool).order_by(col(SubsidyPool.year).desc(),
                                                           col(SubsidyPool.policy_code))).all())
    sums: dict[tuple[str, int], list[int]] = {}
    for s in session.exec(select(Subsidy)).all():
        key = (s.policy_code, s.year)
        row = sums.setdefault(key, [0, 0, 0])
        if s.status in NOT_YET_PAID:
            row[0] += s.awarded_fen - s.disbursed_fen
        row[1] += s.disbursed_fen
        row[2] += 1
    rows = []
    for pool in pools:
        committed, paid, count = sums.pop((pool.policy_code, pool.year), [0, 0, 0])
        rows.append({"pool": pool.name, "policy_code": pool.policy_code, "policy": policy_name(pool.policy_code),
                     "year": pool.year, "budget_fen": pool.total_fen, "committed_fen": committed,
                     "paid_fen": paid, "remaining_fen": pool.total_fen - committed - paid, "subsidies": count})
    for (code, year), (committed, paid, count) in sorted(sums.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
        rows.append({"pool": None, "policy_code": code, "policy": policy_name(code), "year": year,
                     "budget_fen": None, "committed_fen": committed, "paid_fen": paid, "remaining_fen": None,
                     "subsidies": count})
    return rows
