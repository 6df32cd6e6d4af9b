"""The subsidy ledger's commands: 免申即享 computation, maker-checker, disbursement, clawback.

Contracts are read only through `facts.source()`. Every computation runs the engine on a case file
exactly as `jiebang subsidy simulate` reads it (`engine.simulate.run_cases`), and stores that file and
the entry it produced, so `recompute` (and anyone with the CLI) gets the same answer from the row.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from marketplace import db, states
from marketplace.accounts.models import Role, User
from marketplace.actor import SYSTEM, Actor
from marketplace.audit import service as audit
from marketplace.credit import service as credit
from marketplace.credit.models import CreditKind
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.money import Fen, format_yuan, plain_yuan
from marketplace.notifications.models import Kind
from marketplace.notifications.service import notify
from marketplace.subsidies import facts as contract_facts
from marketplace.subsidies import versions as policy_versions
from marketplace.subsidies.facts import ContractFacts, Outcome
from marketplace.subsidies.models import (
    Account,
    Disbursement,
    EntryKind,
    LedgerEntry,
    PolicyVersion,
    PolicyVersionStatus,
    Subsidy,
    SubsidyPool,
    SubsidyStatus,
)
from marketplace.subsidies.states import MACHINE

log = logging.getLogger("jiebang.subsidies")

DEFAULT_POLICY = "JB-COMPLETION"
COMPUTE_LOCK = 0x5B51D1  # PostgreSQL advisory lock: computations read caps and pools, then reserve
VERDICTS = {Outcome.PASSED: "PASSED", Outcome.PASSED_AFTER_RECTIFICATION: "PASSED_AFTER_RECTIFICATION",
            Outcome.FAILED: "FAILED", Outcome.TERMINATED: "FAILED"}
PASSING = ("PASSED", "PASSED_AFTER_RECTIFICATION")
MIN_REASON = 5


# --- policies -------------------------------------------------------------------------------------

@dataclass
class _PolicyCache:
    path: Path | None = None
    stamp: tuple = ()
    policies: dict = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    merged: dict[tuple, tuple[dict, dict[str, str]]] = field(default_factory=dict)


_cache = _PolicyCache()


def policies_dir() -> Path:
    from marketplace.subsidies.engine.policies import DEFAULT_POLICIES_DIR

    return DEFAULT_POLICIES_DIR


def _file_policies(path: Path | None = None) -> tuple[dict, dict[str, str]]:
    from marketplace.subsidies.engine.policies import load_policies

    path = path or policies_dir()
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    if _cache.path != path or _cache.stamp != stamp:
        loaded = load_policies(path)
        versions = {code: f"{code}@{hashlib.sha256(Path(p.source).read_bytes()).hexdigest()[:16]}"
                    for code, p in loaded.items()}
        _cache.path, _cache.stamp, _cache.policies, _cache.versions = path, stamp, loaded, versions
        _cache.merged.clear()
    return _cache.policies, _cache.versions


def approved_versions(session: Session, ids: list[int] | None = None) -> list[PolicyVersion]:
    """The approved successor versions (all, or exactly `ids`: what a stored subsidy used)."""
    stmt = select(PolicyVersion).order_by(col(PolicyVersion.id))
    if ids is None:
        stmt = stmt.where(PolicyVersion.status == PolicyVersionStatus.APPROVED)
    elif not ids:
        return []
    else:
        stmt = stmt.where(col(PolicyVersion.id).in_(ids))
    return list(session.exec(stmt).all())


def policies(path: Path | None = None, session: Session | None = None,
             only: list[int] | None = None) -> tuple[dict, dict[str, str]]:
    """The loaded policies and their versions, reloaded on change. With a session, the approved
    successor versions in the database are merged in (or exactly the versions `only` names), and a
    policy's version is `code@sha256(file)[:16]+PV<ids>`: the file and the DB versions used."""
    loaded, file_versions = _file_policies(path)
    if session is None:
        return loaded, file_versions
    rows = approved_versions(session, only)
    if not rows:
        return loaded, file_versions
    # keyed by each version's content, not its id alone: an id can come back (a rolled-back approval)
    key = (tuple((r.id, json.dumps(r.model_dump(mode="json"), sort_keys=True)) for r in rows), only is None)
    if key not in _cache.merged:
        by_code: dict[str, list[PolicyVersion]] = {}
        for row in rows:
            if row.policy_code in loaded:
                by_code.setdefault(row.policy_code, []).append(row)
        merged, tags = dict(loaded), dict(file_versions)
        for code, versions in by_code.items():
            merged[code] = policy_versions.merge(loaded[code], versions)
            tags[code] = policy_versions.tag(file_versions[code], [v.id for v in versions if v.id])
        _cache.merged[key] = (merged, tags)
    return _cache.merged[key]


