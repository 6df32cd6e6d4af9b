"""JSON API for challenges: the same services and visibility rules as the pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from marketplace.accounts import queries as account_queries
from marketplace.bids import queries as bid_queries
from marketplace.challenges import clarifications, files, invitations, permissions, queries, service, versions
from marketplace.challenges.invitations import invite as invite_team
from marketplace.challenges.models import Challenge
from marketplace.challenges.schemas import (
    AnnexOut,
    AnswerIn,
    ChallengeIn,
    ChallengeOut,
    ChallengePage,
    FieldChangeOut,
    InvitationOut,
    InvitedOut,
    InviteIn,
    PublishIn,
    QuestionIn,
    QuestionOut,
    RecommendationOut,
    ReturnIn,
    VersionDiffOut,
    WithdrawIn,
)
from marketplace.clock import utcnow
from marketplace.errors import Forbidden
from marketplace.search import recommend
from marketplace.web.deps import CurrentActor, OptionalActor, SessionDep, current_actor
from marketplace.web.idempotent import ApiKey, api_once

router = APIRouter(tags=["challenges"])
authed = APIRouter(tags=["challenges"], dependencies=[Depends(current_actor)])


def _out(session, c: Challenge, bid_count: int | None = None) -> ChallengeOut:
    """A challenge as JSON; lists pass the bid count they read in one query (no query per row)."""
    if bid_count is None:
        bid_count = bid_queries.submitted_count(session=session, challenge_id=c.id)
    return ChallengeOut(**c.model_dump(exclude={"indicators", "status"}), indicators=c.indicators,
                        status=permissions.effective_status(c, utcnow()), bid_count=bid_count)


@router.get("/challenges", response_model=ChallengePage)
def list_challenges(request: Request, session: SessionDep, actor: OptionalActor, q: str = Query("", max_length=200),
                    industry: str = "", weak_link: str = "", district: str = "", status: str = "",
                    min_wan: str = "", max_wan: str = "", deadline_days: str = "", sort: str = "",
                    page: str = "1"):
    """Public challenges: Chinese full-text search (Traditional accepted), filters, sorting, pages.
    Filters are read exactly as the hall reads them (unknown values dropped, numbers clamped);
    officers see every state (e.g. `status=in_review`)."""
    flt = queries.ChallengeFilter.from_params(request.query_params, any_state=actor.is_officer)
    result = queries.search_public(session=session, flt=flt, now=utcnow())
    return ChallengePage(total=result.total, page=result.page, pages=result.pages, notice=result.notice,
                         items=[_out(session, c, result.counts.get(c.id, 0)) for c in result.items])


@router.get("/challenges/{challenge_id}", response_model=ChallengeOut)
def get_challenge(challenge_id: int, session: SessionDep, actor: OptionalActor):
    """One challenge the caller may see (404 otherwise)."""
    c = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    return _out(session, c)


@router.get("/challenges/{challenge_id}/questions", response_model=list[QuestionOut])
def list_questions(challenge_id: int, session: SessionDep, actor: OptionalActor):
    """Public answers (the asker is never named)."""
    c = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    return queries.clarifications(session=session, challenge=c, actor=actor)


@authed.get("/challenges-mine", response_model=list[ChallengeOut])
def mine(session: SessionDep, actor: CurrentActor):
    """The caller's company's challenges, every state."""
    rows = queries.of_organisation(session=session, organisation_id=actor.organisation_id or -1)
    counts = bid_queries.submitted_counts(session=session, challenge_ids=[c.id for c in rows])
    return [_out(session, c, counts.get(c.id, 0)) for c in rows]


@authed.post("/challenges", response_model=ChallengeOut, status_code=201)
def create(data: ChallengeIn, session: SessionDep, actor: CurrentActor, key: ApiKey):
    """Draft a challenge (verified companies). With `Idempotency-Key`, a retry creates nothing new."""
    return api_once(session, actor, key, lambda: _out(session, service.create_draft(
        session=session, actor=actor, data=data)), model=ChallengeOut, status_code=201)


@authed.put("/challenges/{challenge_id}", response_model=ChallengeOut)
def update(challenge_id: int, data: ChallengeIn, session: SessionDep, actor: CurrentActor):
    """Edit; a published challenge goes back to review."""
    return _out(session, service.update_challenge(session=session, actor=actor, challenge_id=challenge_id,
                                                  data=data))


@authed.post("/challenges/{challenge_id}/submit", response_model=ChallengeOut)
def submit(challenge_id: int, session: SessionDep, actor: CurrentActor, key: ApiKey):
    return api_once(session, actor, key, lambda: _out(session, service.submit(
        session=session, actor=actor, challenge_id=challenge_id)), model=ChallengeOut)


@authed.get("/challenges/{challenge_id}/changes", response_model=VersionDiffOut)
def changes(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """What a resubmitted challenge changed since its previous submitted version, field by field
    (the company and the bureau). Empty before the second submission."""
    diff = versions.changes_for(session=session, actor=actor, challenge_id=challenge_id)
    if diff is None:
        return VersionDiffOut()
    return VersionDiffOut(version=diff.number, previous_version=diff.previous, submitted_at=diff.submitted_at,
                          changes=[FieldChangeOut(**vars(c)) for c in diff.changes])


@authed.post("/challenges/{challenge_id}/return", response_model=ChallengeOut)
def return_(challenge_id: int, data: ReturnIn, session: SessionDep, actor: CurrentActor):
    return _out(session, service.return_for_changes(session=session, actor=actor,
                                                    challenge_id=challenge_id, data=data))


@authed.post("/challenges/{challenge_id}/publish", response_model=ChallengeOut)
def publish(challenge_id: int, data: PublishIn, session: SessionDep, actor: CurrentActor):
    return _out(session, service.publish(session=session, actor=actor, challenge_id=challenge_id, data=data))


@authed.post("/challenges/{challenge_id}/withdraw", response_model=ChallengeOut)
def withdraw(challenge_id: int, data: WithdrawIn, session: SessionDep, actor: CurrentActor):
    return _out(session, service.withdraw(session=session, actor=actor, challenge_id=challenge_id, data=data))


@authed.post("/challenges/{challenge_id}/withdrawal-request", response_model=ChallengeOut)
def request_withdrawal(challenge_id: int, data: WithdrawIn, session: SessionDep, actor: CurrentActor):
    return _out(session, service.request_withdrawal(session=session, actor=actor,
                                                    challenge_id=challenge_id, data=data))


@authed.post("/challenges/{challenge_id}/withdrawal-approval", response_model=ChallengeOut)
def approve_withdrawal(challenge_id: int, session: SessionDep, actor: CurrentActor):
    return _out(session, service.approve_withdrawal(session=session, actor=actor, challenge_id=challenge_id))


@authed.post("/challenges/{challenge_id}/change-approval", response_model=ChallengeOut)
def approve_change(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Apply the company's pending change of a published challenge (bureau); its bidders are told."""
    return _out(session, service.approve_change(session=session, actor=actor, challenge_id=challenge_id))


