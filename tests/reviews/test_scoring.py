"""REVIEW.md §3: scorecard, expert totals, aggregation and ranking — examples S1–S3 exactly, plus properties."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.errors import RuleViolation
from marketplace.reviews.scoring import (
    DEFAULT_SCORECARD,
    ExpertSheet,
    band,
    bid_score,
    expert_total,
    rank,
    scorecard,
    summarise,
)

NAMES = [c.name for c in DEFAULT_SCORECARD.criteria]
RECEIVED = datetime(2026, 11, 20, 9, 0)
ECON = "经费合理性"


def sheet(*scores: int, comment: str = "经费测算依据不足") -> ExpertSheet:
    comments = {n: comment for n, s in zip(NAMES, scores, strict=False) if s < 6}
    return ExpertSheet(expert_total(DEFAULT_SCORECARD, dict(zip(NAMES, scores, strict=False)), comments), scores)


S1 = [(8, 7, 9, 6), (9, 8, 8, 7), (6, 6, 7, 5), (7, 9, 8, 8), (10, 9, 9, 9)]
S2 = [(8, 8, 8, 8), (7, 7, 7, 7), (9, 6, 8, 7)]


def test_default_scorecard_is_the_bureaus():
    assert [(c.name, c.weight) for c in DEFAULT_SCORECARD.criteria] == [
        ("技术路线与创新性", 40), ("团队能力与前期基础", 25), ("指标可行性", 20), ("经费合理性", 15)]
    assert DEFAULT_SCORECARD.scale == 10


def test_s1_five_experts_trimmed_mean_and_spread_warning():
    sheets = [sheet(*s) for s in S1]
    assert [s.total for s in sheets] == [Decimal(x) for x in ("76.50", "82.50", "60.50", "78.50", "94.00")]
    result = summarise(1, RECEIVED, sheets)
    assert result.score == Decimal("79.17")
    assert result.spread == Decimal("33.50") and result.spread_warning


def test_s1_e3_needs_a_comment_on_the_budget():
    with pytest.raises(RuleViolation, match="“经费合理性”低于 6 分，须填写评审意见") as caught:
        expert_total(DEFAULT_SCORECARD, dict(zip(NAMES, (6, 6, 7, 5), strict=False)))
    assert list(caught.value.fields) == ["comment_3"]


def test_s2_three_experts_plain_mean_without_warning():
    result = summarise(2, RECEIVED, [sheet(*s) for s in S2])
    assert [s.total for s in [sheet(*s) for s in S2]] == [Decimal("80.00"), Decimal("70.00"), Decimal("77.50")]
    assert result.score == Decimal("75.83")
    assert result.spread == Decimal("10.00") and not result.spread_warning


def test_s3_equal_scores_rank_by_the_mean_technical_route_score():
    x = summarise(1, RECEIVED, [sheet(*s) for s in S1])
    z_sheets = [sheet(*s) for s in [(10, 9, 8, 6), (9, 10, 10, 10), (8, 6, 10, 8), (7, 6, 6, 9), (7, 7, 6, 9)]]
    z = summarise(3, RECEIVED + timedelta(days=1), z_sheets)
    assert z.score == x.score == Decimal("79.17")
    assert x.first_criterion_mean == Decimal("8.0") and z.first_criterion_mean == Decimal("8.2")
    assert [r.bid_id for r in rank([x, z])] == [3, 1]


def test_equal_score_and_technical_mean_rank_by_earlier_receipt():
    early = summarise(8, RECEIVED, [sheet(8, 8, 8, 8)])
    late = summarise(4, RECEIVED + timedelta(minutes=1), [sheet(8, 8, 8, 8)])
    ranked = rank([late, early])
    assert [(r.rank, r.of, r.bid_id) for r in ranked] == [(1, 2, 8), (2, 2, 4)]


def test_rounding_is_half_up_once():
    assert bid_score([Decimal("70.00"), Decimal("70.01"), Decimal("70.00"), Decimal("70.01")]) == Decimal("70.01")
    assert bid_score([Decimal("0.01"), Decimal("0.00")]) == Decimal("0.01")


@pytest.mark.parametrize("scores, field, message", [
    ((11, 8, 8, 8), "score_0", "须为 0 至 10 的整数分"),
    ((-1, 8, 8, 8), "score_0", "须为 0 至 10 的整数分"),
    ((8, 7.5, 8, 8), "score_1", "须为 0 至 10 的整数分"),
    ((8, True, 8, 8), "score_1", "须为 0 至 10 的整数分"),
    ((8, 8, 8), "score_3", "请为“经费合理性”打分"),
])
def test_bad_scores_are_refused_in_chinese(scores, field, message):
    with pytest.raises(RuleViolation, match=message) as caught:
        expert_total(DEFAULT_SCORECARD, dict(zip(NAMES, scores, strict=False)))
    assert field in caught.value.fields


@pytest.mark.parametrize("criteria, scale, message", [
    ([("技术", 60), ("经费", 30)], 10, "权重之和须为 100%，现为 90%"),
    ([("技术", 60), ("技术", 40)], 10, "不能重复"),
    ([("技术", 100), ("经费", 0)], 10, "大于 0"),
    ([("技术", "abc")], 10, "不是数字"),
    ([], 10, "至少需要一项"),
    ([("技术", 100)], 0, "1 至 100 的整数"),
])
def test_bad_scorecards_are_refused_in_chinese(criteria, scale, message):
    with pytest.raises(RuleViolation, match=message):
        scorecard(criteria, scale=scale, comment_below=0)


def test_an_edited_scorecard_uses_its_own_scale_and_weights():
    card = scorecard([("技术路线", "62.5"), ("经费", "37.5")], scale=5, comment_below=3)
    assert expert_total(card, {"技术路线": 5, "经费": 3}) == Decimal("85.00")  # 62.5 + 37.5 × 3/5


@pytest.mark.parametrize("score, letter", [("85.00", "A"), ("84.99", "B"), ("75.00", "B"), ("60.00", "C"),
                                           ("59.99", "D")])
def test_score_bands(score, letter):
    assert band(Decimal(score)) == letter


@st.composite
def cards_and_scores(draw):
    n = draw(st.integers(1, 6))
    cuts = sorted(draw(st.lists(st.integers(1, 9_999), min_size=n - 1, max_size=n - 1, unique=True)))
    weights = [Decimal(b - a) / 100 for a, b in zip([0, *cuts], [*cuts, 10_000], strict=False)]
    scale = draw(st.integers(1, 20))
    card = scorecard([(f"指标{i}", w) for i, w in enumerate(weights)], scale=scale, comment_below=0)
    return card, {c.name: draw(st.integers(0, scale)) for c in card.criteria}


@given(cards_and_scores())
def test_an_expert_total_is_always_within_0_and_100(case):
    card, scores = case
    assert Decimal(0) <= expert_total(card, scores) <= Decimal(100)


@given(st.lists(st.decimals(0, 100, places=2), min_size=1, max_size=12))
def test_a_bid_score_lies_between_the_lowest_and_highest_total(totals):
    assert min(totals) <= bid_score(totals) <= max(totals)