def _policy_name(code: str) -> str:
    policy = policies()[0].get(code)
    return policy.name if policy is not None else code


def run_case_file(case: dict[str, Any], path: Path | None = None, session: Session | None = None,
                  only: list[int] | None = None) -> dict[str, Any]:
    """The engine's entry for the (single) case of a case file — what `simulate` prints for it."""
    from marketplace.subsidies.engine.simulate import run_cases

    loaded, _ = policies(path, session, only)
    entries, _totals = run_cases(case, loaded)
    return entries[0]


# --- reading the ledger ---------------------------------------------------------------------------

def _prior_awards(session: Session, org_id: int, exclude: int | None) -> list[dict[str, str]]:
    """The beneficiary's earlier awards, net of reversals, as simulate's `prior_awards`."""
    stmt = (select(LedgerEntry.subsidy_id, LedgerEntry.policy_code, LedgerEntry.award_date,
                   func.sum(LedgerEntry.amount_fen))
            .where(LedgerEntry.beneficiary_org_id == org_id, LedgerEntry.account == Account.ENTITLEMENT)
            .group_by(LedgerEntry.subsidy_id, LedgerEntry.policy_code, LedgerEntry.award_date)
            .order_by(LedgerEntry.subsidy_id))
    if exclude is not None:
        stmt = stmt.where(LedgerEntry.subsidy_id != exclude)
    return [{"policy": code, "amount": plain_yuan(int(total)), "date": on.isoformat(), "id": f"S{sid}"}
            for sid, code, on, total in session.exec(stmt).all() if total and total > 0]


def _pool_committed(session: Session, pool: str, exclude: int | None) -> Fen:
    stmt = select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0)).where(
        LedgerEntry.pool == pool, LedgerEntry.account == Account.ENTITLEMENT)
    if exclude is not None:
        stmt = stmt.where(LedgerEntry.subsidy_id != exclude)
    return int(session.exec(stmt).one())


def policy_code_of(facts: ContractFacts) -> str:
    return facts.policy_id or DEFAULT_POLICY


def build_case(session: Session, facts: ContractFacts, *, exclude: int | None = None,
               paid_so_far: Fen = 0, with_pool: bool = True) -> dict[str, Any]:
    """The engine input of one contract, as a case file `jiebang subsidy simulate` reads."""
    code = policy_code_of(facts)
    case: dict[str, Any] = {
        "id": f"CONTRACT-{facts.contract_id}", "policy": code,
        "beneficiary": f"ORG-{facts.company_org_id}", "base": plain_yuan(facts.invested_fen),
        "date": facts.ended_on.isoformat(), "verdict": VERDICTS[facts.outcome],
    }
    if paid_so_far:
        case["paid_so_far"] = plain_yuan(paid_so_far)
    prior = _prior_awards(session, facts.company_org_id, exclude)
    if prior:
        case["prior_awards"] = prior
    document: dict[str, Any] = {"cases": [case]}
    pool = session.exec(select(SubsidyPool).where(SubsidyPool.policy_code == code,
                                                  SubsidyPool.year == facts.ended_on.year)).first()
    if pool is not None and with_pool:
        case["pool"] = pool.name
        committed = min(pool.total_fen, _pool_committed(session, pool.name, exclude))
        document["pools"] = {pool.name: {"total": plain_yuan(pool.total_fen),
                                         "committed": plain_yuan(committed), "mode": pool.mode}}
    return document


def _fen(text: str) -> Fen:
    whole, _, cents = text.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((cents + "00")[:2]))


def installments_of(subsidy: Subsidy) -> list[dict[str, Any]]:
    """The policy's installments with the amounts of the stored result (engine order)."""
    return [{"installment": int(item["no"]), "trigger": item["trigger"], "amount_fen": _fen(item["amount"])}
            for item in subsidy.result.get("installments", [])]


