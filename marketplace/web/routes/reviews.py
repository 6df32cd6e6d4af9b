"""Pages of the expert review (专家评审): officers build panels, experts declare and score, the pool.

Thin: every rule lives in marketplace/reviews (service, queries, pool); these handlers read the form,
call one command and re-render the form with Chinese field errors on bad input (nothing written).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from marketplace.bids.models import Bid
from marketplace.challenges import queries as challenge_queries
from marketplace.challenges.models import STATUS_LABELS, Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import to_shanghai
from marketplace.credit import service as credit
from marketplace.errors import NotFound, RuleViolation
from marketplace.reviews import facts, hearings, pool, queries, scoring, service, similarity
from marketplace.reviews.models import TIER_LABELS, ReviewAssignment
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, OfficerOnly, SessionDep
from marketplace.web.forms import FormDep
from marketplace.web.forms import reviews as review_forms
from marketplace.web.forms.reviews import MAX_CRITERIA
from marketplace.web.templating import render

router = APIRouter(include_in_schema=False)

REVIEW_LISTING = (S.CLOSED, S.IN_REVIEW, S.DECIDED, S.ANNOUNCED, S.AWARDED, S.NO_AWARD)
COI_LABELS = {"automatic": "自动回避", "declared": "专家申报（待处理）", "declared_waived": "申报已豁免"}


def expert_names(session, ids) -> dict[int, str]:  # noqa: ANN001
    """Expert id → "name（title，organisation）" for officers."""
    return queries.expert_labels(session=session, expert_ids=ids)


def bid_labels(session, bids) -> dict[int, str]:  # noqa: ANN001
    """Bid id → "team（organisation）" for officers."""
    return queries.bid_labels(session=session, bids=bids)


# ---------------------------------------------------------------- officer: listing by review state
@router.get("/officer/reviews", dependencies=[OfficerOnly])
def officer_reviews(request: Request, session: SessionDep, actor: CurrentActor, status: str = S.IN_REVIEW):
    """Challenges by review state (截止 → 评审 → 决定 → 公示 → 确定 / 无中选), with counts per state."""
    if status not in REVIEW_LISTING:
        status = S.IN_REVIEW
    counts = queries.status_counts(session=session, statuses=REVIEW_LISTING)
    rows = queries.challenges_in(session=session, status=status)
    orgs = queries.organisation_names(session=session, ids={c.organisation_id for c in rows})
    bids = queries.qualified_counts(session=session, challenge_ids=[c.id for c in rows])
    return render(request, "reviews/officer_list.html",
                  {"status": status, "states": REVIEW_LISTING, "labels": STATUS_LABELS, "counts": counts,
                   "challenges": rows, "orgs": orgs, "qualified": bids}, block="content")


# ---------------------------------------------------------------- officer: the panel
def _panel_ctx(session, actor, challenge: Challenge, values: dict | None = None,  # noqa: ANN001
               errors: dict | None = None, error: str = "") -> dict:
    ctx: dict = {"challenge": challenge, "values": values or {}, "errors": errors or {}, "error": error,
                 "default_criteria": [(c.name, str(c.weight)) for c in scoring.DEFAULT_SCORECARD.criteria],
                 "max_criteria": MAX_CRITERIA, "panel": None}
    bids = queries.qualified_bids(session=session, challenge_id=challenge.id)
    ctx["bids"], ctx["bid_labels"] = bids, bid_labels(session, bids)
    ctx["credit"] = credit.memories(session=session, actor=actor, organisation_ids={b.organisation_id for b in bids})
    if challenge.status == S.CLOSED:
        return ctx
    try:
        panel = queries.panel_of(session=session, challenge_id=challenge.id)
    except NotFound:
        return ctx
    rows = queries.panel_assignments(session=session, panel_id=panel.id)
    sheets = queries.sheets_by_assignment(session=session, assignment_ids=[a.id for a in rows])
    decl, _ = facts.declarations(session, [b.id for b in bids])
    in_review = challenge.status == S.IN_REVIEW
    suggestions = service.suggestions(session=session, actor=actor, challenge_id=challenge.id,
                                      per_bid=6) if in_review else []
    conflicts = service.conflicts(session=session, actor=actor, challenge_id=challenge.id)
    progress = service.progress(session=session, actor=actor, challenge_id=challenge.id)
    active_pairs = {(a.bid_id, a.expert_id) for a in rows}
    pool_ids = pool.active_expert_ids(session)
    names = expert_names(session, {a.expert_id for a in rows} | {s.expert_id for s in suggestions}
                         | {c.expert_id for c in conflicts} | set(pool_ids))
    blocked = {(c.bid_id, c.expert_id) for c in conflicts if c.kind != "declared_waived"}
    ctx.update(panel=panel, assignments=rows, sheets=sheets, declarations=decl, progress=progress,
               suggestions=[s for s in suggestions if (s.bid_id, s.expert_id) not in active_pairs],
               conflicts=conflicts, names=names, coi_labels=COI_LABELS, in_review=in_review,
               choices={b.id: [(e, names.get(e, f"专家 #{e}")) for e in pool_ids
                               if (b.id, e) not in blocked and (b.id, e) not in active_pairs] for b in bids},
               due_local=to_shanghai(panel.due_at) if panel.due_at else None)
    return ctx


@router.get("/officer/challenges/{challenge_id}/panel", dependencies=[OfficerOnly])
def panel_page(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Start the review (scorecard, sizes, blind) or manage the panel: suggestions, conflicts, progress."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if challenge.status not in REVIEW_LISTING:
        raise NotFound("该榜单尚未截止，不能组建评审组")
    return render(request, "reviews/panel.html", _panel_ctx(session, actor, challenge), block="content")


@router.post("/officer/challenges/{challenge_id}/panel", dependencies=[OfficerOnly])
def panel_start(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Create the panel and its scorecard: `closed` → `in_review`."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    spec, values, errors = review_forms.panel_spec(form)
    try:
        if errors:
            raise RuleViolation("；".join(errors.values()), fields=errors)
        service.start_review(session=session, actor=actor, challenge_id=challenge.id, spec=spec)
    except RuleViolation as exc:
        ctx = _panel_ctx(session, actor, challenge, values, exc.fields, exc.message)
        return render(request, "reviews/panel.html", ctx, block="content", status_code=422)
    return flash(htmx.redirect(request, f"/officer/challenges/{challenge.id}/panel"),
                 "评审组已组建，榜单进入专家评审阶段。请分配评审专家。")


@router.post("/officer/challenges/{challenge_id}/panel/auto", dependencies=[OfficerOnly])
def panel_auto(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Assign every bid its reviewers from the suggestions (conflict-free, load-limited, best total)."""
    try:
        result = service.auto_assign(session=session, actor=actor, challenge_id=challenge_id)
    except RuleViolation as exc:
        return flash(htmx.redirect(request, f"/officer/challenges/{challenge_id}/panel"), exc.message, "error")
    n = sum(len(p) for p in result.panels.values())
    return flash(htmx.redirect(request, f"/officer/challenges/{challenge_id}/panel"),
                 f"已自动分配 {n} 个评审任务，并通知相关专家。")


