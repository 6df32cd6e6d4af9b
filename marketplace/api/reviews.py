"""API: expert review (panels, assignments, declarations, waivers, scores, progress, ranking)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from marketplace.api.schemas import ErrorOut
from marketplace.reviews import hearings, queries, service, similarity
from marketplace.reviews.schemas import (
    AssignIn,
    AssignmentOut,
    AutoAssignOut,
    BookingIn,
    DeclarationIn,
    DeclarationOut,
    MyAssignmentOut,
    OpenedBidOut,
    PanelIn,
    PanelOut,
    PassagePairOut,
    ProgressOut,
    ProgressRow,
    RankedOut,
    ScoreIn,
    Segment,
    SheetOut,
    SimilarityFlagOut,
    SlotIn,
    SlotOut,
    SuggestionOut,
    WaiverIn,
)
from marketplace.web.deps import CurrentActor, SessionDep, current_actor

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)}
router = APIRouter(dependencies=[Depends(current_actor)], responses=ERRORS, tags=["reviews"])


def _decl(d) -> DeclarationOut:
    return DeclarationOut(bid_id=d.bid_id, expert_id=d.expert_id, has_conflict=d.has_conflict,
                          statement=d.statement, waived=d.waived_by is not None)


@router.post("/challenges/{challenge_id}/review", response_model=PanelOut, status_code=201)
def start_review(challenge_id: int, data: PanelIn, session: SessionDep, actor: CurrentActor):
    """Build the panel and its scorecard; the challenge moves `closed` → `in_review` (officers)."""
    spec = service.PanelSpec(reviewers_per_bid=data.reviewers_per_bid, max_load=data.max_load,
                             criteria=[(c.name, c.weight) for c in data.criteria] if data.criteria else None,
                             scale=data.scale, comment_below=data.comment_below, blind=data.blind,
                             due_at=data.due_at)
    return service.start_review(session=session, actor=actor, challenge_id=challenge_id, spec=spec)


@router.get("/challenges/{challenge_id}/review/suggestions", response_model=list[SuggestionOut])
def suggestions(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Experts per bid ranked by affinity with the matched words; conflicted experts never appear."""
    return [SuggestionOut(bid_id=s.bid_id, expert_id=s.expert_id, score=s.score, terms=list(s.terms))
            for s in service.suggestions(session=session, actor=actor, challenge_id=challenge_id)]


