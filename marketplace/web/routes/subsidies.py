"""Subsidy pages: officer list by state and detail (trace, clause, printable) with check / approve /
reject / override forms and disbursement per installment; the beneficiary's own; the public 公示."""

from __future__ import annotations

from fastapi import APIRouter, Request

from marketplace.errors import DomainError, RuleViolation
from marketplace.money import format_yuan
from marketplace.subsidies import bureau, display, exports, queries, service
from marketplace.subsidies import versions as policy_versions
from marketplace.subsidies.models import POLICY_VERSION_LABELS, STATUS_LABELS, SubsidyStatus
from marketplace.subsidies.schemas import BudgetIn, PolicyVersionIn, PoolIn
from marketplace.subsidies.states import MACHINE
from marketplace.validation import parse
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, OptionalActor, SessionDep
from marketplace.web.downloads import download
from marketplace.web.forms import FormDep
from marketplace.web.forms import subsidies as subsidy_forms
from marketplace.web.idempotent import new_form_token
from marketplace.web.templating import render
from marketplace.xlsx import MEDIA_TYPE

public_router = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False)


@public_router.get("/subsidies/publicity")
def publicity(request: Request, session: SessionDep, actor: OptionalActor):
    """补助公示 (public): approved subsidies, before payment."""
    rows = queries.publicity(session=session)
    return render(request, "subsidies/publicity.html", {"rows": rows}, block="content")


@public_router.get("/subsidies/publicity.xlsx")
def publicity_xlsx(session: SessionDep):
    return download(exports.publicity_book(session), filename="补助公示.xlsx", media_type=MEDIA_TYPE,
                    fallback="subsidy-publicity.xlsx")


@router.get("/subsidies")
def listing(request: Request, session: SessionDep, actor: CurrentActor, status: str = ""):
    status = status if status in set(SubsidyStatus) else ""
    rows = queries.listing(session=session, actor=actor, status=status or None)
    names = queries.org_names(session, {s.beneficiary_org_id for s in rows})
    ctx = {"rows": rows, "names": names, "status": status, "labels": STATUS_LABELS,
           "states": list(SubsidyStatus), "policy_name": queries.policy_name,
           "manual_count": queries.count_manual(session=session) if actor.is_officer else 0}
    return render(request, "subsidies/list.html", ctx, block="content")


@router.get("/subsidies/ledger.xlsx")
def ledger_xlsx(session: SessionDep, actor: CurrentActor):
    bureau.require_officer(actor, "导出补助台账")
    return download(exports.ledger_book(session), filename="补助台账.xlsx", media_type=MEDIA_TYPE,
                    fallback="subsidy-ledger.xlsx")


def _pools_page(request: Request, session, actor, *, errors=None, values=None, failed: str = "",
                status_code: int = 200):
    ctx = {"rows": queries.pool_budgets(session=session), "pools": bureau.pools(session=session),
           "policies": sorted((p.name, p.name) for p in service.policies()[0].values()),
           "errors": errors or {}, "values": values or {}, "failed": failed, "is_officer": actor.is_officer}
    return render(request, "subsidies/pools.html", ctx, block="content", status_code=status_code)


@router.get("/subsidies/pools")
def pools(request: Request, session: SessionDep, actor: CurrentActor):
    """资金池预算：per pool and year, budget / committed / paid / remaining (officers), with the forms
    to set up a pool and to change a budget."""
    bureau.require_officer(actor, "查看资金池预算")
    return _pools_page(request, session, actor)


def _refused(exc: DomainError) -> tuple[dict[str, str], int]:
    fields = dict(getattr(exc, "fields", None) or {})
    fields.setdefault("_", exc.message)
    return fields, 422 if isinstance(exc, RuleViolation) else 409 if exc.code != "forbidden" else 403


@router.post("/subsidies/pools")
def create_pool(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep):
    bureau.require_officer(actor, "设立资金池")
    values = subsidy_forms.pool(form)
    try:
        pool = bureau.create_pool(session=session, actor=actor, data=parse(PoolIn, values))
    except DomainError as exc:
        errors, status = _refused(exc)
        return _pools_page(request, session, actor, errors=errors, values=values, failed="create",
                           status_code=status)
    return flash(htmx.redirect(request, "/subsidies/pools"), f"已设立资金池“{pool.name}”")


