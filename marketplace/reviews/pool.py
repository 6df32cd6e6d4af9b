"""The expert pool (专家库) as officers manage it: list and search, tier, activate / deactivate.

An expert is in the pool when their account is active and no officer has deactivated them here; only
pool experts are suggested or assigned (service._pool). Searching accepts Traditional script.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from marketplace import db
from marketplace.accounts.models import ExpertProfile, Organisation, User
from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.clock import utcnow
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.reviews.models import (
    TIER_LABELS,
    AssignmentStatus,
    ExpertAffiliation,
    ExpertCollaborator,
    ExpertPoolEntry,
    ExpertTier,
    ReviewAssignment,
)

MAX_QUERY = 50


@lru_cache(maxsize=1)
def _t2s():  # noqa: ANN202
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    return _t2s().convert(text or "")


def active_expert_ids(session: Session) -> list[int]:
    """Experts who may be suggested and assigned: account active and not deactivated in the pool."""
    inactive = select(ExpertPoolEntry.expert_id).where(ExpertPoolEntry.active == False)  # noqa: E712
    return list(session.exec(select(ExpertProfile.id).join(User, col(User.id) == ExpertProfile.user_id)
                             .where(User.is_active == True, col(ExpertProfile.id).not_in(inactive))  # noqa: E712
                             .order_by(col(ExpertProfile.id))).all())


@dataclass
class PoolRow:
    expert: ExpertProfile
    user: User
    organisation: str
    tier: str
    active: bool
    load: int  # active assignments
    past: list[str]  # past affiliations with years, for the officer
    collaborators: list[str]

    @property
    def tier_label(self) -> str:
        return TIER_LABELS.get(self.tier, self.tier)


def _officer(actor: Actor) -> None:
    if not actor.is_officer:
        raise Forbidden("只有科技局工作人员可以管理专家库")


def listing(*, session: Session, actor: Actor, q: str = "", tier: str = "", active: str = "") -> list[PoolRow]:
    """Every expert with tier, state and load; `q` matches name, title, fields, bio (either script)."""
    _officer(actor)
    rows = session.exec(select(ExpertProfile, User).join(User, col(User.id) == ExpertProfile.user_id)
                        .order_by(col(ExpertProfile.id))).all()
    entries = {p.expert_id: p for p in session.exec(select(ExpertPoolEntry)).all()}
    orgs = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    loads: dict[int, int] = {}
    for e in session.exec(select(ReviewAssignment.expert_id)
                          .where(ReviewAssignment.status == AssignmentStatus.ACTIVE)).all():
        loads[e] = loads.get(e, 0) + 1
    past: dict[int, list[str]] = {}
    for a in session.exec(select(ExpertAffiliation).order_by(col(ExpertAffiliation.id))).all():
        span = f"{a.start_on.year if a.start_on else '?'}–{a.end_on.year if a.end_on else '至今'}"
        past.setdefault(a.expert_id, []).append(f"{a.organisation_name}（{span}）")
    collab: dict[int, list[str]] = {}
    for c in session.exec(select(ExpertCollaborator).order_by(col(ExpertCollaborator.id))).all():
        collab.setdefault(c.expert_id, []).append(f"{c.person}（{c.year}）")
    needle = simplified(q.strip())[:MAX_QUERY].lower()
    found = []
    for e, u in rows:
        entry = entries.get(e.id)
        row = PoolRow(e, u, orgs.get(u.organisation_id, ""), entry.tier if entry else ExpertTier.GENERAL,
                      u.is_active and (entry.active if entry else True), loads.get(e.id, 0),
                      past.get(e.id, []), collab.get(e.id, []))
        text = " ".join([u.display_name, e.title, " ".join(e.fields), e.bio, row.organisation, *row.past]).lower()
        if needle and needle not in simplified(text):
            continue
        if tier and row.tier != tier:
            continue
        if active in ("1", "0") and row.active != (active == "1"):
            continue
        found.append(row)
    return found


@db.use_case
def update(*, session: Session, actor: Actor, expert_id: int, tier: str, active: bool,
           note: str = "") -> ExpertPoolEntry:
    """Set an expert's tier and whether they take reviews (audited)."""
    _officer(actor)
    if session.get(ExpertProfile, expert_id) is None:
        raise NotFound("专家不存在")
    if tier not in {t.value for t in ExpertTier}:
        raise RuleViolation("请选择专家类别", fields={"tier": "请选择一般项目或重大项目"})
    note = (note or "").strip()
    if len(note) > 500:
        raise RuleViolation("备注不能超过 500 字", fields={"note": "备注过长"})
    entry = session.exec(select(ExpertPoolEntry).where(ExpertPoolEntry.expert_id == expert_id)).first()
    before = {"tier": entry.tier, "active": entry.active} if entry else {"tier": ExpertTier.GENERAL, "active": True}
    if entry is None:
        entry = ExpertPoolEntry(expert_id=expert_id)
    entry.tier, entry.active, entry.note = tier, active, note
    entry.updated_by, entry.updated_at = actor.user_id, utcnow()
    session.add(entry)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("该专家的信息正被他人修改，请刷新后重试") from None
    audit.record(session=session, actor=actor, action="review.pool_updated", subject_type="expert",
                 subject_id=expert_id, summary={"before": before, "tier": tier, "active": active, "note": note})
    return entry
