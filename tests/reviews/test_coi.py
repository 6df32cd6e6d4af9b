"""REVIEW.md §1: every conflict-of-interest example C1–C13 as one table (today 2026-12-03)."""

from datetime import date

import pytest

from marketplace.errors import Conflict, RuleViolation
from marketplace.reviews.coi import (
    Affiliation,
    BidFacts,
    ChallengeFacts,
    CoiKind,
    Collaborator,
    Declaration,
    ExpertFacts,
    Waiver,
    assess,
    blocked_pairs,
    ensure_assignable,
)

TODAY = date(2026, 12, 3)
UNIVERSITY = "12100000400000624D"   # the bidder's university (all its labs share this code)
HOSPITAL = "12310000425005367X"     # the university's affiliated hospital, its own legal person
PARTNER = "91320500MA1N8QWX2K"
COMPANY = "91310115MA1K4ABC3P"
ELSEWHERE = "91440300MA5FXYZ01Q"
LEADER, MEMBER, EXPERT = "王建国", "李娜", "user:900"

BID = BidFacts(lead_uscc=UNIVERSITY, partner_usccs=(PARTNER,), leader=LEADER, team_id=70,
               members=frozenset({LEADER, MEMBER}))
CHALLENGE = ChallengeFacts(company_uscc=COMPANY)


def expert(*affiliations: Affiliation, collaborators=(), team_ids=frozenset(), person=EXPERT) -> ExpertFacts:
    return ExpertFacts(persons=frozenset({person, "陈专家"}), affiliations=affiliations or (Affiliation(ELSEWHERE),),
                       collaborators=tuple(collaborators), team_ids=frozenset(team_ids))


def left(code: str, end: date) -> Affiliation:
    return Affiliation(code, start=date(2015, 9, 1), end=end)


ADVISED = Declaration(has_conflict=True, statement="去年曾为该团队提供技术咨询")
WAIVER = Waiver(officer_id=7, reason="咨询内容与本榜单无关，经核实不影响公正评审")

ROWS = [
    # id, expert, declaration, waiver, expected kind, a reason must mention
    ("C1", expert(Affiliation(UNIVERSITY)), None, None, CoiKind.AUTOMATIC, "揭榜牵头单位"),
    ("C2", expert(Affiliation(PARTNER)), None, None, CoiKind.AUTOMATIC, "联合体成员单位"),
    ("C3", expert(Affiliation(COMPANY)), None, None, CoiKind.AUTOMATIC, "发榜企业"),
    ("C4", expert(left(UNIVERSITY, date(2024, 6, 30)), Affiliation(ELSEWHERE)), None, None,
     CoiKind.AUTOMATIC, "2024-06-30 离职"),
    ("C5", expert(left(UNIVERSITY, date(2023, 12, 3)), Affiliation(ELSEWHERE)), None, None,
     CoiKind.AUTOMATIC, "2023-12-03 离职"),
    ("C6", expert(left(UNIVERSITY, date(2023, 12, 2)), Affiliation(ELSEWHERE)), None, None, CoiKind.NONE, None),
    ("C7", expert(person=" 李 娜 "), None, None, CoiKind.AUTOMATIC, "揭榜团队成员"),
    ("C7 by team", expert(team_ids={70}), None, None, CoiKind.AUTOMATIC, "揭榜团队成员"),
    ("C8", expert(collaborators=[Collaborator(LEADER, 2022)]), None, None, CoiKind.AUTOMATIC, "合作者（2022 年）"),
    ("C8 earlier", expert(collaborators=[Collaborator(LEADER, 2021)]), None, None, CoiKind.NONE, None),
    ("C9", expert(Affiliation(" 12100000400000624d ")), None, None, CoiKind.AUTOMATIC, UNIVERSITY),
    ("C10", expert(Affiliation(HOSPITAL)), None, None, CoiKind.NONE, None),
    ("C10 declared", expert(Affiliation(HOSPITAL)), Declaration(True, "附属医院与该校合作紧密"), None,
     CoiKind.DECLARED, "附属医院"),
    ("C11", expert(Affiliation(UNIVERSITY)), Declaration(has_conflict=False), None, CoiKind.AUTOMATIC, "揭榜牵头单位"),
    ("C12 declared", expert(), ADVISED, None, CoiKind.DECLARED, "提供技术咨询"),
    ("C12 waived", expert(), ADVISED, WAIVER, CoiKind.DECLARED_WAIVED, "经核实不影响公正评审"),
    ("no conflict", expert(), Declaration(has_conflict=False), None, CoiKind.NONE, None),
]


