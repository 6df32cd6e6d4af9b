"""Scorecard, expert totals, bid aggregation, ranking and score bands (REVIEW.md §3, examples S1–S3).

All arithmetic is Decimal. An expert's total is Σ weight% × score / scale × 100 on 0–100, rounded half-up
to 0.01 once; a bid's score is the mean of its experts' totals (fewer than 5) or the mean after dropping
one highest and one lowest (5 or more), rounded half-up to 0.01 once at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from marketplace.errors import RuleViolation

CENT = Decimal("0.01")
TRIM_FROM = 5             # experts needed before the highest and lowest totals are dropped
SPREAD_WARNING = Decimal(20)  # highest − lowest total above this: the experts disagree strongly
BANDS = ((Decimal(85), "A"), (Decimal(75), "B"), (Decimal(60), "C"))  # below 60: D
MAX_SCALE = 100


@dataclass(frozen=True)
class Criterion:
    name: str
    weight: Decimal  # percent of the total


@dataclass(frozen=True)
class Scorecard:
    """Criteria with weights summing to 100%, each scored 0–`scale` in whole points; a score below
    `comment_below` needs a written comment. Validated on construction (RuleViolation, Chinese)."""

    criteria: tuple[Criterion, ...]
    scale: int = 10
    comment_below: int = 6

    def __post_init__(self) -> None:
        validate_scorecard(self)


def _percent(value: object) -> Decimal:
    try:
        weight = Decimal(str(value))
    except InvalidOperation:
        raise RuleViolation(f"权重“{value}”不是数字") from None
    if not weight.is_finite() or weight <= 0 or weight != weight.quantize(CENT):
        raise RuleViolation(f"权重“{value}”须为大于 0 的百分数（最多两位小数）")
    return weight


def scorecard(criteria: Iterable[tuple[str, object]], *, scale: int = 10, comment_below: int = 6) -> Scorecard:
    """Build a scorecard from (name, weight percent) pairs, e.g. the bureau's form."""
    return Scorecard(tuple(Criterion(name.strip(), _percent(w)) for name, w in criteria), scale, comment_below)


def validate_scorecard(card: Scorecard) -> None:
    names = [c.name for c in card.criteria]
    if not names:
        raise RuleViolation("评分表至少需要一项评分指标")
    if any(not n for n in names) or len(set(names)) != len(names):
        raise RuleViolation("评分指标名称不能为空，也不能重复")
    total = sum((c.weight for c in card.criteria), Decimal(0))
    if total != 100:
        raise RuleViolation(f"各项权重之和须为 100%，现为 {total.normalize():f}%",
                            fields={"weights": "权重之和须为 100%"})
    if isinstance(card.scale, bool) or not isinstance(card.scale, int) or not 1 <= card.scale <= MAX_SCALE:
        raise RuleViolation(f"评分刻度须为 1 至 {MAX_SCALE} 的整数")
    if not 0 <= card.comment_below <= card.scale:
        raise RuleViolation(f"须填写意见的分数线须在 0 至 {card.scale} 之间")


DEFAULT_SCORECARD = scorecard([("技术路线与创新性", 40), ("团队能力与前期基础", 25),
                               ("指标可行性", 20), ("经费合理性", 15)])


def _score_errors(card: Scorecard, scores: Mapping[str, object], comments: Mapping[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for i, c in enumerate(card.criteria):
        value = scores.get(c.name)
        if value is None:
            errors[f"score_{i}"] = f"请为“{c.name}”打分"
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= card.scale:
            errors[f"score_{i}"] = f"“{c.name}”须为 0 至 {card.scale} 的整数分"
        elif value < card.comment_below and not (comments.get(c.name) or "").strip():
            errors[f"comment_{i}"] = f"“{c.name}”低于 {card.comment_below} 分，须填写评审意见"
    return errors


def expert_total(card: Scorecard, scores: Mapping[str, object], comments: Mapping[str, str] | None = None) -> Decimal:
    """Validate one expert's sheet and return its total on 0–100, rounded half-up to 0.01 once."""
    errors = _score_errors(card, scores, comments or {})
    if errors:
        raise RuleViolation("；".join(errors.values()), fields=errors)
    points = [Decimal(scores[c.name]) for c in card.criteria]  # type: ignore[arg-type]  # checked above
    raw = sum((c.weight * p / card.scale for c, p in zip(card.criteria, points, strict=False)), Decimal(0))
    return raw.quantize(CENT, ROUND_HALF_UP)


def bid_score(totals: Sequence[Decimal]) -> Decimal:
    """Mean of the experts' totals; with 5 or more, the mean after dropping one highest and one lowest."""
    if not totals:
        raise RuleViolation("该方案尚无专家评分")
    kept = sorted(totals)[1:-1] if len(totals) >= TRIM_FROM else list(totals)
    return (sum(kept, Decimal(0)) / len(kept)).quantize(CENT, ROUND_HALF_UP)


def spread(totals: Sequence[Decimal]) -> Decimal:
    return max(totals) - min(totals) if totals else Decimal(0)


def band(score: Decimal) -> str:
    """Feedback band for a bidder: A ≥ 85, B ≥ 75, C ≥ 60, D below."""
    return next((letter for floor, letter in BANDS if score >= floor), "D")


@dataclass(frozen=True)
class ExpertSheet:
    """One counted expert sheet: its total and the scores in the scorecard's criterion order."""

    total: Decimal
    scores: tuple[int, ...]


@dataclass(frozen=True)
class BidResult:
    bid_id: int
    received_at: datetime
    score: Decimal
    first_criterion_mean: Decimal  # mean of all experts' first-criterion scores (技术路线), unrounded
    spread: Decimal
    experts: int

    @property
    def spread_warning(self) -> bool:
        return self.spread > SPREAD_WARNING


def summarise(bid_id: int, received_at: datetime, sheets: Sequence[ExpertSheet]) -> BidResult:
    """Aggregate a bid's counted sheets (set-aside sheets are left out by the caller)."""
    totals = [s.total for s in sheets]
    first = sum((Decimal(s.scores[0]) for s in sheets), Decimal(0)) / len(sheets) if sheets else Decimal(0)
    return BidResult(bid_id, received_at, bid_score(totals), first, spread(totals), len(sheets))


@dataclass(frozen=True)
class RankedBid:
    rank: int
    of: int
    result: BidResult = field(repr=False)

    @property
    def bid_id(self) -> int:
        return self.result.bid_id


def rank(results: Iterable[BidResult]) -> tuple[RankedBid, ...]:
    """Higher score first; ties by the higher mean first-criterion score, then the earlier receipt."""
    ordered = sorted(results, key=lambda r: (-r.score, -r.first_criterion_mean, r.received_at, r.bid_id))
    return tuple(RankedBid(i, len(ordered), r) for i, r in enumerate(ordered, start=1))