@authed.post("/challenges/{challenge_id}/change-rejection", response_model=ChallengeOut)
def reject_change(challenge_id: int, data: ReturnIn, session: SessionDep, actor: CurrentActor):
    """Refuse the pending change (bureau); the challenge stays as published."""
    return _out(session, service.reject_change(session=session, actor=actor, challenge_id=challenge_id,
                                               data=data))


@authed.post("/challenges/{challenge_id}/relist", response_model=ChallengeOut, status_code=201)
def relist(challenge_id: int, session: SessionDep, actor: CurrentActor, key: ApiKey):
    return api_once(session, actor, key, lambda: _out(session, service.relist(
        session=session, actor=actor, challenge_id=challenge_id)), model=ChallengeOut, status_code=201)


@authed.post("/challenges/{challenge_id}/questions", response_model=QuestionOut, status_code=201)
def ask(challenge_id: int, data: QuestionIn, session: SessionDep, actor: CurrentActor, key: ApiKey):
    return api_once(session, actor, key, lambda: clarifications.ask(
        session=session, actor=actor, challenge_id=challenge_id, data=data), model=QuestionOut, status_code=201)


@authed.post("/clarifications/{clarification_id}/answer", response_model=QuestionOut)
def answer(clarification_id: int, data: AnswerIn, session: SessionDep, actor: CurrentActor):
    return clarifications.answer(session=session, actor=actor, clarification_id=clarification_id, data=data)


