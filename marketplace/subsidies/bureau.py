"""The bureau's settings of the subsidy ledger: successor policy versions (an officer drafts, a
different officer approves) and the annual pool budgets (create; change with a reason, never below
what is already committed). Every change is audited in its own transaction; refusals write nothing."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from marketplace import db
from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.clock import utcnow
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.money import format_yuan, positive_fen_from_yuan
from marketplace.subsidies import service
from marketplace.subsidies import versions as policy_versions
from marketplace.subsidies.models import (
    Account,
    LedgerEntry,
    PolicyVersion,
    PolicyVersionStatus,
    Subsidy,
    SubsidyPool,
    SubsidyStatus,
)
from marketplace.subsidies.schemas import BudgetIn, PolicyVersionIn, PoolIn

BUREAU_LOCK = 0x5B51D2  # PostgreSQL advisory lock: overlap checks and budget floors read, then write
NOT_YET_PAID = (SubsidyStatus.COMPUTED, SubsidyStatus.CHECKED, SubsidyStatus.APPROVED)


def require_officer(actor: Actor, what: str) -> None:
    """The bureau's own work (pools, policy versions, ledger exports): officers only."""
    if not actor.is_officer:
        raise Forbidden(f"只有科技局工作人员可以{what}")


def _approved_of(session: Session, code: str) -> list[PolicyVersion]:
    return list(session.exec(select(PolicyVersion).where(
        PolicyVersion.policy_code == code, PolicyVersion.status == PolicyVersionStatus.APPROVED)).all())


def _check(session: Session, data: dict, exclude: int | None = None) -> None:
    loaded, _ = service.policies()
    approved = [v for v in _approved_of(session, data["policy_code"]) if v.id != exclude]
    errors = policy_versions.problems(loaded.get(data["policy_code"]), data, approved)
    if errors:
        first = next(iter(errors.values()))
        raise RuleViolation(f"政策版本有误：{first}", fields=errors, code="policy_version_invalid")


@db.use_case
def draft_version(*, session: Session, actor: Actor, data: PolicyVersionIn) -> PolicyVersion:
    """An officer drafts a successor version of a policy (not in force until another approves it)."""
    require_officer(actor, "起草政策版本")
    fields = data.model_dump(exclude={"ratio", "cap_per_project", "cap_per_year"})
    fields["parameters"] = data.changed()
    _check(session, fields)
    version = PolicyVersion(**fields, drafted_by=actor.user_id)
    session.add(version)
    session.flush()
    audit.record(session=session, actor=actor, action="subsidy_policy.draft", subject_type="policy_version",
                 subject_id=version.id, summary={"policy_code": version.policy_code, "document": version.document,
                                                 "effective_from": str(version.effective_from),
                                                 "effective_to": str(version.effective_to),
                                                 "parameters": version.parameters})
    return version


def may_approve(version: PolicyVersion, actor: Actor) -> tuple[bool, str]:
    if not actor.is_officer:
        return False, "只有科技局工作人员可以批准政策版本"
    if version.drafted_by is not None and version.drafted_by == actor.user_id:
        return False, "起草人不能批准自己起草的政策版本：须由另一名工作人员批准"
    return True, ""


@db.use_case
def approve_version(*, session: Session, actor: Actor, version_id: int) -> PolicyVersion:
    """A different officer approves a draft: it is merged into the policies from its effective date."""
    db.serialize_writers(session, BUREAU_LOCK)
    version = session.get(PolicyVersion, version_id)
    if version is None:
        raise NotFound("没有这个政策版本")
    if version.status != PolicyVersionStatus.DRAFT:
        raise Conflict("该政策版本已批准，不能重复批准", code="policy_version_already_approved")
    allowed, why = may_approve(version, actor)
    if not allowed:
        raise Forbidden(why)
    _check(session, {"policy_code": version.policy_code, "effective_from": version.effective_from,
                     "effective_to": version.effective_to, "parameters": version.parameters}, exclude=version.id)
    now = utcnow()
    done = session.execute(update(PolicyVersion).where(
        col(PolicyVersion.id) == version.id, col(PolicyVersion.status) == PolicyVersionStatus.DRAFT,
        col(PolicyVersion.drafted_by) != actor.user_id,
    ).values(status=PolicyVersionStatus.APPROVED, approved_by=actor.user_id, approved_at=now))
    if done.rowcount != 1:
        raise Conflict("该政策版本已由他人批准", code="policy_version_already_approved")
    audit.record(session=session, actor=actor, action="subsidy_policy.approve", subject_type="policy_version",
                 subject_id=version.id, summary={"policy_code": version.policy_code,
                                                 "effective_from": str(version.effective_from),
                                                 "effective_to": str(version.effective_to)})
    session.refresh(version)
    return version


# --- pools ----------------------------------------------------------------------------------------

def committed_fen(session: Session, pool: SubsidyPool) -> int:
    """What the pool already carries: awards not yet paid plus what was paid (the subsidies of its
    policy and year), and at least the net entitlement entries booked against the pool itself."""
    by_subsidies = 0
    for status, awarded, disbursed in session.exec(select(Subsidy.status, Subsidy.awarded_fen, Subsidy.disbursed_fen)
                                                   .where(Subsidy.policy_code == pool.policy_code,
                                                          Subsidy.year == pool.year)).all():
        by_subsidies += (awarded - disbursed if status in NOT_YET_PAID else 0) + disbursed
    booked = session.exec(select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0)).where(
        LedgerEntry.pool == pool.name, LedgerEntry.account == Account.ENTITLEMENT)).one()
    return max(by_subsidies, int(booked))


def policy_code(code_or_name: str) -> str | None:
    """A policy's code from its code or its Chinese name (pages offer names, never codes)."""
    loaded = service.policies()[0]
    if code_or_name in loaded:
        return code_or_name
    return next((code for code, p in loaded.items() if p.name == code_or_name), None)