# --- notifications --------------------------------------------------------------------------------

def _officer_ids(session: Session) -> list[int]:
    return [i for i in session.exec(select(User.id).where(col(User.role).in_((Role.OFFICER, Role.ADMIN)))).all()
            if i is not None]


def _tell(session: Session, subsidy: Subsidy, title: str, body: str, *, officers: bool = False,
          beneficiary: bool = True) -> None:
    ids: list[int] = []
    if beneficiary:
        ids += session.exec(select(User.id).where(User.organisation_id == subsidy.beneficiary_org_id)).all()
    if officers:
        ids += session.exec(select(User.id).where(col(User.role).in_((Role.OFFICER, Role.ADMIN)))).all()
    notify(session=session, user_ids=[i for i in ids if i is not None], kind=Kind.SUBSIDY, title=title,
           body=body, link=f"/subsidies/{subsidy.id}")


# --- 免申即享 -------------------------------------------------------------------------------------

def _entry(subsidy: Subsidy, *, kind: EntryKind, account: Account, amount: Fen, actor: Actor,
           memo: str, **extra: Any) -> LedgerEntry:
    return LedgerEntry(subsidy_id=subsidy.id, kind=kind, account=account, amount_fen=amount,
                       beneficiary_org_id=subsidy.beneficiary_org_id, policy_code=subsidy.policy_code,
                       award_date=date.fromisoformat(subsidy.case["cases"][0]["date"]),
                       created_by=actor.user_id, memo=memo[:500], **extra)


@db.use_case
def compute_contract(*, session: Session, actor: Actor, facts: ContractFacts) -> Subsidy | None:
    """Compute and store the subsidy of one ended contract (None if it already has one)."""
    db.serialize_writers(session, COMPUTE_LOCK)
    if session.exec(select(Subsidy.id).where(Subsidy.contract_id == facts.contract_id)).first():
        return None
    case = build_case(session, facts)
    entry = run_case_file(case, session=session)
    if "error" in entry:
        raise RuleViolation(f"合同 {facts.contract_id} 无法测算：{entry['error']['message']}",
                            code=entry["error"]["code"])
    _, versions = policies(session=session)
    subsidy = Subsidy(
        contract_id=facts.contract_id, challenge_id=facts.challenge_id, title=facts.title[:300],
        beneficiary_org_id=facts.company_org_id, team_org_id=facts.team_org_id,
        policy_code=entry["policy"], policy_version=versions[entry["policy"]], year=facts.ended_on.year,
        case=case, result=entry, explanation=entry["explanation"],
        entitlement_fen=_fen(entry["entitlement"]), awarded_fen=_fen(entry["awarded"]),
        computed_by=actor.user_id)
    session.add(subsidy)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("该合同的补助已由他人测算") from exc
    if subsidy.awarded_fen > 0:
        pool = case["cases"][0].get("pool")
        session.add(_entry(subsidy, kind=EntryKind.AWARD, account=Account.ENTITLEMENT,
                           amount=subsidy.awarded_fen, actor=actor, pool=pool,
                           memo=f"免申即享核定：{_policy_name(subsidy.policy_code)}"))
    audit.record(session=session, actor=actor, action="subsidy.compute", subject_type="subsidy",
                 subject_id=subsidy.id, summary={"contract_id": facts.contract_id,
                                                 "policy_version": subsidy.policy_version,
                                                 "entitlement_fen": subsidy.entitlement_fen,
                                                 "awarded_fen": subsidy.awarded_fen})
    _tell(session, subsidy, f"补助已测算：{subsidy.title}",
          f"免申即享：核定 {format_yuan(subsidy.awarded_fen)} 元，待科技局复核。\n{subsidy.explanation}",
          officers=True)
    return subsidy


@dataclass
class ComputeReport:
    computed: list[int] = field(default_factory=list)
    clawed_back: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    manual: list[int] = field(default_factory=list)  # newly waiting for an officer's decision (once each)
    errors: list[str] = field(default_factory=list)


