"""Bureau officer pages: organisation verification (单位认证)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from marketplace.accounts import queries as account_queries
from marketplace.accounts import service as accounts
from marketplace.accounts.models import REGION_LABELS
from marketplace.accounts.schemas import VerificationIn
from marketplace.audit import labels as audit_labels
from marketplace.audit import queries as audit_queries
from marketplace.audit.service import verify_chain
from marketplace.bids import queries as bid_queries
from marketplace.clock import utcnow
from marketplace.errors import RuleViolation
from marketplace.validation import parse
from marketplace.web import audit_view, htmx
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, OfficerOnly, SessionDep
from marketplace.web.forms import FormDep
from marketplace.web.forms import accounts as account_forms
from marketplace.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[OfficerOnly])


@router.get("/officer/organisations")
def organisations(request: Request, session: SessionDep, actor: CurrentActor):
    """Pending and verified organisations."""
    ctx = {"pending": account_queries.pending_organisations(session=session, actor=actor),
           "organisations": account_queries.all_organisations(session=session, actor=actor),
           "region_labels": REGION_LABELS}
    return render(request, "officer/organisations.html", ctx, block="content")


@router.post("/officer/organisations/{organisation_id}/verify")
def verify(request: Request, organisation_id: int, session: SessionDep, actor: CurrentActor,
           form: FormDep):
    """Approve or reject an organisation."""
    data = account_forms.verification(form)
    try:
        org = accounts.verify_organisation(session=session, actor=actor,
                                           organisation_id=organisation_id,
                                           data=parse(VerificationIn, data))
    except RuleViolation as exc:
        response = htmx.redirect(request, "/officer/organisations")
        return flash(response, exc.fields.get("__all__", exc.message), "error")
    label = "已认证" if data["approve"] else "已退回"
    return flash(htmx.redirect(request, "/officer/organisations"), f"{org.name}：{label}")


@router.get("/officer/audit")
def audit_log(request: Request, session: SessionDep, actor: CurrentActor, page: int = 1, action: str = "",
              verify: bool = False):
    """The audit log (审计日志), newest first; `verify=1` checks the whole hash chain."""
    page, action = max(1, min(page, 100_000)), action[:40]
    # Bid events follow the bids: sealed ones appear only as counts (no team, no hash) until they open.
    readable = {"bid": bid_queries.readable_ids(actor=actor, now=utcnow()),
                "bid_partner": bid_queries.readable_partner_ids(actor=actor, now=utcnow())}
    rows, total = audit_queries.recent(session=session, page=page, action=action, readable=readable)
    report = verify_chain(session=session) if verify else None
    ctx = {"events": list(zip(rows, audit_view.sentences(session, rows), strict=True)), "total": total,
           "page": page, "pages": max(1, -(-total // audit_queries.PAGE_SIZE)),
           "action": action, "report": report, "labels": audit_queries.ACTION_LABELS,
           "choices": audit_labels.choices(),
           "sealed": audit_queries.sealed_counts(session=session, readable=readable, action=action)}
    return render(request, "officer/audit.html", ctx, block="content")