@authed.post("/challenges/{challenge_id}/terms-acceptance", status_code=201)
def accept_terms(challenge_id: int, session: SessionDep, actor: CurrentActor) -> dict:
    item = files.accept_terms(session=session, actor=actor, challenge_id=challenge_id)
    return {"challenge_id": item.challenge_id, "accepted_at": item.accepted_at.isoformat()}


@authed.get("/challenges/{challenge_id}/annex", response_model=AnnexOut)
def annex(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """The confidential annex (company, officers, verified teams that accepted the terms)."""
    c = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    accepted = queries.has_accepted_terms(session=session, actor=actor, challenge_id=c.id)
    allowed, reason = permissions.can_read_annex(actor, c, accepted=accepted)
    if not allowed:
        raise Forbidden(reason)
    return AnnexOut(confidential_annex=c.confidential_annex)


@authed.get("/challenges/{challenge_id}/recommended-teams", response_model=list[RecommendationOut])
def recommended_teams(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Teams ranked for the challenge, with the terms that matched (company and officers)."""
    c = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    allowed, reason = permissions.can_see_recommendations(actor, c)
    if not allowed:
        raise Forbidden(reason)
    recs = recommend.teams_for_challenge(session=session, challenge=c, k=10)
    return [RecommendationOut(id=r.item.id, name=r.item.name, score=r.score, terms=[t.term for t in r.terms])
            for r in recs]


@authed.post("/challenges/{challenge_id}/invitations", status_code=201)
def invite(challenge_id: int, data: InviteIn, session: SessionDep, actor: CurrentActor, key: ApiKey):
    def work() -> dict:
        team = invite_team(session=session, actor=actor, challenge_id=challenge_id, team_id=data.team_id,
                           message=data.message)
        return {"team_id": team.id, "invited": True}

    return api_once(session, actor, key, work, model=InvitedOut, status_code=201)


@authed.get("/challenges/{challenge_id}/invitations", response_model=list[InvitationOut])
def invited_teams(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """The teams already invited to this challenge, with the message (the company and officers)."""
    c = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if not (permissions.is_owner(actor, c) or actor.is_officer):
        raise Forbidden("只有发榜企业或科技局可以查看邀请记录")
    return [InvitationOut(team_id=i.team_id, message=i.message, invited_at=i.at)
            for i in invitations.invitations(session=session, challenge_id=c.id).values()]


@authed.get("/teams/{team_id}/recommended-challenges", response_model=list[RecommendationOut])
def recommended_challenges(team_id: int, session: SessionDep, actor: CurrentActor):
    """Open challenges ranked for one of the caller's team profiles."""
    team = account_queries.get_team(session=session, team_id=team_id)
    if actor.organisation_id != team.organisation_id and not actor.is_officer:
        raise Forbidden("只能查看本单位团队的推荐")
    recs = recommend.challenges_for_team(session=session, team=team, k=10)
    bid_on = bid_queries.bid_challenge_ids(session=session, actor=actor, team_ids={team.id}).get(team.id)
    return [RecommendationOut(id=r.item.id, name=r.item.title, score=r.score, terms=[t.term for t in r.terms],
                              already_bid=None if bid_on is None else r.item.id in bid_on) for r in recs]


router.include_router(authed)