def compute_all(*, session: Session, actor: Actor = SYSTEM, year: int | None = None) -> ComputeReport:
    """免申即享 over every ended contract (of `year`): compute new ones, claw back where the
    policy says so when a subsidised contract has since failed or been terminated."""
    report = ComputeReport()
    since = date(year, 1, 1) if year else None
    ended = contract_facts.source().ended(session=session, since=since)
    existing = {s.contract_id: s for s in session.exec(select(Subsidy)).all()}
    for facts in ended:
        if year and facts.ended_on.year != year:
            continue
        subsidy = existing.get(facts.contract_id)
        try:
            if subsidy is None:
                made = compute_contract(session=session, actor=actor, facts=facts)
                if made is not None:
                    report.computed.append(made.id)
            elif _outcome_turned(subsidy, facts):
                moved = reassess(session=session, actor=actor, subsidy_id=subsidy.id, facts=facts)
                {SubsidyStatus.CLAWBACK: report.clawed_back, SubsidyStatus.MANUAL: report.manual}.get(
                    moved, report.rejected).append(subsidy.id)
        except (RuleViolation, Conflict) as exc:
            report.errors.append(f"合同 {facts.contract_id}：{exc.message}")
    return report


def _outcome_turned(subsidy: Subsidy, facts: ContractFacts) -> bool:
    stored = subsidy.case["cases"][0]["verdict"]
    live = subsidy.status in (SubsidyStatus.COMPUTED, SubsidyStatus.CHECKED, SubsidyStatus.APPROVED,
                              SubsidyStatus.PAID)
    return live and stored in PASSING and VERDICTS[facts.outcome] not in PASSING


def _award_entry(session: Session, subsidy_id: int) -> LedgerEntry | None:
    return session.exec(select(LedgerEntry).where(LedgerEntry.subsidy_id == subsidy_id,
                                                  LedgerEntry.kind == EntryKind.AWARD)).first()


def _reverse_award(session: Session, subsidy: Subsidy, actor: Actor, memo: str) -> None:
    award = _award_entry(session, subsidy.id)
    if award is not None:
        session.add(_entry(subsidy, kind=EntryKind.REVERSAL, account=Account.ENTITLEMENT,
                           amount=-award.amount_fen, actor=actor, pool=award.pool,
                           reverses_id=award.id, memo=memo))


@db.use_case
def reassess(*, session: Session, actor: Actor, subsidy_id: int, facts: ContractFacts) -> str:
    """The contract failed or was terminated after its subsidy was computed: recompute with what was
    paid; a receivable and reversal entries if the policy claws back, else reject what is unpaid."""
    subsidy = _get(session, subsidy_id)
    previous = {"case": subsidy.case, "result": subsidy.result}
    case = build_case(session, facts, exclude=subsidy.id, paid_so_far=subsidy.disbursed_fen, with_pool=False)
    entry = run_case_file(case, session=session)
    if "error" in entry:
        raise RuleViolation(entry["error"]["message"], code=entry["error"]["code"])
    receivable = _fen(entry["clawback_receivable"])
    changes = {"case": case, "result": entry, "explanation": entry["explanation"],
               "entitlement_fen": _fen(entry["entitlement"]), "awarded_fen": _fen(entry["awarded"])}
    if receivable > 0:
        states.apply(session, subsidy, MACHINE, "clawback", actor=actor, clawback_fen=receivable,
                     summary={"receivable_fen": receivable, "previous": previous}, **changes)
        _reverse_award(session, subsidy, actor, "合同验收不通过或终止：冲销核定补助")
        session.add(_entry(subsidy, kind=EntryKind.CLAWBACK_RECEIVABLE, account=Account.RECEIVABLE,
                           amount=-receivable, actor=actor, memo="应追回已拨付补助"))
        _tell(session, subsidy, f"补助追回：{subsidy.title}",
              f"合同未通过验收或已终止，依政策应退回已拨付的 {format_yuan(receivable)} 元。", officers=True)
        credit.remember(session=session, actor=actor, organisation_ids=[subsidy.beneficiary_org_id],
                        kind=CreditKind.CLAWBACK,
                        note=f"{subsidy.title}：应追回已拨付补助 {format_yuan(receivable)} 元",
                        subject_type="subsidy", subject_id=subsidy.id)
        return SubsidyStatus.CLAWBACK
    if subsidy.disbursed_fen > 0:
        # The policy does not claw back, yet money was paid: an officer decides (once: `manual` is not
        # live, so later ticks leave it alone; one notice to the officers).
        note = (f"合同未通过验收或已终止，已拨付 {format_yuan(subsidy.disbursed_fen)} 元，"
                "政策未规定追回，待工作人员决定免予追回或仍予追回")
        states.apply(session, subsidy, MACHINE, "hold", actor=SYSTEM, decision_note=note,
                     summary={"outcome": VERDICTS[facts.outcome], "disbursed_fen": subsidy.disbursed_fen,
                              "recomputed": entry.get("explanation", "")})
        notify(session=session, user_ids=_officer_ids(session), kind=Kind.SUBSIDY,
               title=f"待人工决定：{subsidy.title}"[:200], body=note, link=f"/subsidies/{subsidy.id}",
               dedupe=f"subsidy-manual:{subsidy.id}")
        return SubsidyStatus.MANUAL
    states.apply(session, subsidy, MACHINE, "reject", actor=actor,
                 decision_note="合同验收不通过或终止", summary={"previous": previous}, **changes)
    _reverse_award(session, subsidy, actor, "合同验收不通过或终止：冲销核定补助")
    _tell(session, subsidy, f"不予补助：{subsidy.title}", "合同未通过验收或已终止，不予补助。")
    return SubsidyStatus.REJECTED