@router.post("/officer/challenges/{challenge_id}/panel/assign", dependencies=[OfficerOnly])
def panel_assign(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Assign one expert to one bid by hand (a conflicted expert is refused with the reasons)."""
    errors: dict[str, str] = {}
    bid_id = review_forms.int_field(form, "bid_id", "方案", errors)
    expert_id = review_forms.int_field(form, "expert_id", "专家", errors)
    target = f"/officer/challenges/{challenge_id}/panel"
    try:
        if errors:
            raise RuleViolation("请选择方案和专家", fields=errors)
        service.assign(session=session, actor=actor, challenge_id=challenge_id, bid_id=bid_id, expert_id=expert_id)
    except RuleViolation as exc:
        challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
        ctx = _panel_ctx(session, actor, challenge, {}, exc.fields, exc.message)
        return render(request, "reviews/panel.html", ctx, block="content", status_code=422)
    return flash(htmx.redirect(request, target + f"#bid-{bid_id}"), "已分配评审专家并通知本人。")


@router.post("/officer/review/assignments/{assignment_id}/replace", dependencies=[OfficerOnly])
def panel_replace(request: Request, assignment_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Withdraw an expert from a bid with a reason and, if chosen, assign another one."""
    old = session.get(ReviewAssignment, assignment_id)
    if old is None:
        raise NotFound("评审分配不存在")
    bid = session.get(Bid, old.bid_id)
    errors: dict[str, str] = {}
    expert_id = review_forms.replacement_expert(form, errors)
    try:
        if errors:
            raise RuleViolation("请选择替换专家", fields=errors)
        service.replace(session=session, actor=actor, assignment_id=assignment_id, expert_id=expert_id,
                        reason=review_forms.text(form, "reason"))
    except RuleViolation as exc:
        challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=bid.challenge_id)
        ctx = _panel_ctx(session, actor, challenge, {"replace": assignment_id}, exc.fields, exc.message)
        return render(request, "reviews/panel.html", ctx, block="content", status_code=422)
    message = "已撤换专家并通知新专家。" if expert_id else "已撤回该专家的评审任务。"
    return flash(htmx.redirect(request, f"/officer/challenges/{bid.challenge_id}/panel#bid-{bid.id}"), message)


