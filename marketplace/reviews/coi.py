"""Conflict of interest (回避): the one rule, as a pure function (REVIEW.md §1, examples C1–C13).

Automatic conflicts are computed from data and can never be waived; declared conflicts come from the
expert's own declaration and an officer may waive them with a written reason. A declaration of "no
conflict" never clears a detected one. Organisations are compared by 统一社会信用代码 (USCC), so two labs
of one university are one organisation and an affiliated hospital with its own code is another.
No database, no clock: callers pass plain facts and `today` (a Beijing date).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from marketplace.errors import Conflict, RuleViolation

# "Within 3 years" is inclusive: an affiliation that ended on the same calendar day three years ago counts.
AFFILIATION_YEARS = 3
# C8: on 2026-12-03 a collaboration "in 2022 or later" counts, i.e. the current calendar year and the
# four before it (a collaboration year is taken as lasting until its 31 December).
COLLABORATION_YEARS_BACK = 4


class CoiKind(StrEnum):
    AUTOMATIC = "automatic"
    DECLARED = "declared"
    DECLARED_WAIVED = "declared_waived"
    NONE = "none"


@dataclass(frozen=True)
class Affiliation:
    """An organisation the expert works or worked at; `end=None` means still there."""

    uscc: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Collaborator:
    """A person the expert co-authored or worked with, and the latest year of it."""

    person: str
    year: int


@dataclass(frozen=True)
class ExpertFacts:
    """`persons`: the keys the expert is known by (e.g. "user:12" and their name), compared with a
    bid's leader and members after removing whitespace and case (bids list members by name)."""

    persons: frozenset[str]
    affiliations: tuple[Affiliation, ...] = ()
    collaborators: tuple[Collaborator, ...] = ()
    team_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class BidFacts:
    lead_uscc: str
    partner_usccs: tuple[str, ...] = ()
    leader: str | None = None
    team_id: int | None = None
    members: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ChallengeFacts:
    company_uscc: str


@dataclass(frozen=True)
class Declaration:
    """The expert's per-bid declaration before opening it: no conflict, or a conflict in their words."""

    has_conflict: bool
    statement: str = ""


@dataclass(frozen=True)
class Waiver:
    officer_id: int
    reason: str


@dataclass(frozen=True)
class CoiResult:
    kind: CoiKind
    reasons: tuple[str, ...] = ()
    declared: bool = False  # the expert has made a declaration for this bid
    waiver: Waiver | None = None

    @property
    def blocks(self) -> bool:
        """May not be suggested, assigned or open the bid."""
        return self.kind in (CoiKind.AUTOMATIC, CoiKind.DECLARED)

    @property
    def may_open(self) -> bool:
        """May open the bid: declared first, and nothing blocking."""
        return self.declared and not self.blocks


class _Party(Protocol):
    organisation_id: int


class _BidParties(_Party, Protocol):
    partners: list[dict] | None


def organisations_in_conflict(bid: _BidParties, challenge: _Party) -> set[int]:
    """Organisations whose experts never review a bid (回避): the bidder's, every consortium
    partner's and the posting company's."""
    excluded = {bid.organisation_id, challenge.organisation_id}
    excluded |= {int(p["organisation_id"]) for p in bid.partners or [] if p.get("organisation_id")}
    return excluded


def normalise_uscc(code: str) -> str:
    return code.strip().upper()


_TITLE = re.compile(r"[（(][^（）()]*[）)]\s*$")


def person_key(value: str) -> str:
    """Compare people without whitespace (full-width included), case, or a trailing title in brackets
    ("邝志明（教授）" is 邝志明, as team profiles write their leaders)."""
    return "".join(_TITLE.sub("", value.strip()).split()).casefold()


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _relevant_usccs(expert: ExpertFacts, today: date) -> dict[str, Affiliation]:
    """The expert's organisations that count: current, or left on or after the cutoff day."""
    cutoff = years_before(today, AFFILIATION_YEARS)
    found: dict[str, Affiliation] = {}
    for a in expert.affiliations:
        started = a.start is None or a.start <= today
        if started and (a.end is None or a.end >= cutoff) and normalise_uscc(a.uscc):
            found.setdefault(normalise_uscc(a.uscc), a)
    return found


def _where(a: Affiliation, party: str) -> str:
    if a.end is None:
        return f"专家现任职于{party}"
    return f"专家曾任职于{party}（{a.end.isoformat()} 离职，未满 {AFFILIATION_YEARS} 年）"