def pool_name(code: str, year: int) -> str:
    policy = service.policies()[0].get(code)
    return f"{year}年度{policy.name if policy else code}"[:60]


@db.use_case
def create_pool(*, session: Session, actor: Actor, data: PoolIn) -> SubsidyPool:
    require_officer(actor, "设立资金池")
    code = policy_code(data.policy_code)
    if code is None:
        raise RuleViolation("没有这项政策", fields={"policy_code": "请选择政策"}, code="unknown_policy")
    data = data.model_copy(update={"policy_code": code})
    total = positive_fen_from_yuan(data.budget_yuan)
    exists = session.exec(select(SubsidyPool.id).where(SubsidyPool.policy_code == data.policy_code,
                                                       SubsidyPool.year == data.year)).first()
    if exists is not None:
        raise Conflict(f"该政策 {data.year} 年度已有资金池，请修改其预算", code="pool_exists")
    pool = SubsidyPool(name=pool_name(data.policy_code, data.year), policy_code=data.policy_code,
                       year=data.year, total_fen=total)
    session.add(pool)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"该政策 {data.year} 年度已有资金池，请修改其预算", code="pool_exists") from exc
    audit.record(session=session, actor=actor, action="subsidy_pool.create", subject_type="subsidy_pool",
                 subject_id=pool.id, summary={"name": pool.name, "policy_code": pool.policy_code,
                                              "year": pool.year, "total_fen": total})
    return pool


@db.use_case
def change_budget(*, session: Session, actor: Actor, pool_id: int, data: BudgetIn) -> SubsidyPool:
    """A new budget with a reason; never below what is committed; `expected_fen` (the budget the
    officer saw) refuses to overwrite a colleague's change made meanwhile."""
    require_officer(actor, "修改资金池预算")
    reason = (data.reason or "").strip()
    if len(reason) < service.MIN_REASON:
        raise RuleViolation(f"请填写修改预算的理由（至少 {service.MIN_REASON} 个字）",
                            fields={"reason": "请填写理由"}, code="reason_required")
    db.serialize_writers(session, BUREAU_LOCK)
    pool = session.get(SubsidyPool, pool_id)
    if pool is None:
        raise NotFound("没有这个资金池")
    new = positive_fen_from_yuan(data.budget_yuan)
    old = pool.total_fen
    if data.expected_fen is not None and data.expected_fen != old:
        raise Conflict(f"预算已被他人修改（现为 {format_yuan(old)}），请刷新后重试", code="budget_changed")
    if new == old:
        raise RuleViolation("新预算与现有预算相同", fields={"budget_yuan": "未修改"}, code="budget_unchanged")
    floor = committed_fen(session, pool)
    if new < floor:
        raise RuleViolation(f"预算不能低于已核定和已拨付的金额 {format_yuan(floor)}",
                            fields={"budget_yuan": f"不能低于 {format_yuan(floor)}"}, code="budget_below_committed")
    done = session.execute(update(SubsidyPool).where(col(SubsidyPool.id) == pool.id,
                                                     col(SubsidyPool.total_fen) == old).values(total_fen=new))
    if done.rowcount != 1:
        raise Conflict("预算已被他人修改，请刷新后重试", code="budget_changed")
    audit.record(session=session, actor=actor, action="subsidy_pool.budget", subject_type="subsidy_pool",
                 subject_id=pool.id, summary={"from_fen": old, "to_fen": new, "reason": reason[:1000]})
    session.refresh(pool)
    return pool


# --- reading --------------------------------------------------------------------------------------

def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return format_yuan(value)
    if isinstance(value, dict):
        return "；".join(f"{k} {format_yuan(v)}" for k, v in value.items())
    return str(value)


def version_row(version: PolicyVersion) -> dict:
    return {"id": version.id, "policy_code": version.policy_code, "document": version.document,
            "document_title": version.document_title, "clause": version.clause,
            "clause_text": version.clause_text, "effective_from": version.effective_from,
            "effective_to": version.effective_to,
            "parameters": {k: str(v) for k, v in version.parameters.items()}, "status": version.status,
            "drafted_by": version.drafted_by, "approved_by": version.approved_by,
            "drafted_at": version.drafted_at, "approved_at": version.approved_at}


def policy_rows(*, session: Session) -> list[dict]:
    """Every policy as the engine now reads it (file + approved versions): its clause text, each
    parameter's dated values (the history) and its versions (drafts included)."""
    merged, tags = service.policies(session=session)
    drafts: dict[str, list[PolicyVersion]] = {}
    for version in session.exec(select(PolicyVersion).order_by(col(PolicyVersion.effective_from),
                                                               col(PolicyVersion.id))).all():
        drafts.setdefault(version.policy_code, []).append(version)
    rows = []
    for code, policy in sorted(merged.items()):
        rows.append({
            "code": code, "name": policy.name, "document": policy.document,
            "document_title": policy.document_title, "clause": policy.clause,
            "clause_text": policy.clause_text, "effective_from": policy.effective_from,
            "effective_to": policy.effective_to, "version": tags.get(code, ""),
            "kind": policy.kind.value,
            "parameters": {name: [{"valid_from": v.valid_from, "value": _text(v.value), "clause": v.clause,
                                   "value_id": v.value_id, "note": v.note} for v in parameter.values]
                           for name, parameter in policy.parameters.items()},
            "versions": [version_row(v) for v in drafts.get(code, [])],
        })
    return rows


def pools(*, session: Session) -> list[SubsidyPool]:
    return list(session.exec(select(SubsidyPool).order_by(col(SubsidyPool.year).desc(),
                                                          col(SubsidyPool.policy_code))).all())
