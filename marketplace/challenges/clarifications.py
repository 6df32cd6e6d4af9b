"""Questions and answers on a challenge (答疑): answers are public, the asker stays anonymous."""

from __future__ import annotations

from sqlmodel import Session

from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.challenges import permissions, queries
from marketplace.challenges.models import Clarification
from marketplace.challenges.schemas import AnswerIn, QuestionIn
from marketplace.clock import utcnow
from marketplace.db import use_case
from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind


@use_case
def ask(*, session: Session, actor: Actor, challenge_id: int, data: QuestionIn) -> Clarification:
    """A research team asks a question about an open challenge."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    allowed, reason = permissions.can_ask(actor, challenge, utcnow())
    if not allowed:
        raise Forbidden(reason)
    item = Clarification(challenge_id=challenge.id, asked_by=actor.user_id, question=data.question)
    session.add(item)
    session.flush()
    audit.record(session=session, actor=actor, action="clarification.asked", subject_type="challenge",
                 subject_id=challenge.id, summary={"clarification_id": item.id})
    notifications.notify(
        session=session, kind=Kind.QUESTION_ANSWERED,
        user_ids=queries.company_user_ids(session=session, organisation_id=challenge.organisation_id),
        title=f"榜单“{challenge.title}”收到一条提问", link=f"/challenges/{challenge.id}#qa",
        body="请在榜单页面答复；答复将向所有访客公开，提问人匿名。")
    return item


@use_case
def answer(*, session: Session, actor: Actor, clarification_id: int, data: AnswerIn) -> Clarification:
    """The company answers; the answer is published to every visitor and the asker is told."""
    item = session.get(Clarification, clarification_id)
    if item is None:
        raise NotFound("提问不存在")
    challenge = queries.get_for(session=session, actor=actor, challenge_id=item.challenge_id)
    if not (permissions.is_owner(actor, challenge) or actor.is_officer):
        raise Forbidden("只有发榜企业可以答复")
    if item.answer is not None:
        raise Conflict("该提问已答复")
    item.answer, item.answered_by, item.answered_at = data.answer, actor.user_id, utcnow()
    session.add(item)
    audit.record(session=session, actor=actor, action="clarification.answered", subject_type="challenge",
                 subject_id=challenge.id, summary={"clarification_id": item.id})
    notifications.notify(session=session, kind=Kind.QUESTION_ANSWERED, user_ids=[item.asked_by],
                         title=f"您对“{challenge.title}”的提问已答复", link=f"/challenges/{challenge.id}#qa",
                         body=data.answer[:500])
    return item