def _organisation_reasons(expert: ExpertFacts, bid: BidFacts, challenge: ChallengeFacts,
                          today: date) -> Iterable[str]:
    mine = _relevant_usccs(expert, today)
    parties = [(bid.lead_uscc, "揭榜牵头单位"), *((p, "联合体成员单位") for p in bid.partner_usccs),
               (challenge.company_uscc, "发榜企业")]
    for code, party in parties:
        a = mine.get(normalise_uscc(code))
        if a is not None:
            yield f"{_where(a, party)}（统一社会信用代码 {normalise_uscc(code)}）"


def _person_reasons(expert: ExpertFacts, bid: BidFacts, today: date) -> Iterable[str]:
    me = {person_key(p) for p in expert.persons} - {""}
    team = {person_key(m) for m in (*bid.members, bid.leader or "")}
    if me & team or (bid.team_id is not None and bid.team_id in expert.team_ids):
        yield "专家是揭榜团队成员"
    leader = person_key(bid.leader or "")
    since = today.year - COLLABORATION_YEARS_BACK
    years = [c.year for c in expert.collaborators if leader and person_key(c.person) == leader and c.year >= since]
    if years:
        yield f"揭榜负责人是专家申报的合作者（{max(years)} 年）"


def automatic_reasons(expert: ExpertFacts, bid: BidFacts, challenge: ChallengeFacts,
                      today: date) -> tuple[str, ...]:
    """Every automatic conflict between the expert and the bid, in Chinese; empty when there is none."""
    return (*_organisation_reasons(expert, bid, challenge, today), *_person_reasons(expert, bid, today))


def assess(expert: ExpertFacts, bid: BidFacts, challenge: ChallengeFacts, today: date, *,
           declaration: Declaration | None = None, waiver: Waiver | None = None) -> CoiResult:
    """Classify the expert–bid pair: automatic / declared / declared-waived / none, with reasons.

    Raises Conflict when a waiver targets an automatic conflict (C13) or when there is nothing declared
    to waive, and RuleViolation when the waiver has no written reason.
    """
    declared = declaration is not None
    automatic = automatic_reasons(expert, bid, challenge, today)
    if automatic:
        if waiver is not None:
            raise Conflict("该回避由系统依据数据自动认定，不能豁免：" + "；".join(automatic))
        return CoiResult(CoiKind.AUTOMATIC, automatic, declared)
    if declaration is None or not declaration.has_conflict:
        if waiver is not None:
            raise Conflict("专家未申报利益冲突，没有可豁免的回避")
        return CoiResult(CoiKind.NONE, (), declared)
    said = declaration.statement.strip()
    stated = (f"专家申报：{said}" if said else "专家申报存在利益冲突",)
    if waiver is None:
        return CoiResult(CoiKind.DECLARED, stated, declared)
    check_waiver_reason(waiver)
    return CoiResult(CoiKind.DECLARED_WAIVED, (*stated, f"科技局豁免：{waiver.reason.strip()}"), declared, waiver)


def check_waiver_reason(waiver: Waiver) -> None:
    """A waiver must say why, in writing (it is kept in the audit log)."""
    if not waiver.reason.strip():
        raise RuleViolation("豁免回避须填写理由", fields={"reason": "请填写豁免理由"})


def ensure_assignable(result: CoiResult) -> None:
    """Refuse to suggest, assign or open with a blocking conflict (manual assignment included)."""
    if result.blocks:
        raise Conflict("该专家与此揭榜方案存在利益冲突，需回避：" + "；".join(result.reasons))


def blocked_pairs(experts: dict[int, ExpertFacts], bids: dict[int, BidFacts], challenge: ChallengeFacts,
                  today: date, declarations: dict[tuple[int, int], Declaration] | None = None,
                  waivers: dict[tuple[int, int], Waiver] | None = None) -> frozenset[tuple[int, int]]:
    """Every (bid id, expert id) pair that may not be assigned, for the panel assignment."""
    declarations, waivers = declarations or {}, waivers or {}
    return frozenset(
        (b, e) for b, bid in bids.items() for e, facts in experts.items()
        if assess(facts, bid, challenge, today, declaration=declarations.get((b, e)),
                  waiver=waivers.get((b, e))).blocks)