# --- manual decision (failed contract, paid, no clawback in the policy) -------------------------

DECISIONS = {"waive": "免予追回，停止拨付", "clawback": "仍予追回已拨付款"}


@db.use_case
def decide_manual(*, session: Session, actor: Actor, subsidy_id: int, decision: str, reason: str) -> Subsidy:
    """An officer's decision on a subsidy held for it: `waive` keeps what was paid and pays no more
    (the entitlement becomes what was paid: the award is reversed and re-booked at that amount);
    `clawback` claws back what was paid although the policy does not require it (a receivable)."""
    subsidy = _get(session, subsidy_id)
    if decision not in DECISIONS:
        raise RuleViolation("请选择免予追回或仍予追回", fields={"decision": "请选择处理方式"},
                            code="unknown_decision")
    MACHINE.step(state=subsidy.status, action="waive" if decision == "waive" else "clawback_anyway",
                 role=actor.role)  # the wrong role or state is refused before the form is judged
    reason = _reason(reason, "处理理由")
    paid = subsidy.disbursed_fen
    if decision == "waive":
        states.apply(session, subsidy, MACHINE, "waive", actor=actor, decision_note=f"免予追回：{reason}",
                     summary={"decision": decision, "reason": reason, "kept_fen": paid})
        _reverse_award(session, subsidy, actor, f"人工决定免予追回：冲销原核定补助（{reason}）")
        pool = (award := _award_entry(session, subsidy.id)) and award.pool
        session.add(_entry(subsidy, kind=EntryKind.AWARD, account=Account.ENTITLEMENT, amount=paid, actor=actor,
                           pool=pool, memo=f"人工决定免予追回：补助以已拨付额为准（{reason}）"))
        _tell(session, subsidy, f"补助免予追回：{subsidy.title}",
              f"已拨付的 {format_yuan(paid)} 元免予追回，其余不再拨付。理由：{reason}", officers=True)
    else:
        states.apply(session, subsidy, MACHINE, "clawback_anyway", actor=actor, clawback_fen=paid,
                     decision_note=f"仍予追回：{reason}",
                     summary={"decision": decision, "reason": reason, "receivable_fen": paid})
        _reverse_award(session, subsidy, actor, f"人工决定仍予追回：冲销核定补助（{reason}）")
        session.add(_entry(subsidy, kind=EntryKind.CLAWBACK_RECEIVABLE, account=Account.RECEIVABLE,
                           amount=-paid, actor=actor, memo=f"人工决定追回已拨付补助（{reason}）"))
        _tell(session, subsidy, f"补助追回：{subsidy.title}",
              f"经科技局决定，应退回已拨付的 {format_yuan(paid)} 元。理由：{reason}", officers=True)
        credit.remember(session=session, actor=actor, organisation_ids=[subsidy.beneficiary_org_id],
                        kind=CreditKind.CLAWBACK,
                        note=f"{subsidy.title}：经科技局决定追回已拨付补助 {format_yuan(paid)} 元（{reason}）",
                        subject_type="subsidy", subject_id=subsidy.id)
    return subsidy


# --- maker-checker --------------------------------------------------------------------------------

def _get(session: Session, subsidy_id: int) -> Subsidy:
    subsidy = session.get(Subsidy, subsidy_id)
    if subsidy is None:
        raise NotFound("补助记录不存在")
    return subsidy


