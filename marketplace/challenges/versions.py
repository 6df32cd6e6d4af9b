"""The challenge as submitted, one snapshot per submission, and what changed since the last one (issue 13).

`snapshot` runs inside `service.submit`'s transaction, after the state move (which only one concurrent
submit wins), so each submission is one numbered version. `changes` compares the two newest versions
field by field, in the words the form uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from marketplace.actor import Actor
from marketplace.challenges import permissions, queries
from marketplace.challenges.models import (
    AWARD_MODE_LABELS,
    IP_LABELS,
    Challenge,
    ChallengeSnapshot,
)
from marketplace.clock import as_utc, to_shanghai
from marketplace.errors import Forbidden
from marketplace.money import format_yuan

# The content an officer reviews, in form order, with the form's labels.
FIELD_LABELS = {
    "title": "标题", "industry": "产业领域", "weak_link": "薄弱环节", "background": "需求背景",
    "bottleneck": "技术瓶颈", "indicators": "技术指标", "deliverables": "交付成果", "trl_target": "目标技术成熟度",
    "scenario": "应用场景", "period_months": "实施周期（月）", "committed_funds_fen": "企业投入资金",
    "offered_fen": "揭榜金额", "ip_terms": "知识产权约定", "award_mode": "揭榜方式", "requirements": "揭榜条件",
    "bid_deadline": "揭榜截止时间", "contact_name": "联系人", "contact_phone": "联系电话",
    "contact_email": "联系邮箱", "confidential_annex": "保密资料",
}


def _value(challenge: Challenge, name: str) -> object:
    value = getattr(challenge, name, None)
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value


def snapshot(*, session: Session, challenge: Challenge, user_id: int | None) -> ChallengeSnapshot:
    """Store the challenge's content as this submission's version (the caller's transaction commits)."""
    last = session.exec(select(func.max(ChallengeSnapshot.number))
                        .where(ChallengeSnapshot.challenge_id == challenge.id)).one()
    row = ChallengeSnapshot(challenge_id=challenge.id, number=(last or 0) + 1, submitted_by=user_id,
                            fields={name: _value(challenge, name) for name in FIELD_LABELS
                                    if hasattr(challenge, name)})
    session.add(row)
    session.flush()
    return row


def _indicator(item: object) -> str:
    if not isinstance(item, dict):
        return str(item)
    text = f"{item.get('name', '')} {item.get('target', '')}{item.get('unit', '')}".strip()
    return text + (f"（{item['test_method']}）" if item.get("test_method") else "")


def shown(name: str, value: object) -> str:
    """A stored value as the form shows it (yuan, Beijing time, labels)."""
    if value is None or value == "" or value == []:
        return "—"
    if name.endswith("_fen"):
        return format_yuan(int(value))
    if name == "bid_deadline":
        return to_shanghai(datetime.fromisoformat(str(value))).strftime("%Y-%m-%d %H:%M")
    if name == "ip_terms":
        return IP_LABELS.get(value, str(value))
    if name == "award_mode":
        return AWARD_MODE_LABELS.get(value, str(value))
    if name == "indicators" and isinstance(value, list):
        return "；".join(_indicator(i) for i in value)
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class VersionDiff:
    number: int  # the newer version
    previous: int
    submitted_at: datetime
    changes: list[FieldChange]


def versions(*, session: Session, challenge_id: int) -> list[ChallengeSnapshot]:
    return list(session.exec(select(ChallengeSnapshot).where(ChallengeSnapshot.challenge_id == challenge_id)
                             .order_by(col(ChallengeSnapshot.number))).all())


def changes(*, session: Session, challenge_id: int) -> VersionDiff | None:
    """What changed between the two newest submitted versions; None before the second submission."""
    newest = list(session.exec(select(ChallengeSnapshot).where(ChallengeSnapshot.challenge_id == challenge_id)
                               .order_by(col(ChallengeSnapshot.number).desc()).limit(2)).all())
    if len(newest) < 2:
        return None
    new, old = newest
    diff = [FieldChange(name, label, shown(name, old.fields.get(name)), shown(name, new.fields.get(name)))
            for name, label in FIELD_LABELS.items() if old.fields.get(name) != new.fields.get(name)]
    return VersionDiff(new.number, old.number, new.submitted_at, diff)


def changes_for(*, session: Session, actor: Actor, challenge_id: int) -> VersionDiff | None:
    """`changes` for the challenge's company and the bureau; anyone else is refused."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if not (permissions.is_owner(actor, challenge) or actor.is_officer):
        raise Forbidden("只有发榜企业和科技局可以查看榜单的修改记录")
    return changes(session=session, challenge_id=challenge.id)
