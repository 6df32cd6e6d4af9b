"""Pages of the decision and 公示: ranked shortlist, company opinion, decision, publication, objections,
feedback, and the public /announcements. Every rule lives in marketplace/awards and marketplace/reviews.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from marketplace.accounts.models import Organisation
from marketplace.awards import queries, service
from marketplace.awards.models import OBJECTION_LABELS, Announcement, AwardDecision
from marketplace.bids.models import BidStatus
from marketplace.challenges import permissions
from marketplace.challenges import queries as challenge_queries
from marketplace.challenges.models import Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import utcnow
from marketplace.credit import service as credit
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.reviews import calendar
from marketplace.reviews import queries as review_queries
from marketplace.reviews import service as review_service
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, OfficerOnly, OptionalActor, SessionDep
from marketplace.web.forms import FormDep
from marketplace.web.forms import awards as award_forms
from marketplace.web.idempotent import form_once
from marketplace.web.templating import render

router = APIRouter(include_in_schema=False)          # logged in
public_router = APIRouter(include_in_schema=False)   # the 公示 is public

REOPEN_LABELS = {"in_review": "退回专家评审（撤销原决定）", "decided": "退回重新决定（保留评审结果）"}


# ---------------------------------------------------------------- officer: decision
def _decision_ctx(session, actor, challenge: Challenge, values: dict | None = None,  # noqa: ANN001
                  errors: dict | None = None, error: str = "") -> dict:
    ranking = review_service.ranking(session=session, actor=actor, challenge_id=challenge.id)
    bids = queries.decision_bids(session=session, challenge_id=challenge.id)
    opinions = queries.opinions(session=session, challenge_id=challenge.id)
    try:
        current = queries.current_decision(session=session, challenge_id=challenge.id)
    except NotFound:
        current = None
    try:
        progress = review_service.progress(session=session, actor=actor, challenge_id=challenge.id)
    except NotFound:
        progress = None
    try:
        _, no_award = queries.no_award(session=session, actor=actor, challenge_id=challenge.id)
    except NotFound:
        no_award = None
    return {"no_award": no_award,
            "challenge": challenge, "ranking": ranking, "labels": review_queries.bid_labels(session=session, bids=bids),
            "unranked": [b for b in bids if b.status == BidStatus.QUALIFIED
                         and b.id not in {r.bid_id for r in ranking}],
            "opinions": opinions, "current": current, "progress": progress, "values": values or {},
            "errors": errors or {}, "error": error, "bid_orgs": {b.id: b.organisation_id for b in bids},
            "credit": credit.memories(session=session, actor=actor,
                                      organisation_ids={b.organisation_id for b in bids})}


@router.get("/officer/challenges/{challenge_id}/decision", dependencies=[OfficerOnly])
def decision_page(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    """The ranked list with scores and spread warnings, the company's opinion, decide or declare no award."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if challenge.status not in (S.IN_REVIEW, S.DECIDED, S.ANNOUNCED, S.AWARDED, S.NO_AWARD):
        raise NotFound("该榜单尚未进入专家评审")
    return render(request, "awards/decision.html", _decision_ctx(session, actor, challenge), block="content")