def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if len(text) < MIN_REASON:
        raise RuleViolation(f"请填写{what}（至少 {MIN_REASON} 个字）", fields={"reason": f"请填写{what}"})
    return text[:1000]


def may_approve(subsidy: Subsidy, actor: Actor) -> tuple[bool, str]:
    if subsidy.checked_by is not None and subsidy.checked_by == actor.user_id:
        return False, "复核人不能批准自己复核的补助：须由另一名工作人员批准（如确有必要，请填写理由越权批准）"
    return True, ""


@db.use_case
def check(*, session: Session, actor: Actor, subsidy_id: int, note: str = "") -> Subsidy:
    subsidy = _get(session, subsidy_id)
    states.apply(session, subsidy, MACHINE, "check", actor=actor, checked_by=actor.user_id,
                 summary={"note": note[:500]})
    _tell(session, subsidy, f"补助已复核：{subsidy.title}", "测算已复核，待另一名工作人员批准。",
          officers=True, beneficiary=False)
    return subsidy


@db.use_case
def approve(*, session: Session, actor: Actor, subsidy_id: int) -> Subsidy:
    subsidy = _get(session, subsidy_id)
    MACHINE.step(state=subsidy.status, action="approve", role=actor.role)
    states.require(may_approve(subsidy, actor))
    states.apply(session, subsidy, MACHINE, "approve", actor=actor, approved_by=actor.user_id,
                 where=[col(Subsidy.checked_by) != actor.user_id])
    _approved(session, subsidy)
    return subsidy


@db.use_case
def override_approve(*, session: Session, actor: Actor, subsidy_id: int, reason: str) -> Subsidy:
    """The checker approves too — only with a reason, which the audit event keeps."""
    subsidy = _get(session, subsidy_id)
    reason = _reason(reason, "越权批准的理由")
    states.apply(session, subsidy, MACHINE, "override_approve", actor=actor, approved_by=actor.user_id,
                 override_reason=reason, summary={"override_reason": reason})
    _approved(session, subsidy)
    return subsidy


def _approved(session: Session, subsidy: Subsidy) -> None:
    _tell(session, subsidy, f"补助已批准：{subsidy.title}",
          f"核定补助 {format_yuan(subsidy.awarded_fen)} 元已批准，进入公示并按期拨付。", officers=True)


@db.use_case
def reject(*, session: Session, actor: Actor, subsidy_id: int, reason: str) -> Subsidy:
    subsidy = _get(session, subsidy_id)
    reason = _reason(reason, "不予补助的理由")
    if subsidy.disbursed_fen > 0:
        raise Conflict("已拨付的补助不能改为不予补助")
    states.apply(session, subsidy, MACHINE, "reject", actor=actor, decision_note=reason,
                 where=[col(Subsidy.disbursed_fen) == 0], summary={"reason": reason})
    _reverse_award(session, subsidy, actor, f"不予补助：{reason}")
    _tell(session, subsidy, f"不予补助：{subsidy.title}", reason, officers=True)
    return subsidy


# --- disbursement ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Paid:
    disbursement: Disbursement
    replayed: bool


def _by_key(session: Session, key: str) -> Disbursement | None:
    return session.exec(select(Disbursement).where(Disbursement.idempotency_key == key)).first()


def _replay(found: Disbursement, subsidy_id: int, installment: int) -> Paid:
    if found.subsidy_id != subsidy_id or found.installment != installment:
        raise RuleViolation("该幂等键已用于另一笔拨付（补助或期次不同），请使用新的键",
                            code="IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT")
    return Paid(found, replayed=True)


def check_key(key: str) -> str:
    if not key or len(key) > 200 or not key.isascii() or not key.isprintable() or " " in key:
        raise RuleViolation("Idempotency-Key 须为 1–200 个可见 ASCII 字符", code="idempotency_key_invalid",
                            fields={"Idempotency-Key": "格式不正确"})
    return key