@router.post("/officer/review/bids/{bid_id}/waiver", dependencies=[OfficerOnly])
def panel_waive(request: Request, bid_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Waive a declared (never an automatic) conflict with a written reason; audited."""
    bid = session.get(Bid, bid_id)
    if bid is None:
        raise NotFound("揭榜方案不存在")
    errors: dict[str, str] = {}
    expert_id = review_forms.int_field(form, "expert_id", "专家", errors)
    try:
        if errors:
            raise RuleViolation("请选择专家", fields=errors)
        service.waive(session=session, actor=actor, bid_id=bid_id, expert_id=expert_id,
                      reason=review_forms.text(form, "reason"))
    except RuleViolation as exc:
        challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=bid.challenge_id)
        ctx = _panel_ctx(session, actor, challenge, {"waive": f"{bid_id}-{expert_id}"}, exc.fields, exc.message)
        return render(request, "reviews/panel.html", ctx, block="content", status_code=422)
    return flash(htmx.redirect(request, f"/officer/challenges/{bid.challenge_id}/panel#bid-{bid.id}"),
                 "已豁免该申报的利益冲突，理由已记入审计日志。")


# ---------------------------------------------------------------- expert
@router.get("/review")
def my_reviews(request: Request, session: SessionDep, actor: CurrentActor):
    """The expert's review tasks: declare, open, score (评审任务)."""
    rows = queries.my_assignments(session=session, actor=actor)
    panels = {}
    for _a, c, _, _ in rows:
        if c.id not in panels:
            panels[c.id] = queries.panel_of(session=session, challenge_id=c.id)
    return render(request, "reviews/mine.html", {"rows": rows, "panels": panels}, block="content")


def _bid_ctx(session, actor, bid_id: int, values: dict | None = None, errors: dict | None = None,  # noqa: ANN001
             error: str = "") -> dict:
    a, bid, challenge = queries.assignment_of(session=session, actor=actor, bid_id=bid_id)
    panel = queries.panel_of(session=session, challenge_id=challenge.id)
    decl = queries.declaration(session=session, bid_id=bid.id, expert_id=a.expert_id)
    ctx: dict = {"assignment": a, "challenge": challenge, "panel": panel, "declaration": decl, "bid": None,
                 "values": values or {}, "errors": errors or {}, "error": error, "sheet": None, "others": [],
                 "card": queries.card_of(panel)}
    if decl is None:
        return ctx
    assessment = queries.assessment(session=session, challenge=challenge, bid=bid, expert_id=a.expert_id)
    ctx["assessment"] = assessment
    if not assessment.may_open:
        return ctx
    opened = queries.bid_for_expert(session=session, actor=actor, bid_id=bid.id)
    ctx["bid"], ctx["blind"] = opened.bid, opened.blind
    if not opened.blind:
        ctx["bid_label"] = bid_labels(session, [opened.bid])[opened.bid.id]
    ctx["sheet"] = queries.sheet(session=session, assignment_id=a.id)
    if ctx["sheet"] is not None:
        ctx["others"] = [s for s in service.sheets_for_bid(session=session, actor=actor, bid_id=bid.id)
                         if s.expert_id is None]
    return ctx


@router.get("/review/bids/{bid_id}")
def review_bid(request: Request, bid_id: int, session: SessionDep, actor: CurrentActor):
    """Declare first; then the bid (identity hidden when blind) and the scoring form."""
    return render(request, "reviews/bid.html", _bid_ctx(session, actor, bid_id), block="content")


@router.post("/review/bids/{bid_id}/declaration")
def review_declare(request: Request, bid_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """The per-bid declaration: no conflict, or a named one (the bid stays closed)."""
    values = review_forms.declaration(form)
    choice = values["conflict"]
    try:
        if choice not in ("no", "yes"):
            raise RuleViolation("请选择是否存在利益冲突", fields={"conflict": "请选择一项"})
        service.declare(session=session, actor=actor, bid_id=bid_id, has_conflict=choice == "yes",
                        statement=values["statement"])
    except RuleViolation as exc:
        ctx = _bid_ctx(session, actor, bid_id, values, exc.fields, exc.message)
        return render(request, "reviews/bid.html", ctx, block="content", status_code=422)
    message = ("已申报无利益冲突，可以查阅方案并评分。" if choice == "no"
               else "已申报利益冲突，您将回避该方案，科技局将另行安排。")
    return flash(htmx.redirect(request, f"/review/bids/{bid_id}"), message)


@router.post("/review/bids/{bid_id}/score")
def review_score(request: Request, bid_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Submit the score sheet once; out-of-scale scores or a missing required comment re-render in Chinese."""
    opened = queries.bid_for_expert(session=session, actor=actor, bid_id=bid_id)
    card = queries.card_of(opened.panel)
    scores, comments, values = review_forms.score_sheet(form, card.criteria)
    try:
        service.submit_score(session=session, actor=actor, bid_id=bid_id, scores=scores, comments=comments,
                             overall_comment=values["overall_comment"])
    except RuleViolation as exc:
        ctx = _bid_ctx(session, actor, bid_id, values, exc.fields, exc.message)
        return render(request, "reviews/bid.html", ctx, block="content", status_code=422)
    return flash(htmx.redirect(request, f"/review/bids/{bid_id}"), "评分已提交，现在可以查看其他专家的评分（匿名）。")


# ---------------------------------------------------------------- officer: the expert pool
@router.get("/officer/experts", dependencies=[OfficerOnly])
def expert_pool(request: Request, session: SessionDep, actor: CurrentActor, q: str = "", tier: str = "",
                active: str = ""):
    """The expert pool: search (简繁均可), tier, active, current load, past employers and collaborators."""
    rows = pool.listing(session=session, actor=actor, q=q[:50], tier=tier[:20], active=active[:1])
    return render(request, "reviews/pool.html", {"rows": rows, "q": q[:50], "tier": tier, "active": active,
                                                 "tiers": TIER_LABELS}, block="content")


@router.post("/officer/experts/{expert_id}", dependencies=[OfficerOnly])
def expert_update(request: Request, expert_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Set tier and activate / deactivate one expert."""
    try:
        pool.update(session=session, actor=actor, expert_id=expert_id, **review_forms.expert_update(form))
    except RuleViolation as exc:
        return flash(htmx.redirect(request, f"/officer/experts#expert-{expert_id}"), exc.message, "error")
    return flash(htmx.redirect(request, f"/officer/experts#expert-{expert_id}"), "专家信息已更新")


# ---------------------------------------------------------------- officer: 查重 (duplicate check)
@router.get("/officer/challenges/{challenge_id}/similarity", dependencies=[OfficerOnly])
def similarity_page(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Each opened bid against earlier bids and funded projects: flagged pairs, passages side by side."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    flags = similarity.check(session=session, actor=actor, challenge_id=challenge.id)
    return render(request, "reviews/similarity.html",
                  {"challenge": challenge, "flags": flags, "threshold": similarity.THRESHOLD}, block="content")


# ---------------------------------------------------------------- 答辩 (defence hearings)


def _defence_ctx(session, actor, challenge, values: dict | None = None, errors: dict | None = None,  # noqa: ANN001
                 error: str = "", failed_slot: int | None = None) -> dict:
    return {"challenge": challenge, "slots": hearings.schedule(session=session, actor=actor, challenge_id=challenge.id),
            "open_bids": hearings.open_bids(session=session, challenge_id=challenge.id),
            "labels": bid_labels(session, hearings.open_bids(session=session, challenge_id=challenge.id)),
            "values": values or {}, "errors": errors or {}, "error": error, "failed_slot": failed_slot}


@router.get("/officer/challenges/{challenge_id}/defence", dependencies=[OfficerOnly])
def defence_page(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    """The officer's hearing schedule: open slots, put shortlisted bids in them."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if challenge.status not in hearings.VISIBLE_STATES:
        raise NotFound("该榜单尚未进入专家评审")
    return render(request, "reviews/defence_officer.html", _defence_ctx(session, actor, challenge), block="content")


@router.post("/officer/challenges/{challenge_id}/defence/slots", dependencies=[OfficerOnly])
def defence_slot_save(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor,
                      form: FormDep):
    """Open a time slot (date, start, end, place or online link; Beijing time)."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    values = review_forms.slot(form)
    try:
        hearings.create_slot(session=session, actor=actor, challenge_id=challenge.id, **values)
    except RuleViolation as exc:
        return render(request, "reviews/defence_officer.html",
                      _defence_ctx(session, actor, challenge, values, exc.fields, exc.message),
                      block="content", status_code=422)
    return flash(htmx.redirect(request, f"/officer/challenges/{challenge.id}/defence"), "答辩时段已添加。")


@router.post("/officer/defence/slots/{slot_id}/book", dependencies=[OfficerOnly])
def defence_book(request: Request, slot_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Put a shortlisted bid in the slot; the team is told (409 when the slot or the team is taken)."""
    from_slot = hearings.slot_challenge_id(session=session, slot_id=slot_id)
    raw = review_forms.text(form, "bid_id")
    try:
        if not raw.isdigit() or len(raw) > 12:
            raise RuleViolation("请选择要安排的方案", fields={"bid_id": "请选择方案"})
        hearings.book(session=session, actor=actor, slot_id=slot_id, bid_id=int(raw))
    except RuleViolation as exc:
        challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=from_slot)
        return render(request, "reviews/defence_officer.html",
                      _defence_ctx(session, actor, challenge, {}, exc.fields, exc.message, slot_id),
                      block="content", status_code=422)
    return flash(htmx.redirect(request, f"/officer/challenges/{from_slot}/defence"),
                 "已安排答辩，并已通知揭榜团队。")


@router.get("/challenges/{challenge_id}/defence")
def defence_schedule(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    """A team's own hearing slot; the panel's experts see the whole schedule (bid numbers only)."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    slots = hearings.schedule(session=session, actor=actor, challenge_id=challenge.id)
    return render(request, "reviews/defence.html", {"challenge": challenge, "slots": slots}, block="content")
