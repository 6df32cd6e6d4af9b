"""Recording and reading credit memory. Officers (or the system, for workflows such as contracts) record;
only officers read. Every record writes an audit event in the same transaction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from marketplace import db, states
from marketplace.accounts.models import Organisation
from marketplace.actor import SYSTEM, Actor
from marketplace.audit import service as audit
from marketplace.clock import utcnow
from marketplace.credit.models import ADVERSE, KIND_LABELS, CreditKind, CreditRecord
from marketplace.errors import NotFound, RuleViolation

SUBJECT_LINKS = {"challenge": "/challenges/{}", "organisation": "/officer/organisations/{}/credit",
                 "contract": "/contracts/{}", "subsidy": "/subsidies/{}"}


def can_read(actor: Actor) -> tuple[bool, str]:
    return (True, "") if actor.is_officer else (False, "信用记录仅供科技局工作人员查看")


def can_record(actor: Actor) -> tuple[bool, str]:
    return (True, "") if actor is SYSTEM or actor.is_officer else (False, "只有科技局工作人员可以记录信用信息")


@db.use_case
def record(*, session: Session, actor: Actor, organisation_id: int, kind: str, note: str = "",
           subject_type: str = "", subject_id: object = "") -> CreditRecord:
    """Remember one outcome or breach of an organisation (with the event it rests on)."""
    states.require(can_record(actor))
    if kind not in {k.value for k in CreditKind}:
        raise RuleViolation("信用记录类型无效", fields={"kind": "请选择记录类型"})
    note = (note or "").strip()
    if len(note) > 2000:
        raise RuleViolation("说明不超过 2000 字", fields={"note": "说明不超过 2000 字"})
    if kind in ADVERSE and not note:
        raise RuleViolation("不良记录须写明事实与依据", fields={"note": "请写明事实与依据"})
    if session.get(Organisation, organisation_id) is None:
        raise NotFound("单位不存在")
    row = CreditRecord(organisation_id=organisation_id, kind=kind, occurred_on=utcnow(), note=note,
                       subject_type=str(subject_type)[:30], subject_id=str(subject_id)[:40],
                       recorded_by=actor.user_id)
    session.add(row)
    session.flush()
    audit.record(session=session, actor=actor, action="credit.recorded", subject_type="organisation",
                 subject_id=organisation_id, summary={"kind": kind, "record": row.id,
                                                      "subject": f"{subject_type}:{subject_id}"})
    return row


def remember(*, session: Session, actor: Actor, organisation_ids: list[int | None], kind: CreditKind, note: str,
             subject_type: str, subject_id: object) -> list[CreditRecord]:
    """What a workflow calls when an outcome or breach happens (inside the workflow's transaction): one record
    per organisation, recorded by the acting officer or else by the system; the same fact is kept once."""
    by = actor if actor.is_officer else SYSTEM
    note = (note or "").strip()[:2000] or KIND_LABELS[kind]
    out = []
    for org_id in dict.fromkeys(o for o in organisation_ids if o):
        if session.exec(select(CreditRecord.id).where(
                CreditRecord.organisation_id == org_id, CreditRecord.kind == kind.value,
                CreditRecord.subject_type == subject_type, CreditRecord.subject_id == str(subject_id)[:40],
                CreditRecord.note == note)).first() is None:
            out.append(record(session=session, actor=by, organisation_id=org_id, kind=kind.value, note=note,
                              subject_type=subject_type, subject_id=subject_id))
    return out


@dataclass
class Memory:
    organisation_id: int
    counts: Counter = field(default_factory=Counter)

    @property
    def adverse(self) -> int:
        return sum(n for k, n in self.counts.items() if k in ADVERSE)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        return "、".join(f"{KIND_LABELS[CreditKind(k)]} {n}" for k, n in sorted(self.counts.items()))


def memories(*, session: Session, actor: Actor, organisation_ids: set[int]) -> dict[int, Memory]:
    """Counts per kind for each organisation (one grouped query); {} for anyone but officers."""
    if not can_read(actor)[0] or not organisation_ids:
        return {}
    out: dict[int, Memory] = {}
    for org_id, kind, n in session.exec(select(CreditRecord.organisation_id, CreditRecord.kind, func.count())
                                        .where(col(CreditRecord.organisation_id).in_(organisation_ids))
                                        .group_by(CreditRecord.organisation_id, CreditRecord.kind)).all():
        out.setdefault(org_id, Memory(org_id)).counts[kind] = int(n)
    return out


def records(*, session: Session, actor: Actor, organisation_id: int) -> list[CreditRecord]:
    states.require(can_read(actor))
    return list(session.exec(select(CreditRecord).where(CreditRecord.organisation_id == organisation_id)
                             .order_by(col(CreditRecord.occurred_on).desc(), col(CreditRecord.id).desc())).all())


def link_of(row: CreditRecord) -> str:
    pattern = SUBJECT_LINKS.get(row.subject_type)
    return pattern.format(row.subject_id) if pattern and row.subject_id else ""