@router.post("/officer/challenges/{challenge_id}/decision", dependencies=[OfficerOnly])
def decision_save(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Record the decision, exactly once (a second one is 409)."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    winners, reason = award_forms.decision(form)
    try:
        service.decide(session=session, actor=actor, challenge_id=challenge.id, winning_bid_ids=winners,
                       reason=reason)
    except RuleViolation as exc:
        ctx = _decision_ctx(session, actor, challenge, {"winning_bid_ids": winners, "reason": reason},
                            exc.fields, exc.message)
        return render(request, "awards/decision.html", ctx, block="content", status_code=422)
    return flash(htmx.redirect(request, f"/officer/challenges/{challenge.id}/decision"),
                 "决定已记录（尚未公开）。请在“发布公示”中与其他已决定的榜单一并公示。")


@router.post("/officer/challenges/{challenge_id}/no-award", dependencies=[OfficerOnly])
def no_award_save(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """No bid is good enough (无中选方案), with a reason; the company is told and may re-list."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    reason = award_forms.no_award_reason(form)
    try:
        service.declare_no_award(session=session, actor=actor, challenge_id=challenge.id, reason=reason)
    except RuleViolation as exc:
        errors = {"no_award_reason": exc.fields.get("reason", exc.message)}
        ctx = _decision_ctx(session, actor, challenge, {"no_award_reason": reason}, errors, exc.message)
        return render(request, "awards/decision.html", ctx, block="content", status_code=422)
    return flash(htmx.redirect(request, f"/officer/challenges/{challenge.id}/decision"), "已宣布无中选方案。")


@router.get("/challenges/{challenge_id}/no-award")
def no_award_page(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Why no bid was chosen: for the posting company, the bidding teams and officers (others 404)."""
    challenge, row = queries.no_award(session=session, actor=actor, challenge_id=challenge_id)
    return render(request, "awards/no_award.html", {"challenge": challenge, "row": row}, block="content")


# ---------------------------------------------------------------- officer: 公示
def _publish_ctx(session, values: dict | None = None, errors: dict | None = None, error: str = "") -> dict:  # noqa: ANN001
    rows = queries.decided_with_winners(session=session)
    decided = [c for c, _, _ in rows]
    preview = calendar.window(calendar.publication_date(utcnow()), calendar.DEFAULT_DAYS)
    labels = review_queries.bid_labels(session=session, bids=[b for *_, bids in rows for b in bids])
    winners = {c.id: (d, [labels[b.id] for b in bids]) for c, d, bids in rows}
    return {"decided": decided, "winners": winners, "preview": preview, "values": values or {"period_days": "5"},
            "errors": errors or {}, "error": error}


@router.get("/officer/announcements/new", dependencies=[OfficerOnly])
def publish_form(request: Request, session: SessionDep, actor: CurrentActor):
    """Choose decided results to publish together, with a 公示 period in working days."""
    return render(request, "awards/publish.html", _publish_ctx(session), block="content")


@router.post("/officer/announcements", dependencies=[OfficerOnly])
def publish_save(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Publish the batch: each challenge → `announced`, everyone involved told."""
    ids, days, title = award_forms.publication(form)
    values = {"challenge_ids": ids, "period_days": days, "title": title}
    try:
        batch = service.publish(session=session, actor=actor, challenge_ids=ids,
                                period_days=int(days) if days.isdigit() and len(days) < 6 else days, title=title)
    except RuleViolation as exc:
        errors = dict(exc.fields) or {"period_days": exc.message}
        return render(request, "awards/publish.html", _publish_ctx(session, values, errors, exc.message),
                      block="content", status_code=422)
    return flash(htmx.redirect(request, "/announcements"),
                 f"已发布公示，公示期至 {batch.ends_on.isoformat()}{'（暂定）' if batch.provisional else ''}。")


# ---------------------------------------------------------------- objections
@router.get("/objections")
def objections_page(request: Request, session: SessionDep, actor: CurrentActor):
    """Officers: every objection with an answer form; anyone else: their own, with the answers."""
    rows = queries.objections_for(session=session, actor=actor)
    titles = queries.challenge_titles(session=session, challenge_ids={o.challenge_id for o in rows})
    return render(request, "awards/objections.html",
                  {"rows": rows, "titles": titles, "labels": OBJECTION_LABELS, "reopen": REOPEN_LABELS,
                   "values": {}, "errors": {}, "error": "", "failed": None}, block="content")


@router.post("/objections/{objection_id}/answer", dependencies=[OfficerOnly])
def objection_answer(request: Request, objection_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Upheld (reopening the stage named) or dismissed; the objector is told."""
    outcome, answer = award_forms.objection_answer(form)
    try:
        if outcome not in ("dismissed", "in_review", "decided"):
            raise RuleViolation("请选择处理结果", fields={"outcome": "请选择异议成立（退回阶段）或不成立"})
        service.answer_objection(session=session, actor=actor, objection_id=objection_id,
                                 upheld=outcome != "dismissed", answer=answer,
                                 reopens="" if outcome == "dismissed" else outcome)
    except RuleViolation as exc:
        rows = queries.objections_for(session=session, actor=actor)
        titles = queries.challenge_titles(session=session, challenge_ids={o.challenge_id for o in rows})
        return render(request, "awards/objections.html",
                      {"rows": rows, "titles": titles, "labels": OBJECTION_LABELS, "reopen": REOPEN_LABELS,
                       "values": {"outcome": outcome, "answer": answer}, "errors": exc.fields,
                       "error": exc.message, "failed": objection_id}, block="content", status_code=422)
    return flash(htmx.redirect(request, "/objections"), "异议已答复，并已通知异议人。")


# ---------------------------------------------------------------- company and teams
@router.get("/challenges/{challenge_id}/shortlist")
def shortlist_page(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor,
                   values: dict | None = None, errors: dict | None = None, error: str = ""):
    """The ranked shortlist, order only (no scores, no comments), and the company's opinion form."""
    rows, opinions = queries.shortlist(session=session, actor=actor, challenge_id=challenge_id)
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    may_give = (challenge.status == S.IN_REVIEW and permissions.can_manage(actor, challenge)[0]
                and queries.current_round(session=session, challenge_id=challenge.id)
                not in {o.round for o in opinions})
    return render(request, "awards/shortlist.html",
                  {"challenge": challenge, "rows": rows, "opinions": opinions, "may_give": may_give,
                   "values": values or {}, "errors": errors or {}, "error": error}, block="content")


@router.post("/challenges/{challenge_id}/opinion")
def opinion_save(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """The company's opinion on the shortlist (once per round); scores are never changed."""
    preferred, text = award_forms.opinion(form)
    try:
        service.give_opinion(session=session, actor=actor, challenge_id=challenge_id, preferred_bid_ids=preferred,
                             opinion=text)
    except RuleViolation as exc:
        response = shortlist_page(request, challenge_id, session, actor, {"preferred_bid_ids": preferred,
                                                                          "opinion": text}, exc.fields, exc.message)
        response.status_code = 422
        return response
    return flash(htmx.redirect(request, f"/challenges/{challenge_id}/shortlist"), "意见已提交科技局。")


@router.get("/challenges/{challenge_id}/feedback")
def feedback_page(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    """A bidding team's result after the announcement: won or not, score band, rank of N, comments."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    try:
        fb = queries.feedback(session=session, actor=actor, challenge_id=challenge.id)
    except Conflict as exc:
        raise Forbidden(exc.message) from None
    return render(request, "awards/feedback.html", {"challenge": challenge, "fb": fb}, block="content")


# ---------------------------------------------------------------- public 公示
@public_router.get("/announcements")
def announcements_page(request: Request, session: SessionDep, actor: OptionalActor):
    """Every published result with its window (公示): challenge, winner, amount, end of the window."""
    results = queries.announcements(session=session)
    today = review_queries.today()
    return render(request, "awards/announcements.html", {"results": results, "today": today}, block="content")


def _result_ctx(session, actor, challenge_id: int, values: dict | None = None,  # noqa: ANN001
                errors: dict | None = None, error: str = "") -> dict:
    result = next((r for r in queries.announcements(session=session) if r.challenge_id == challenge_id), None)
    if result is None:
        raise NotFound("公示不存在")
    challenge = session.get(Challenge, challenge_id)
    batch = session.get(Announcement, result.announcement_id)
    item = queries.announcement_item(session=session, announcement_id=batch.id, challenge_id=challenge_id)
    decision = session.get(AwardDecision, item.decision_id)
    company = session.get(Organisation, challenge.organisation_id)
    received, qualified = queries.bid_counts(session=session, challenge_id=challenge_id)
    window_open = challenge.status == S.ANNOUNCED and queries.window_open(batch, utcnow())
    mine = [o for o in queries.objections_for(session=session, actor=actor) if o.challenge_id == challenge_id] \
        if not actor.is_anonymous else []
    return {"r": result, "challenge": challenge, "batch": batch, "decision": decision, "company": company,
            "received": received, "qualified": qualified, "window_open": window_open, "mine": mine,
            "labels": OBJECTION_LABELS, "values": values or {}, "errors": errors or {}, "error": error}


@public_router.get("/announcements/{challenge_id}")
def result_page(request: Request, challenge_id: int, session: SessionDep, actor: OptionalActor):
    """One published result; logged-in users may object during the window."""
    return render(request, "awards/result.html", _result_ctx(session, actor, challenge_id), block="content")


@router.post("/announcements/{challenge_id}/objections")
def objection_save(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Lodge an objection during the window; one per form (a double submit makes one)."""
    reasons = award_forms.objection_reasons(form)
    target = f"/announcements/{challenge_id}"

    def work():  # noqa: ANN202
        row = service.lodge_objection(session=session, actor=actor, challenge_id=challenge_id, reasons=reasons)
        return target, flash(htmx.redirect(request, f"{target}#objection-{row.id}"),
                             "异议已提交，科技局将在公示期内答复，答复结果可在“我的异议”中查看。")

    try:
        return form_once(request, session, actor, form, work, waiting=target)
    except RuleViolation as exc:
        ctx = _result_ctx(session, actor, challenge_id, {"reasons": reasons}, exc.fields, exc.message)
        return render(request, "awards/result.html", ctx, block="content", status_code=422)
