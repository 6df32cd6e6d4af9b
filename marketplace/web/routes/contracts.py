"""Contract pages (任务书): list, drafting from an award, the contract page with every step's form,
the printable text, and downloads of evidence and vouchers. Rules live in marketplace/contracts."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from marketplace.actor import Actor
from marketplace.awards import queries as award_queries
from marketplace.challenges import queries as challenge_queries
from marketplace.contracts import permissions, progress, queries, service, states
from marketplace.contracts.models import (
    CONTRACT_STATUS_LABELS,
    MILESTONE_LABELS,
    PARTY_LABELS,
    PAYMENT_LABELS,
    VERDICT_LABELS,
)
from marketplace.contracts.schemas import (
    AcceptanceIn,
    AmendmentIn,
    ConcludeIn,
    ContractIn,
    MidtermIn,
    PaymentIn,
    ReportDecisionIn,
    ReportIn,
    VoteIn,
)
from marketplace.errors import NotFound, RuleViolation
from marketplace.validation import parse
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, SessionDep
from marketplace.web.downloads import file_download
from marketplace.web.forms import FormDep
from marketplace.web.forms import contracts as contract_forms
from marketplace.web.idempotent import form_once
from marketplace.web.templating import render, templates

router = APIRouter(include_in_schema=False)
public_router = APIRouter(include_in_schema=False)  # nothing about contracts is public

templates.env.filters.update(
    contract_status=lambda s: CONTRACT_STATUS_LABELS.get(s, s or ""),
    milestone_status=lambda s: MILESTONE_LABELS.get(s, s or ""),
    payment_status=lambda s: PAYMENT_LABELS.get(s, s or ""),
    verdict_label=lambda s: {**VERDICT_LABELS, "terminated": "中期检查终止"}.get(s, "" if not s else "其他"),
    party_label=lambda s: PARTY_LABELS.get(s, PARTY_LABELS.get(str(s).split(":")[0], s or "")),
)


def _blank(value: object) -> object:
    return None if value in ("", None) else value


def _storage(request: Request) -> dict:
    settings = request.app.state.settings
    return {"uploads_dir": settings.uploads_dir, "max_bytes": settings.upload_max_bytes}


# —— reads ——————————————————————————————————————————————————————————————————————


@router.get("/contracts")
def contract_list(request: Request, session: SessionDep, actor: CurrentActor):
    """The actor's contracts (parties), the panel's (experts) or all (officers)."""
    status = request.query_params.get("status") or None
    rows = queries.visible(session=session, actor=actor, status=status if status in CONTRACT_STATUS_LABELS else None)
    return render(request, "contracts/list.html", {
        "contracts": rows, "status": status, "labels": CONTRACT_STATUS_LABELS,
        "awaiting": queries.awaiting_contract(session=session, actor=actor)}, block="content")


def page_context(session: Session, actor: Actor, contract_id: int) -> dict:
    """The contract with what this actor may do now (each a domain predicate's answer)."""
    d = queries.detail(session=session, actor=actor, contract_id=contract_id)
    c = d.contract
    party = queries.party_of(session=session, actor=actor, contract=c)
    signed = {s.party for s in d.signatures if s.revision == c.revision}
    acceptance = d.acceptances[-1] if d.acceptances else None
    member = queries.panel_member(session, actor, acceptance)
    voted = any(v.user_id == actor.user_id for v in d.votes)
    open_acceptance = acceptance is not None and acceptance.verdict is None
    tally = service.tally(session, c, acceptance) if open_acceptance else ({}, [])
    pool = []
    if permissions.can_manage_panel(actor, c)[0]:
        pool = queries.expert_pool(session=session, exclude={p.expert_id for p in d.panel})
    return {
        "d": d, "c": c, "party": party, "signed": signed,
        "indicators": service.indicators_of(session, c),
        "acceptance": acceptance, "member": member, "tally": tally[0], "missing": tally[1], "pool": pool,
        "can": {
            "sign": permissions.can_sign(actor, c, party=party, signed=signed),
            "amend": permissions.can_amend(actor, c),
            "pay": permissions.can_record_payment(actor, c),
            "midterm": permissions.can_midterm(actor, c),
            "request_acceptance": permissions.can_request_acceptance(actor, c, d.milestones),
            "panel": permissions.can_manage_panel(actor, c) if open_acceptance else (False, ""),
            "vote": permissions.can_vote(actor, c, panel_member=member is not None and not member.recused,
                                         voted=voted) if open_acceptance else (False, ""),
            "conclude": permissions.can_conclude(actor, c) if open_acceptance else (False, ""),
            "report": {m.id: permissions.can_report(actor, c, m) for m in d.milestones},
            "decide": {m.id: permissions.can_decide_report(actor, c, m) for m in d.milestones},
            "confirm": {p.id: permissions.can_confirm_payment(actor, c, p) for p in d.payments},
            "check": {p.id: permissions.can_check_payment(actor, p) for p in d.payments},
        },
        "actions": states.CONTRACT.actions(state=c.status, role=actor.role),
        "progress_side": progress.side_of(actor, c), "progress_consents": progress.consents(session, c.id),
        "errors": {}, "values": {}, "form": "",
    }


@router.get("/contracts/{contract_id:int}")
def contract_page(request: Request, contract_id: int, session: SessionDep, actor: CurrentActor):
    return render(request, "contracts/detail.html", page_context(session, actor, contract_id), block="content")


@router.get("/contracts/{contract_id:int}/print")
def contract_print(request: Request, contract_id: int, session: SessionDep, actor: CurrentActor):
    """The 任务书 as a printable page (print styles; the browser prints or saves it as PDF)."""
    return render(request, "contracts/print.html", page_context(session, actor, contract_id))


@router.get("/contract-files/{file_id:int}")
def contract_file(file_id: int, session: SessionDep, actor: CurrentActor, request: Request):
    row = queries.open_file(session=session, actor=actor, file_id=file_id)
    path = request.app.state.settings.uploads_dir / row.storage_key
    if not path.exists():
        raise NotFound("文件缺失，请联系管理员")
    return file_download(path, filename=row.filename, media_type=row.content_type)


# —— writes —————————————————————————————————————————————————————————————————————


def _act(request: Request, session: Session, actor: Actor, contract_id: int, form_name: str, values: dict,
         message: str, run: Callable[[], object], *, anchor: str = "") -> Response:
    """Run one command; bad input re-renders the contract page (422) with the form as typed."""
    try:
        run()
    except RuleViolation as exc:
        ctx = page_context(session, actor, contract_id)
        ctx.update(errors=exc.fields or {"__all__": exc.message}, error=exc.message, values=values, form=form_name)
        return render(request, "contracts/detail.html", ctx, status_code=422)
    return flash(htmx.redirect(request, f"/contracts/{contract_id}{anchor}"), message)


@router.get("/challenges/{challenge_id:int}/contract/new")
def new_contract(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    permission = permissions.can_create(actor, challenge_status=challenge.status,
                                        owner=actor.organisation_id == challenge.organisation_id)
    decision = award_queries.current_decision(session=session, challenge_id=challenge.id) \
        if challenge.status == "awarded" else None
    return render(request, "contracts/new.html", {"challenge": challenge, "permission": permission,
                                                  "decision": decision, "errors": {}, "values": {},
                                                  "today": service.today(), "policies": _policy_options()})


@router.post("/challenges/{challenge_id:int}/contract")
def create_contract(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    values, data = contract_forms.contract(form)
    try:
        contract = service.create(session=session, actor=actor, challenge_id=challenge_id, data=parse(ContractIn, data))
    except RuleViolation as exc:
        challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
        decision = award_queries.current_decision(session=session, challenge_id=challenge.id)
        ctx = {"challenge": challenge, "permission": (True, ""), "decision": decision, "errors": exc.fields,
               "error": exc.message, "values": values, "today": service.today(), "policies": _policy_options()}
        return render(request, "contracts/new.html", ctx, status_code=422)
    return flash(htmx.redirect(request, f"/contracts/{contract.id}"), "任务书已生成，等待各方签署")


@router.post("/contracts/{contract_id:int}/sign")
def sign(request: Request, contract_id: int, session: SessionDep, actor: CurrentActor):
    service.sign(session=session, actor=actor, contract_id=contract_id)
    return flash(htmx.redirect(request, f"/contracts/{contract_id}"), "已签署")


@router.post("/contracts/{contract_id:int}/amendments")
def amend(request: Request, contract_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    values, data = contract_forms.amendment(form)
    return _act(request, session, actor, contract_id, "amend", values, "变更已提出，等待各方签署",
                lambda: service.propose_amendment(session=session, actor=actor, contract_id=contract_id,
                                                  data=parse(AmendmentIn, data)))


@router.post("/milestones/{milestone_id:int}/report")
async def report(request: Request, milestone_id: int, session: SessionDep, actor: CurrentActor):
    form, uploads = await contract_forms.uploads(request)
    milestone = queries.get_milestone(session=session, actor=actor, milestone_id=milestone_id)
    values = {"summary": contract_forms.field(form, "summary")}
    return _act(request, session, actor, milestone.contract_id, f"report-{milestone_id}", values,
                "里程碑报告已提交，等待企业确认",
                lambda: service.report_milestone(session=session, actor=actor, milestone_id=milestone_id,
                                                 data=parse(ReportIn, values), uploads=uploads, **_storage(request)),
                anchor="#milestones")


@router.post("/milestones/{milestone_id:int}/decision")
def decide(request: Request, milestone_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    milestone = queries.get_milestone(session=session, actor=actor, milestone_id=milestone_id)
    values = {"note": contract_forms.field(form, "note"), "confirm": contract_forms.decision(form, "") == "confirm"}
    return _act(request, session, actor, milestone.contract_id, f"decide-{milestone_id}", values,
                "已确认里程碑" if values["confirm"] else "已退回里程碑报告",
                lambda: service.decide_report(session=session, actor=actor, milestone_id=milestone_id,
                                              data=parse(ReportDecisionIn, values)), anchor="#milestones")


@router.post("/contracts/{contract_id:int}/midterm")
def midterm(request: Request, contract_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    values = contract_forms.fields(form, "decision", "note", "rectify_by")
    data = {**values, "rectify_by": _blank(values["rectify_by"])}
    return _act(request, session, actor, contract_id, "midterm", values, "中期检查结论已记录",
                lambda: service.midterm(session=session, actor=actor, contract_id=contract_id,
                                        data=parse(MidtermIn, data)))


@router.post("/contracts/{contract_id:int}/payments")
async def record_payment(request: Request, contract_id: int, session: SessionDep, actor: CurrentActor):
    form, uploads = await contract_forms.uploads(request)
    values = contract_forms.fields(form, "amount_yuan", "paid_on", "note")

    def work() -> tuple[str, Response]:
        if not uploads:
            ctx = page_context(session, actor, contract_id)
            ctx.update(errors={"file": "请上传付款凭证"}, error="请上传付款凭证", values=values, form="pay")
            return f"/contracts/{contract_id}", render(request, "contracts/detail.html", ctx, status_code=422)
        response = _act(request, session, actor, contract_id, "pay", values, "付款已登记，等待团队确认到账",
                        lambda: service.record_payment(session=session, actor=actor, contract_id=contract_id,
                                                       data=parse(PaymentIn, {**values, "paid_on": _blank(
                                                           values["paid_on"])}), voucher=uploads[0],
                                                       **_storage(request)), anchor="#payments")
        return f"/contracts/{contract_id}#payments", response

    return form_once(request, session, actor, form, work, waiting=f"/contracts/{contract_id}")


@router.post("/payments/{payment_id:int}/confirm")
def confirm_payment(request: Request, payment_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    payment = queries.get_payment(session=session, actor=actor, payment_id=payment_id)
    received = contract_forms.decision(form, "received") == "received"
    values = {"reason": contract_forms.field(form, "reason")}
    return _act(request, session, actor, payment.contract_id, f"confirm-{payment_id}", values,
                "已确认到账" if received else "已告知企业未收到款项",
                lambda: service.confirm_payment(session=session, actor=actor, payment_id=payment_id,
                                                received=received, reason=values["reason"]), anchor="#payments")


@router.post("/payments/{payment_id:int}/check")
def check_payment(request: Request, payment_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    payment = queries.get_payment(session=session, actor=actor, payment_id=payment_id)
    approve = contract_forms.decision(form, "approve") == "approve"
    values = {"reason": contract_forms.field(form, "reason")}
    return _act(request, session, actor, payment.contract_id, f"check-{payment_id}", values,
                "付款已核验，计入企业投入资金" if approve else "已记录核验不通过",
                lambda: service.check_payment(session=session, actor=actor, payment_id=payment_id, approve=approve,
                                              reason=values["reason"]), anchor="#payments")


@router.post("/contracts/{contract_id:int}/acceptance")
async def request_acceptance(request: Request, contract_id: int, session: SessionDep, actor: CurrentActor):
    form, uploads = await contract_forms.uploads(request)
    contract = queries.get_for(session=session, actor=actor, contract_id=contract_id)
    names = [i.get("name", "") for i in service.indicators_of(session, contract)]
    values = {f"measured-{n}": contract_forms.field(form, f"measured-{n}") for n in range(len(names))}
    values |= {f"evidence-{n}": contract_forms.field(form, f"evidence-{n}") for n in range(len(names))}
    measurements = {name: {"measured": values[f"measured-{n}"], "evidence": values[f"evidence-{n}"]}
                    for n, name in enumerate(names) if values[f"measured-{n}"]}
    return _act(request, session, actor, contract_id, "acceptance", values, "验收申请已提交",
                lambda: service.request_acceptance(session=session, actor=actor, contract_id=contract_id,
                                                   data=parse(AcceptanceIn, {"measurements": measurements}),
                                                   uploads=uploads, **_storage(request)), anchor="#acceptance")


@router.post("/contracts/{contract_id:int}/panel")
def add_expert(request: Request, contract_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    expert_id = contract_forms.field(form, "expert_id")
    if not expert_id.isdigit():
        raise RuleViolation("请选择专家", fields={"expert_id": "请选择专家"})
    service.add_panel_expert(session=session, actor=actor, contract_id=contract_id, expert_id=int(expert_id))
    return flash(htmx.redirect(request, f"/contracts/{contract_id}#acceptance"), "已加入验收专家组")


@router.post("/contracts/{contract_id:int}/recuse")
def recuse(request: Request, contract_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    values = {"statement": contract_forms.field(form, "statement")}
    return _act(request, session, actor, contract_id, "recuse", values, "已申报回避",
                lambda: service.recuse(session=session, actor=actor, contract_id=contract_id,
                                       statement=values["statement"]), anchor="#acceptance")


@router.post("/contracts/{contract_id:int}/vote")
def vote(request: Request, contract_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    contract = queries.get_for(session=session, actor=actor, contract_id=contract_id)
    names = [i.get("name", "") for i in service.indicators_of(session, contract)]
    values = {f"result-{n}": contract_forms.field(form, f"result-{n}") for n in range(len(names))}
    values["comment"] = contract_forms.field(form, "comment")
    results = {name: values[f"result-{n}"] == "pass" for n, name in enumerate(names) if values[f"result-{n}"]}
    return _act(request, session, actor, contract_id, "vote", values, "验收意见已提交",
                lambda: service.vote(session=session, actor=actor, contract_id=contract_id,
                                     data=parse(VoteIn, {"results": results, "comment": values["comment"]})),
                anchor="#acceptance")


@router.post("/contracts/{contract_id:int}/conclude")
def conclude(request: Request, contract_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    values = contract_forms.fields(form, "rectify", "rectify_by", "reason")
    data = {"rectify": values["rectify"] == "on", "rectify_by": _blank(values["rectify_by"]),
            "reason": values["reason"]}
    return _act(request, session, actor, contract_id, "conclude", values, "验收结论已作出",
                lambda: service.conclude(session=session, actor=actor, contract_id=contract_id,
                                         data=parse(ConcludeIn, data)), anchor="#acceptance")


def _policy_options() -> list[tuple[str, str]]:
    """Policies a contract's subsidy may follow (ratio of the company's invested funds, after
    acceptance), by Chinese name; the code is only the option's value."""
    from marketplace.subsidies import service as subsidies

    loaded, _ = subsidies.policies()
    return [(code, f"{p.name}（{p.effective_from} 起{'至 ' + str(p.effective_to) if p.effective_to else ''}）")
            for code, p in sorted(loaded.items())
            if p.requires_acceptance and p.base_field == "enterprise_invested_funds"]