@router.post("/subsidies/pools/{pool_id}/budget")
def change_budget(request: Request, pool_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    bureau.require_officer(actor, "修改资金池预算")
    values = subsidy_forms.budget(form)
    try:
        pool = bureau.change_budget(session=session, actor=actor, pool_id=pool_id, data=parse(BudgetIn, values))
    except DomainError as exc:
        errors, status = _refused(exc)
        return _pools_page(request, session, actor, errors=errors, values=values, failed=f"budget-{pool_id}",
                           status_code=status)
    return flash(htmx.redirect(request, "/subsidies/pools"),
                 f"“{pool.name}”预算已改为 {format_yuan(pool.total_fen)}（理由已记入审计日志）")


def _policies_page(request: Request, session, actor, *, errors=None, values=None, status_code: int = 200):
    rows = bureau.policy_rows(session=session)
    ctx = {"policies": rows, "policy_options": [(p["code"], p["name"]) for p in rows],
           "labels": POLICY_VERSION_LABELS,
           "parameter_labels": {**policy_versions.EDITABLE, "cap_cumulative": "累计最高（元）",
                                "cap_per_unit": "单台（套）最高（元）", "one_off": "一次性奖励（元）",
                                "amount": "定额（元）", "grades": "等次金额", "cap_share_of_total": "占总投入比例上限"},
           "editable": policy_versions.EDITABLE, "errors": errors or {}, "values": values or {},
           "is_officer": actor.is_officer, "actor_id": actor.user_id}
    return render(request, "subsidies/policies.html", ctx, block="content", status_code=status_code)


@router.get("/subsidies/policies")
def policy_list(request: Request, session: SessionDep, actor: CurrentActor):
    """补助政策：条款原文、参数按日期的取值，以及延续版本（起草、批准）。"""
    return _policies_page(request, session, actor)


@router.post("/subsidies/policies")
def draft_policy_version(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep):
    bureau.require_officer(actor, "起草政策版本")
    values = subsidy_forms.policy_version(form)
    try:
        version = bureau.draft_version(session=session, actor=actor, data=parse(PolicyVersionIn, values))
    except DomainError as exc:
        errors, status = _refused(exc)
        return _policies_page(request, session, actor, errors=errors, values=values, status_code=status)
    return flash(htmx.redirect(request, f"/subsidies/policies#version-{version.id}"),
                 "政策版本草稿已保存，须由另一名工作人员批准后生效")


@router.post("/subsidies/policies/versions/{version_id}/approve")
def approve_policy_version(request: Request, version_id: int, session: SessionDep, actor: CurrentActor,
                           form: FormDep):
    bureau.require_officer(actor, "批准政策版本")
    try:
        bureau.approve_version(session=session, actor=actor, version_id=version_id)
    except DomainError as exc:
        return flash(htmx.redirect(request, f"/subsidies/policies#version-{version_id}"), exc.message, "error")
    return flash(htmx.redirect(request, f"/subsidies/policies#version-{version_id}"),
                 "政策版本已批准，按生效日期并入补助测算")


@router.get("/subsidies/pools.xlsx")
def pools_xlsx(session: SessionDep, actor: CurrentActor):
    bureau.require_officer(actor, "导出资金池预算")
    return download(exports.pools_book(session), filename="资金池预算.xlsx", media_type=MEDIA_TYPE,
                    fallback="subsidy-pools.xlsx")


@router.post("/subsidies/compute")
def compute(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep):
    """免申即享 on demand (the scheduler also runs it every tick)."""
    bureau.require_officer(actor, "发起测算")
    report = service.compute_all(session=session, actor=actor)
    message = (f"免申即享：新测算 {len(report.computed)} 项，追回 {len(report.clawed_back)} 项，"
               f"不予补助 {len(report.rejected)} 项" +
               (f"，{len(report.manual)} 项待人工决定" if report.manual else "") +
               (f"，{len(report.errors)} 项无法测算" if report.errors else ""))
    return flash(htmx.redirect(request, "/subsidies"), message, "error" if report.errors else "success")


@router.get("/subsidies/{subsidy_id}")
def detail(request: Request, subsidy_id: int, session: SessionDep, actor: CurrentActor):
    subsidy = queries.get(session=session, actor=actor, subsidy_id=subsidy_id)
    data = queries.detail(session, subsidy)
    actions = [a for a, _ in MACHINE.actions(state=subsidy.status, role=actor.role)
               if a not in ("disburse", "disburse_final", "clawback")]
    policy_step = next((s for s in subsidy.result.get("trace", []) if s.get("step") == "policy"), {})
    name = queries.policy_name(subsidy.policy_code)
    ctx = {"s": data, "subsidy": subsidy, "actions": actions, "policy": policy_step, "labels": STATUS_LABELS,
           "policy_title": queries.policy_title(subsidy.policy_code, policy_step),
           "explanation": display.plain(subsidy.explanation, subsidy.policy_code),
           "trace": display.trace_lines(subsidy.result), "inputs": display.inputs(subsidy.case, data["beneficiary"]),
           "trigger": display.trigger, "memo": lambda text: display.memo(text, name),
           "may_approve": service.may_approve(subsidy, actor)[0], "form_token": new_form_token(),
           "format_yuan": format_yuan}
    return render(request, "subsidies/detail.html", ctx, block="content")


@router.get("/subsidies/{subsidy_id}/calculation.xlsx")
def calculation_xlsx(subsidy_id: int, session: SessionDep, actor: CurrentActor):
    subsidy = queries.get(session=session, actor=actor, subsidy_id=subsidy_id)
    return download(exports.calculation_book(session, subsidy), filename=f"补助测算表-{subsidy.id}.xlsx",
                    media_type=MEDIA_TYPE, fallback=f"subsidy-{subsidy.id}.xlsx")


def _back(request: Request, subsidy_id: int, message: str, kind: str = "success"):
    return flash(htmx.redirect(request, f"/subsidies/{subsidy_id}"), message, kind)


@router.post("/subsidies/{subsidy_id}/decide")
def decide(request: Request, subsidy_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """check / approve / override_approve / reject from the detail page's forms."""
    queries.get(session=session, actor=actor, subsidy_id=subsidy_id)
    action, reason = subsidy_forms.decision(form)
    commands = {
        "check": lambda: service.check(session=session, actor=actor, subsidy_id=subsidy_id, note=reason),
        "approve": lambda: service.approve(session=session, actor=actor, subsidy_id=subsidy_id),
        "override_approve": lambda: service.override_approve(session=session, actor=actor,
                                                             subsidy_id=subsidy_id, reason=reason),
        "reject": lambda: service.reject(session=session, actor=actor, subsidy_id=subsidy_id, reason=reason),
    }
    if action not in commands:
        return _back(request, subsidy_id, "未知操作", "error")
    try:
        commands[action]()
    except DomainError as exc:
        return _back(request, subsidy_id, exc.message, "error")
    return _back(request, subsidy_id, DONE[action])


@router.post("/subsidies/{subsidy_id}/manual")
def decide_manual(request: Request, subsidy_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """An officer's decision on a failed contract's paid subsidy: waive or claw back anyway (reason)."""
    queries.get(session=session, actor=actor, subsidy_id=subsidy_id)
    decision, reason = subsidy_forms.manual_decision(form)
    try:
        service.decide_manual(session=session, actor=actor, subsidy_id=subsidy_id, decision=decision, reason=reason)
    except DomainError as exc:
        return _back(request, subsidy_id, exc.message, "error")
    return _back(request, subsidy_id, f"已记录决定：{service.DECISIONS[decision]}")


DONE = {"check": "已复核，待另一名工作人员批准", "approve": "已批准，进入公示并按期拨付",
        "override_approve": "已越权批准（理由已记入审计日志）", "reject": "已记为不予补助"}


@router.post("/subsidies/{subsidy_id}/disburse")
def disburse(request: Request, subsidy_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """One installment; the form's one-time token is the idempotency key (a double submit pays once)."""
    queries.get(session=session, actor=actor, subsidy_id=subsidy_id)
    submitted = subsidy_forms.disbursement(form)
    if submitted is None:
        return _back(request, subsidy_id, "表单已失效，请刷新页面后重试", "error")
    token, installment = submitted
    try:
        paid = service.disburse(session=session, actor=actor, subsidy_id=subsidy_id, installment=installment,
                                key=f"web:{subsidy_id}:{installment}:{token[:120]}")
    except DomainError as exc:
        return _back(request, subsidy_id, exc.message, "error")
    d = paid.disbursement
    if paid.replayed:
        return _back(request, subsidy_id, f"第 {d.installment} 期已拨付过（同一表单重复提交），未重复拨付", "info")
    return _back(request, subsidy_id, f"第 {d.installment} 期 {format_yuan(d.amount_fen)} 已拨付")