@router.post("/challenges/{challenge_id}/review/auto-assign", response_model=AutoAssignOut, status_code=201)
def auto_assign(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Assign R conflict-free experts per bid (at most L bids each) maximising affinity."""
    result = service.auto_assign(session=session, actor=actor, challenge_id=challenge_id)
    return AutoAssignOut(panels={b: list(p) for b, p in result.panels.items()}, total=result.total)


@router.post("/challenges/{challenge_id}/review/assignments", response_model=AssignmentOut, status_code=201)
def assign(challenge_id: int, data: AssignIn, session: SessionDep, actor: CurrentActor):
    """Assign one expert to one bid by hand (refused with 409 for a conflicted expert)."""
    return service.assign(session=session, actor=actor, challenge_id=challenge_id, bid_id=data.bid_id,
                          expert_id=data.expert_id)


@router.get("/challenges/{challenge_id}/review/progress", response_model=ProgressOut)
def progress(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Reviews in / due per bid and per expert (officers)."""
    p = service.progress(session=session, actor=actor, challenge_id=challenge_id)
    return ProgressOut(bids=[ProgressRow(id=k, reviews_in=i, reviews_due=d) for k, (i, d) in sorted(p.by_bid.items())],
                       experts=[ProgressRow(id=k, reviews_in=i, reviews_due=d)
                                for k, (i, d) in sorted(p.by_expert.items())],
                       declared_conflicts=[list(x) for x in p.conflicts_declared])


@router.get("/challenges/{challenge_id}/review/ranking", response_model=list[RankedOut])
def ranking(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """The computed ranking with scores and spread warnings (officers)."""
    return [RankedOut(rank=r.rank, of=r.of, bid_id=r.bid_id, score=str(r.result.score), experts=r.result.experts,
                      spread=str(r.result.spread), spread_warning=r.result.spread_warning)
            for r in service.ranking(session=session, actor=actor, challenge_id=challenge_id)]


@router.get("/review/assignments", response_model=list[MyAssignmentOut])
def my_assignments(session: SessionDep, actor: CurrentActor):
    """The expert's review tasks."""
    return [MyAssignmentOut(bid_id=a.bid_id, challenge_id=c.id, challenge_title=c.title, declared=d, submitted=s)
            for a, c, d, s in queries.my_assignments(session=session, actor=actor)]


@router.post("/review/bids/{bid_id}/declaration", response_model=DeclarationOut, status_code=201)
def declare(bid_id: int, data: DeclarationIn, session: SessionDep, actor: CurrentActor):
    """Declare, before opening the bid, that there is no conflict of interest (or name one)."""
    return _decl(service.declare(session=session, actor=actor, bid_id=bid_id, has_conflict=data.has_conflict,
                                 statement=data.statement))


@router.post("/review/bids/{bid_id}/waiver", response_model=DeclarationOut)
def waive(bid_id: int, data: WaiverIn, session: SessionDep, actor: CurrentActor):
    """Waive a declared, non-automatic conflict with a reason (officers; audited)."""
    return _decl(service.waive(session=session, actor=actor, bid_id=bid_id, expert_id=data.expert_id,
                               reason=data.reason))


@router.get("/review/bids/{bid_id}", response_model=OpenedBidOut)
def open_bid(bid_id: int, session: SessionDep, actor: CurrentActor):
    """The bid for an assigned expert who has declared no conflict (identifying fields hidden if blind)."""
    o = queries.bid_for_expert(session=session, actor=actor, bid_id=bid_id)
    b = o.bid
    return OpenedBidOut(bid_id=b.id, challenge_id=b.challenge_id, blind=o.blind, technical_route=b.technical_route,
                        milestones=b.milestones, price_fen=b.price_fen, prior_results=b.prior_results,
                        members=None if o.blind else b.members, organisation_id=None if o.blind else b.organisation_id,
                        team_id=None if o.blind else b.team_id, criteria=o.panel.criteria, scale=o.panel.scale,
                        comment_below=o.panel.comment_below)


@router.post("/review/bids/{bid_id}/score", response_model=SheetOut, status_code=201)
def submit_score(bid_id: int, data: ScoreIn, session: SessionDep, actor: CurrentActor):
    """Submit one's score sheet (once); scores outside the scale or a missing required comment → 422."""
    row = service.submit_score(session=session, actor=actor, bid_id=bid_id, scores=data.scores,
                               comments=data.comments, overall_comment=data.overall_comment)
    return SheetOut(expert_id=None, total=row.total, scores=row.scores, comments=row.comments,
                    overall_comment=row.overall_comment)


@router.get("/review/bids/{bid_id}/scores", response_model=list[SheetOut])
def sheets(bid_id: int, session: SessionDep, actor: CurrentActor):
    """Sheets of a bid: officers all; an expert only after submitting their own (others unnamed)."""
    return [SheetOut(**vars(s)) for s in service.sheets_for_bid(session=session, actor=actor, bid_id=bid_id)]


def _segments(parts: list[tuple[str, bool]]) -> list[Segment]:
    return [Segment(text=t, overlapping=h) for t, h in parts]


@router.get("/challenges/{challenge_id}/similarity", response_model=list[SimilarityFlagOut])
def similarity_flags(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """查重 (officers, after the deadline): pairs above the threshold, with the overlapping passages.
    A flag is a prompt for the officer to read both texts; it decides nothing by itself."""
    return [SimilarityFlagOut(bid_id=fl.bid_id, other_bid_id=fl.other_bid_id, other_challenge_id=fl.other_challenge_id,
                              other_is_funded_project=fl.funded, score=fl.score,
                              passages=[PassagePairOut(share=p.share, bid_passage=_segments(p.left),
                                                       other_passage=_segments(p.right)) for p in fl.pairs])
            for fl in similarity.check(session=session, actor=actor, challenge_id=challenge_id)]


# ---------------------------------------------------------------- 答辩 (defence hearings)
def _slot_out(slot) -> SlotOut:  # noqa: ANN001
    return SlotOut.model_validate(slot, from_attributes=True)


@router.get("/challenges/{challenge_id}/defence-slots", response_model=list[SlotOut])
def defence_slots(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Hearing slots: officers and the panel's experts see all, a bidding team its own, others 404."""
    return [_slot_out(v.slot) for v in hearings.schedule(session=session, actor=actor, challenge_id=challenge_id)]


@router.post("/challenges/{challenge_id}/defence-slots", response_model=SlotOut, status_code=201)
def create_defence_slot(challenge_id: int, data: SlotIn, session: SessionDep, actor: CurrentActor):
    """Open a hearing slot (officers, challenge in review; not in the past, end after start)."""
    return _slot_out(hearings.create_slot(session=session, actor=actor, challenge_id=challenge_id,
                                          **data.model_dump()))


@router.post("/defence-slots/{slot_id}/booking", response_model=SlotOut)
def book_defence_slot(slot_id: int, data: BookingIn, session: SessionDep, actor: CurrentActor):
    """Put a qualified bid in the slot (officers); 409 when the slot, the bid or the team is taken."""
    return _slot_out(hearings.book(session=session, actor=actor, slot_id=slot_id, bid_id=data.bid_id))
