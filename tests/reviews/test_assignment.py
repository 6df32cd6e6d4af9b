"""REVIEW.md §2: panel assignment — example A1, infeasible panels, and properties against brute force."""

from datetime import date
from itertools import combinations, product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.errors import RuleViolation
from marketplace.reviews.assignment import UNITS, assign
from marketplace.reviews.coi import Affiliation, BidFacts, ChallengeFacts, Collaborator, ExpertFacts, blocked_pairs

A1 = {  # (bid, expert) → affinity; E2 is conflicted with B1
    (1, 1): 0.82, (1, 2): 0.40, (1, 3): 0.15, (1, 4): 0.55,
    (2, 1): 0.30, (2, 2): 0.78, (2, 3): 0.62, (2, 4): 0.20,
    (3, 1): 0.25, (3, 2): 0.70, (3, 3): 0.66, (3, 4): 0.58,
}


def test_a1_finds_the_unique_optimum():
    result = assign([1, 2, 3], [1, 2, 3, 4], A1, {(1, 2)}, reviewers_per_bid=2, max_load=2)
    assert result.panels == {1: (1, 4), 2: (2, 3), 3: (2, 3)}
    assert result.loads == {1: 1, 2: 2, 3: 2, 4: 1}
    assert result.total_units == 4_130_000 and result.total == pytest.approx(4.13)
    assert result.complete and result.message == ""


def test_a_conflicted_pair_is_never_used_however_high_its_affinity():
    tempting = {**A1, (1, 2): 1.0}
    assert 2 in assign([1, 2, 3], [1, 2, 3, 4], tempting, set(), reviewers_per_bid=2, max_load=2).panels[1]
    assert 2 not in assign([1, 2, 3], [1, 2, 3, 4], tempting, {(1, 2)}, reviewers_per_bid=2, max_load=2).panels[1]


def test_too_few_conflict_free_experts_says_which_bids_lack_how_many():
    conflicts = {(1, 1), (1, 2), (1, 3), (2, 1)}
    result = assign([1, 2], [1, 2, 3, 4], {}, conflicts, reviewers_per_bid=3, max_load=5)
    assert result.shortfall == {1: 2}
    assert result.panels == {1: (4,), 2: (2, 3, 4)}
    assert result.message == "无利益冲突的评审专家不足，无法组成完整评审组：方案 #1 缺 2 名"
    with pytest.raises(RuleViolation, match="方案 #1 缺 2 名") as caught:
        result.require_complete()
    assert caught.value.fields == {"bid_1": "缺少 2 名评审专家"}


def test_load_limits_can_make_a_panel_infeasible():
    result = assign([1, 2, 3], [1, 2], {}, set(), reviewers_per_bid=2, max_load=2)
    assert sum(result.shortfall.values()) == 2
    assert all(load <= 2 for load in result.loads.values())


def test_equal_affinities_go_to_lower_expert_ids():
    result = assign([1], [9, 3, 5], {}, set(), reviewers_per_bid=2, max_load=1)
    assert result.panels == {1: (3, 5)}


@pytest.mark.parametrize("r, load", [(0, 2), (2, 0)])
def test_zero_reviewers_or_zero_load_is_refused(r, load):
    with pytest.raises(RuleViolation, match="至少为 1"):
        assign([1], [1], {}, set(), reviewers_per_bid=r, max_load=load)


def test_a_negative_affinity_is_refused():
    with pytest.raises(RuleViolation, match="匹配度"):
        assign([1], [1], {(1, 1): -0.1}, set(), reviewers_per_bid=1, max_load=1)


# --- properties -------------------------------------------------------------------------------------

TODAY = date(2026, 12, 3)
ORGS = ["91110000000000000A", "91110000000000000B", "91110000000000000C", "91110000000000000D"]
orgs = st.sampled_from(ORGS)
names = st.sampled_from(["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊"])


@st.composite
def experts(draw, n):
    return {e: ExpertFacts(
        persons=frozenset({f"user:{100 + e}", draw(names)}),
        affiliations=(Affiliation(draw(orgs), end=draw(st.none() | st.dates(date(2020, 1, 1), TODAY))),),
        collaborators=tuple(Collaborator(draw(names), draw(st.integers(2018, 2026)))
                            for _ in range(draw(st.integers(0, 2)))),
        team_ids=frozenset(draw(st.sets(st.integers(1, 4), max_size=1))),
    ) for e in range(1, n + 1)}


@st.composite
def bids(draw, n):
    return {b: BidFacts(lead_uscc=draw(orgs), partner_usccs=tuple(draw(st.lists(orgs, max_size=1))),
                        leader=draw(names), team_id=draw(st.integers(1, 4)),
                        members=frozenset(draw(st.sets(names, max_size=2))))
            for b in range(1, n + 1)}


@st.composite
def problems(draw):
    nb, ne = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    expert_facts, bid_facts = draw(experts(ne)), draw(bids(nb))
    conflicts = blocked_pairs(expert_facts, bid_facts, ChallengeFacts(draw(orgs)), TODAY)
    affinity = {(b, e): draw(st.integers(0, 20)) / 20 for b in bid_facts for e in expert_facts}
    return list(bid_facts), list(expert_facts), affinity, conflicts, draw(st.integers(1, 2)), draw(st.integers(1, 2))


def brute_force(bids_, experts_, affinity, conflicts, r, load):
    """(seats filled, total units) of the best assignment, by trying every panel of every bid."""
    def panels(b):
        free = [e for e in experts_ if (b, e) not in conflicts]
        return [c for k in range(r + 1) for c in combinations(free, k)]
    best = (0, 0)
    for choice in product(*(panels(b) for b in bids_)):
        used = [e for panel in choice for e in panel]
        if all(used.count(e) <= load for e in experts_):
            units = sum(round(affinity[(b, e)] * UNITS) for b, panel in zip(bids_, choice, strict=False) for e in panel)
            best = max(best, (len(used), units))
    return best


@settings(max_examples=150, deadline=None)
@given(problems())
def test_assignment_is_conflict_free_within_limits_and_optimal(problem):
    bids_, experts_, affinity, conflicts, r, load = problem
    result = assign(bids_, experts_, affinity, conflicts, reviewers_per_bid=r, max_load=load)
    pairs = [(b, e) for b, panel in result.panels.items() for e in panel]
    assert not set(pairs) & conflicts
    assert all(len(set(panel)) == len(panel) <= r for panel in result.panels.values())
    assert all(sum(e == x for _, x in pairs) <= load for e in experts_)
    assert result.shortfall == {b: r - len(p) for b, p in result.panels.items() if len(p) < r}
    assert (len(pairs), result.total_units) == brute_force(bids_, experts_, affinity, conflicts, r, load)