@pytest.mark.parametrize("row, facts, declaration, waiver, kind, mention", ROWS, ids=[r[0] for r in ROWS])
def test_conflict_table(row, facts, declaration, waiver, kind, mention):
    result = assess(facts, BID, CHALLENGE, TODAY, declaration=declaration, waiver=waiver)
    assert result.kind == kind
    assert result.blocks == (kind in (CoiKind.AUTOMATIC, CoiKind.DECLARED))
    if mention is None:
        assert result.reasons == ()
    else:
        assert any(mention in reason for reason in result.reasons), result.reasons


def test_c12_waived_expert_may_review_and_the_waiver_is_kept():
    result = assess(expert(), BID, CHALLENGE, TODAY, declaration=ADVISED, waiver=WAIVER)
    assert result.may_open and result.waiver == WAIVER


def test_c13_waiving_an_automatic_conflict_is_refused():
    with pytest.raises(Conflict, match="不能豁免"):
        assess(expert(Affiliation(UNIVERSITY)), BID, CHALLENGE, TODAY, declaration=ADVISED, waiver=WAIVER)


def test_nothing_declared_cannot_be_waived():
    with pytest.raises(Conflict, match="没有可豁免"):
        assess(expert(), BID, CHALLENGE, TODAY, waiver=WAIVER)


def test_a_waiver_needs_a_written_reason():
    with pytest.raises(RuleViolation, match="理由") as caught:
        assess(expert(), BID, CHALLENGE, TODAY, declaration=ADVISED, waiver=Waiver(7, "  "))
    assert "reason" in caught.value.fields


def test_an_expert_must_declare_before_opening_a_bid():
    assert not assess(expert(), BID, CHALLENGE, TODAY).may_open
    assert assess(expert(), BID, CHALLENGE, TODAY, declaration=Declaration(False)).may_open


def test_an_affiliation_that_starts_later_does_not_count_yet():
    future = Affiliation(UNIVERSITY, start=date(2027, 3, 1))
    assert assess(expert(future), BID, CHALLENGE, TODAY).kind == CoiKind.NONE


def test_every_automatic_reason_is_listed():
    facts = expert(Affiliation(UNIVERSITY), Affiliation(COMPANY), person=MEMBER)
    assert len(assess(facts, BID, CHALLENGE, TODAY).reasons) == 3


def test_a_conflicted_expert_cannot_be_assigned_by_hand():
    with pytest.raises(Conflict, match="需回避"):
        ensure_assignable(assess(expert(Affiliation(PARTNER)), BID, CHALLENGE, TODAY))
    ensure_assignable(assess(expert(), BID, CHALLENGE, TODAY))


def test_blocked_pairs_lists_automatic_and_unwaived_declared_conflicts():
    experts = {1: expert(Affiliation(UNIVERSITY)), 2: expert(), 3: expert()}
    declared = {(10, 2): ADVISED, (10, 3): ADVISED}
    assert blocked_pairs(experts, {10: BID}, CHALLENGE, TODAY, declared, {(10, 3): WAIVER}) == {(10, 1), (10, 2)}


@pytest.mark.parametrize("leader", ["王建国（教授）", "王建国 (研究员)", " 王 建国 "])
def test_a_leader_written_with_a_title_is_still_the_declared_collaborator(leader):
    bid = BidFacts(lead_uscc=UNIVERSITY, leader=leader, team_id=70)
    result = assess(expert(collaborators=[Collaborator(LEADER, 2023)]), bid, CHALLENGE, TODAY)
    assert result.kind == CoiKind.AUTOMATIC and "合作者" in result.reasons[0]


def test_a_different_person_with_a_title_is_not_a_collaborator():
    bid = BidFacts(lead_uscc=UNIVERSITY, leader="王建军（教授）", team_id=70)
    assert assess(expert(collaborators=[Collaborator(LEADER, 2023)]), bid, CHALLENGE, TODAY).kind == CoiKind.NONE
