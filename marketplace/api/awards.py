"""API: company opinion, decision, no award, 公示 batches, announcements, objections, feedback."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from marketplace.api.schemas import ErrorOut
from marketplace.awards import queries, service
from marketplace.awards.schemas import (
    AnnouncementOut,
    AnswerIn,
    DecisionIn,
    DecisionOut,
    FeedbackOut,
    NoAwardIn,
    NoAwardOut,
    ObjectionIn,
    ObjectionOut,
    OpinionIn,
    OpinionOut,
    PublishIn,
    ShortlistOut,
    ShortlistRow,
)
from marketplace.web.deps import CurrentActor, SessionDep, current_actor

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)}
router = APIRouter(responses=ERRORS, tags=["awards"])
authed = APIRouter(dependencies=[Depends(current_actor)], responses=ERRORS, tags=["awards"])

@authed.get("/challenges/{challenge_id}/shortlist", response_model=ShortlistOut)
def shortlist(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """The ranked shortlist (order only, no scores) for the company and officers, with opinions."""
    rows, opinions = queries.shortlist(session=session, actor=actor, challenge_id=challenge_id)
    return ShortlistOut(ranking=[ShortlistRow(**vars(r)) for r in rows],
                        opinions=[OpinionOut.model_validate(o, from_attributes=True) for o in opinions])


@authed.post("/challenges/{challenge_id}/opinion", response_model=OpinionOut, status_code=201)
def give_opinion(challenge_id: int, data: OpinionIn, session: SessionDep, actor: CurrentActor):
    """The posting company's opinion on the shortlist (it cannot change scores)."""
    row = service.give_opinion(session=session, actor=actor, challenge_id=challenge_id,
                               preferred_bid_ids=data.preferred_bid_ids, opinion=data.opinion)
    return OpinionOut.model_validate(row, from_attributes=True)


@authed.post("/challenges/{challenge_id}/decision", response_model=DecisionOut, status_code=201)
def decide(challenge_id: int, data: DecisionIn, session: SessionDep, actor: CurrentActor):
    """Record the decision (officers), exactly once; against the ranking needs a written reason."""
    row = service.decide(session=session, actor=actor, challenge_id=challenge_id,
                         winning_bid_ids=data.winning_bid_ids, reason=data.reason)
    return DecisionOut.model_validate(row, from_attributes=True)


@authed.post("/challenges/{challenge_id}/no-award", response_model=NoAwardOut, status_code=201)
def no_award(challenge_id: int, data: NoAwardIn, session: SessionDep, actor: CurrentActor):
    """Declare that no bid is good enough (officers), with a required reason; the company may re-list."""
    row = service.declare_no_award(session=session, actor=actor, challenge_id=challenge_id, reason=data.reason)
    return NoAwardOut(challenge_id=row.challenge_id, reason=row.reason, decided_at=row.decided_at)


@authed.get("/challenges/{challenge_id}/no-award", response_model=NoAwardOut)
def no_award_reason(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """The no-award decision and its reason: officers, the posting company and the bidders (others 404)."""
    _, row = queries.no_award(session=session, actor=actor, challenge_id=challenge_id)
    return NoAwardOut(challenge_id=row.challenge_id, reason=row.reason, decided_at=row.decided_at)


@authed.post("/announcements", response_model=AnnouncementOut, status_code=201)
def publish(data: PublishIn, session: SessionDep, actor: CurrentActor):
    """Publish decided results together with a 公示 period in working days (officers)."""
    row = service.publish(session=session, actor=actor, challenge_ids=data.challenge_ids,
                          period_days=data.period_days, title=data.title)
    return AnnouncementOut.model_validate(row, from_attributes=True)


@router.get("/announcements", response_model=list[queries.PublicResult])
def announcements(session: SessionDep):
    """Published results (public): challenge, winning organisation, amount, end of the window."""
    return queries.announcements(session=session)  # the domain's dataclass is the output schema


@authed.post("/challenges/{challenge_id}/objections", response_model=ObjectionOut, status_code=201)
def lodge_objection(challenge_id: int, data: ObjectionIn, session: SessionDep, actor: CurrentActor):
    """An objection during the 公示 window (any logged-in user)."""
    row = service.lodge_objection(session=session, actor=actor, challenge_id=challenge_id, reasons=data.reasons)
    return ObjectionOut.model_validate(row, from_attributes=True)


@authed.get("/objections", response_model=list[ObjectionOut])
def objections(session: SessionDep, actor: CurrentActor):
    """One's own objections with their answers; officers see all."""
    return [ObjectionOut.model_validate(o, from_attributes=True)
            for o in queries.objections_for(session=session, actor=actor)]


@authed.post("/objections/{objection_id}/answer", response_model=ObjectionOut)
def answer(objection_id: int, data: AnswerIn, session: SessionDep, actor: CurrentActor):
    """Answer an objection (officers): upheld reopens the named stage, dismissed lets the window end."""
    row = service.answer_objection(session=session, actor=actor, objection_id=objection_id, upheld=data.upheld,
                                   answer=data.answer, reopens=data.reopens)
    return ObjectionOut.model_validate(row, from_attributes=True)


@authed.get("/challenges/{challenge_id}/feedback", response_model=FeedbackOut)
def feedback(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """After the announcement: the team's score band, rank of N and the experts' comments (no names)."""
    return FeedbackOut(**vars(queries.feedback(session=session, actor=actor, challenge_id=challenge_id)))


router.include_router(authed)