def disburse(*, session: Session, actor: Actor, subsidy_id: int, installment: int, key: str) -> Paid:
    """Pay one installment exactly once. The same key again → the same disbursement (replayed);
    another key for a paid installment → Conflict; nothing is written on any refusal."""
    check_key(key)
    found = _by_key(session, key)
    if found is not None:
        return _replay(found, subsidy_id, installment)
    try:
        return Paid(_disburse(session=session, actor=actor, subsidy_id=subsidy_id,
                              installment=installment, key=key), replayed=False)
    except Conflict:
        found = _by_key(session, key)  # a twin with our key may have won the race
        if found is not None:
            return _replay(found, subsidy_id, installment)
        raise


@db.use_case
def _disburse(*, session: Session, actor: Actor, subsidy_id: int, installment: int, key: str) -> Disbursement:
    subsidy = _get(session, subsidy_id)
    if subsidy.status != SubsidyStatus.APPROVED:
        if subsidy.status == SubsidyStatus.PAID:
            raise Conflict("该补助已全部拨付", code="installment_already_paid")
        raise Conflict(f"补助尚未批准（当前：{MACHINE.labels.get(subsidy.status, subsidy.status)}），不能拨付",
                       code="subsidy_not_approved")
    if not actor.is_officer:
        raise Forbidden("只有科技局工作人员可以拨付补助")
    stages = {s["installment"]: s for s in installments_of(subsidy)}
    if installment not in stages:
        raise RuleViolation(f"没有第 {installment} 期", fields={"installment": "期次不存在"},
                            code="no_such_installment")
    paid = {d.installment for d in session.exec(
        select(Disbursement).where(Disbursement.subsidy_id == subsidy.id)).all()}
    if installment in paid:
        raise Conflict(f"第 {installment} 期已拨付，不能重复拨付", code="installment_already_paid")
    earlier = [n for n, s in stages.items() if n < installment and s["amount_fen"] > 0 and n not in paid]
    if earlier:
        raise RuleViolation(f"请先拨付第 {earlier[0]} 期", code="installment_out_of_order")
    amount = stages[installment]["amount_fen"]
    if amount <= 0:
        raise RuleViolation(f"第 {installment} 期应拨金额为 0，无需拨付", code="nothing_to_pay")
    total = subsidy.disbursed_fen + amount
    if total > subsidy.awarded_fen:
        raise RuleViolation("拨付金额超过核定补助", code="beyond_entitlement")
    action = "disburse_final" if total == subsidy.awarded_fen else "disburse"
    states.apply(session, subsidy, MACHINE, action, actor=actor, disbursed_fen=total,
                 where=[col(Subsidy.disbursed_fen) == subsidy.disbursed_fen],
                 summary={"installment": installment, "amount_fen": amount, "idempotency_key": key})
    record = Disbursement(subsidy_id=subsidy.id, installment=installment, amount_fen=amount,
                          idempotency_key=key, paid_by=actor.user_id)
    session.add(record)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"第 {installment} 期已拨付", code="installment_already_paid") from exc
    session.add(_entry(subsidy, kind=EntryKind.PAYMENT, account=Account.PAID, amount=amount, actor=actor,
                       installment=installment, disbursement_id=record.id, idempotency_key=key,
                       memo=f"第 {installment} 期拨付"))
    session.flush()
    _tell(session, subsidy, f"补助拨付：{subsidy.title}",
          f"第 {installment} 期 {format_yuan(amount)} 元已拨付。")
    return record


# --- recompute ------------------------------------------------------------------------------------

COMPARED = ("entitlement", "awarded", "waitlisted", "split", "installments", "clawback_receivable",
            "overpaid", "reasons", "explanation")


@dataclass(frozen=True)
class Recomputation:
    subsidy_id: int
    agrees: bool
    stored: dict[str, Any]
    fresh: dict[str, Any]
    differences: list[str]
    policy_version_then: str
    policy_version_now: str


def recompute(*, session: Session, subsidy_id: int, policies_path: Path | None = None) -> Recomputation:
    """Run the stored case again with the policy file and exactly the DB versions the stored policy
    version names; does the engine still give the stored result?"""
    subsidy = _get(session, subsidy_id)
    used = policy_versions.ids_in(subsidy.policy_version) or []
    fresh = run_case_file(subsidy.case, policies_path, session, only=used)
    _, versions = policies(policies_path, session)
    differences = [key for key in COMPARED if fresh.get(key) != subsidy.result.get(key)]
    return Recomputation(subsidy.id, not differences, subsidy.result, fresh, differences,
                         subsidy.policy_version, versions.get(subsidy.policy_code, ""))
