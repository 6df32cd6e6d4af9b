"""The dashboard's later stages (award → contract → acceptance → subsidy, review progress, expert load):
each domain aggregate against a hand-computed fixture, the filters, and the page's panels."""

from datetime import date, timedelta

import pytest

from marketplace.accounts.models import ExpertProfile, Role
from marketplace.challenges import stats
from marketplace.contracts import queries as contract_stats
from marketplace.contracts.models import Acceptance, Contract, ContractFile, Milestone, Payment
from marketplace.reports import dashboard
from marketplace.reviews import queries as review_stats
from marketplace.reviews.models import ReviewAssignment, ReviewPanel, ReviewScore
from marketplace.subsidies import queries as subsidy_stats
from marketplace.subsidies.models import LedgerEntry, Subsidy, SubsidyPool
from tests import factories as f

TODAY = date(2026, 6, 15)
ALL = stats.StatsFilter()


def snapshot(session, flt=ALL) -> dict:
    return {
        "pipeline": dict(stats.pipeline(session, flt)) | contract_stats.pipeline_counts(session, flt)
        | {"paid": subsidy_stats.paid_challenges(session, flt)},
        "funds": contract_stats.funds(session, flt) | subsidy_stats.funds(session, flt),
        "execution": contract_stats.execution(session, flt, today=TODAY),
        "outcomes": contract_stats.outcomes(session, flt),
        "pools": {n: (y, b, u) for n, y, b, u in subsidy_stats.pool_use(session, flt)},
        "progress": {cid: (n, d) for cid, _, n, d in review_stats.panel_progress(session, flt, limit=10_000)},
        "load": {b: (n, d) for b, n, d in review_stats.expert_load(session, flt)},
    }


def minus(after: dict, before: dict) -> dict:
    out = {}
    for key in ("pipeline", "funds", "execution", "outcomes", "load"):
        zero = (0, 0) if key == "load" else 0
        out[key] = {k: (tuple(a - b for a, b in zip(v, before[key].get(k, zero), strict=True))
                        if key == "load" else v - before[key].get(k, 0)) for k, v in after[key].items()}
        out[key] = {k: v for k, v in out[key].items() if v not in (0, (0, 0))}
    out["pools"] = {k: v for k, v in after["pools"].items() if k not in before["pools"]}
    out["progress"] = {k: v for k, v in after["progress"].items() if k not in before["progress"]}
    return out


def _contract(session, challenge, bid, officer, *, status, committed, signed=True, end_on=TODAY, outcome=None):
    c = Contract(challenge_id=challenge.id, bid_id=bid.id, title=challenge.title,
                 company_org_id=challenge.organisation_id, team_org_id=bid.organisation_id, amount_fen=5_000_000,
                 committed_fen=committed, start_on=TODAY - timedelta(days=400), end_on=end_on, status=status,
                 signed_on=TODAY - timedelta(days=400) if signed else None, outcome=outcome, created_by=officer.id)
    session.add(c)
    session.flush()
    voucher = ContractFile(contract_id=c.id, purpose="voucher", filename="凭证.pdf", content_type="application/pdf",
                           size=10, sha256="0" * 64, storage_key=f"k{c.id}-{id(c)}", uploaded_by=officer.id)
    session.add(voucher)
    session.flush()
    return c, voucher


def _subsidy(session, contract, *, disbursed, entries):
    s = Subsidy(contract_id=contract.id, challenge_id=contract.challenge_id, title=contract.title,
                beneficiary_org_id=contract.company_org_id, team_org_id=contract.team_org_id, policy_code="P",
                policy_version="P@x", year=2026, case={}, result={}, entitlement_fen=0, awarded_fen=0,
                disbursed_fen=disbursed, status="approved")
    session.add(s)
    session.flush()
    previous = None
    for kind, account, amount, pool in entries:
        e = LedgerEntry(subsidy_id=s.id, kind=kind, account=account, amount_fen=amount,
                        beneficiary_org_id=s.beneficiary_org_id, policy_code="P", award_date=TODAY, pool=pool,
                        reverses_id=previous.id if kind == "reversal" else None)
        session.add(e)
        session.flush()
        previous = e
    return s


@pytest.fixture
def scene(session):
    """Six challenges of one 黄埔区 company in 高端装备; contracts K1 (accepted), K2 (executing), K3 (failed after
    one rectification round), K4 (unsigned); two subsidies; two pools; one open review panel of three experts."""
    before = snapshot(session)
    org = f.organisation(session, district="黄埔区")
    company = f.user(session, role=Role.COMPANY, org=org)
    officer = f.user(session, role=Role.OFFICER)
    profile = f.team(session)

    def challenge(status):
        c = f.challenge(session, company=company, status=status, industry="高端装备", deadline_days=-90)
        return c, f.bid(session, challenge=c, team_profile=profile, status="qualified")

    (ch1, b1), (ch2, b2), (_ch3, _), (ch4, _), (ch5, b5), (ch6, b6) = (
        challenge("awarded"), challenge("awarded"), challenge("decided"), challenge("in_review"),
        challenge("awarded"), challenge("awarded"))
    k1, v1 = _contract(session, ch1, b1, officer, status="accepted", committed=10_000_000, outcome="passed",
                       end_on=TODAY - timedelta(days=10))
    k2, v2 = _contract(session, ch2, b2, officer, status="signed", committed=2_000_000,
                       end_on=TODAY + timedelta(days=20))
    k3, _ = _contract(session, ch5, b5, officer, status="failed", committed=3_000_000, outcome="failed",
                      end_on=TODAY + timedelta(days=5))
    _contract(session, ch6, b6, officer, status="signing", committed=99, signed=False, end_on=TODAY + timedelta(1))
    for seq, (k, due, status) in enumerate([(k2, -5, "pending"), (k2, -5, "confirmed"), (k2, 10, "pending"),
                                            (k1, -30, "pending")]):
        session.add(Milestone(contract_id=k.id, seq=seq, title=f"里程碑{seq}", due_month=6,
                              due_on=TODAY + timedelta(days=due), status=status))
    for k, v, amount, status in [(k1, v1, 3_000_000, "checked"), (k1, v1, 1_000_000, "received"),
                                 (k2, v2, 500_000, "checked")]:
        session.add(Payment(contract_id=k.id, amount_fen=amount, paid_on=TODAY, voucher_file_id=v.id, status=status,
                            recorded_by=company.id))
    for k, rnd, verdict in [(k1, 1, "passed"), (k3, 1, "failed_rectifiable"), (k3, 2, "failed")]:
        session.add(Acceptance(contract_id=k.id, round=rnd, requested_by=officer.id, verdict=verdict))
    pool = f"测试资金池{org.id}"
    session.add(SubsidyPool(name=pool, policy_code="P", year=2026, total_fen=5_000_000))
    session.add(SubsidyPool(name=pool + "乙", policy_code="Q", year=2025, total_fen=1_000_000))
    _subsidy(session, k1, disbursed=400_000, entries=[("award", "entitlement", 1_000_000, pool),
                                                      ("payment", "paid", 400_000, None)])
    _subsidy(session, k2, disbursed=0, entries=[("award", "entitlement", 600_000, pool),
                                                ("reversal", "entitlement", -600_000, pool)])
    # The open panel on ch4: E1 two assignments (one sheet in), E2 one (its sheet set aside) and one withdrawn,
    # E3 one (no sheet); and an assignment of E3 on an awarded challenge, which is not an open panel.
    experts = []
    for _ in range(3):
        u = f.user(session, role=Role.EXPERT)
        e = ExpertProfile(user_id=u.id, title="教授", fields=["装备"], bio="")
        session.add(e)
        session.flush()
        experts.append(e)
    e1, e2, e3 = experts
    bids = [f.bid(session, challenge=ch4, status="qualified") for _ in range(2)]
    panel = ReviewPanel(challenge_id=ch4.id, created_by=officer.id)
    closed_panel = ReviewPanel(challenge_id=ch1.id, created_by=officer.id)
    session.add_all([panel, closed_panel])
    session.flush()
    for expert, bid, status, sheet in [(e1, bids[0], "active", "in"), (e1, bids[1], "active", None),
                                       (e2, bids[0], "active", "set_aside"), (e2, bids[1], "withdrawn", None),
                                       (e3, bids[1], "active", None)]:
        a = ReviewAssignment(panel_id=panel.id, bid_id=bid.id, expert_id=expert.id, status=status)
        session.add(a)
        session.flush()
        if sheet:
            session.add(ReviewScore(assignment_id=a.id, scores=[8], total="80.00", set_aside=sheet == "set_aside"))
    session.add(ReviewAssignment(panel_id=closed_panel.id, bid_id=b1.id, expert_id=e3.id))
    session.commit()
    return {"before": before, "ch4": ch4, "pool": pool}


def test_later_stage_aggregates_equal_a_hand_count(session, scene):
    delta = minus(snapshot(session), scene["before"])
    # 6 posted and published; closed-or-later: all 6; decided (decided/announced/awarded): 5 (not ch4 in review)
    assert delta["pipeline"] == {"已提交": 6, "已发布": 6, "已截止并收到方案": 6, "已确定揭榜方": 5,
                                 "contracted": 3, "accepted": 1, "paid": 1}
    # committed: K1+K2+K3 (K4 unsigned); checked: 3 000 000 + 500 000 (the received payment is not checked);
    # entitled: 1 000 000 + 600 000 − 600 000 (reversed); paid: 400 000
    assert delta["funds"] == {"committed_fen": 15_000_000, "checked_fen": 3_500_000,
                              "entitled_fen": 1_000_000, "paid_fen": 400_000}
    # overdue: K2's pending milestone due 5 days ago (not the confirmed one, not the future one, not K1's: ended);
    # upcoming: K2 ends in 20 days (K3 ended, K4 not signed yet but ends tomorrow: signing is not executing)
    assert delta["execution"] == {"overdue_milestones": 1, "upcoming_acceptances": 1}
    assert delta["outcomes"] == {"ended": 2, "passed": 1, "failed": 1, "concluded": 2, "rectified": 1}
    assert delta["pools"] == {scene["pool"]: (2026, 5_000_000, 1_000_000), scene["pool"] + "乙": (2025, 1_000_000, 0)}
    assert delta["progress"] == {scene["ch4"].id: (1, 4)}
    # E1: 2 active (1 due), E2: 1 active (set aside: still due), E3: 1 on the open panel → three in "1–2 份"
    assert delta["load"] == {"1–2 份": (3, 3)}


def test_filters_narrow_every_later_aggregate(session, scene):
    other = snapshot(session, stats.StatsFilter(district="从化区", industry="高端装备"))
    mine = snapshot(session, stats.StatsFilter(district="黄埔区", industry="高端装备"))
    assert scene["ch4"].id not in other["progress"] and scene["ch4"].id in mine["progress"]
    assert other["pools"][scene["pool"]][2] == 0 and mine["pools"][scene["pool"]][2] >= 1_000_000
    assert mine["funds"]["checked_fen"] - other["funds"]["checked_fen"] >= 3_500_000
    assert set(snapshot(session, stats.StatsFilter(year=2025))["pools"]) >= {scene["pool"] + "乙"}
    assert scene["pool"] not in snapshot(session, stats.StatsFilter(year=2025))["pools"]


def test_rates_and_leverage_are_exact_strings():
    assert dashboard.percent(1, 3) == "33.3" and dashboard.percent(0, 0) == "—"
    assert dashboard.rate_or_zero(2, 0) == "0.0"
    assert dashboard.leverage(3_500_000, 1_000_000) == "3.50" and dashboard.leverage(5, 0) == "—"


def test_the_dashboard_shows_the_later_panels_with_the_fixtures_numbers(session, scene):
    officer = f.user(session, role=Role.OFFICER)
    board = dashboard.build(session=session, actor=f.actor(session, officer), today=TODAY,
                            flt=stats.StatsFilter(industry="高端装备", district="黄埔区"))
    panels = {p.key: p for p in board.panels}
    assert {"funds_leverage", "pools", "contracts", "outcomes", "rates", "review_progress",
            "expert_load"} <= set(panels)
    progress = {row[0]: row[1:] for row in panels["review_progress"].rows}
    assert [1, 4] in progress.values()
    pipeline = dict(panels["pipeline"].rows)
    assert pipeline["已签订任务书"] >= 3 and pipeline["已拨付补助"] >= 1


def test_the_demo_has_a_hong_kong_team_so_the_dashboard_share_is_real(session):
    from sqlmodel import select

    from marketplace import demo
    from marketplace.accounts.models import Organisation
    from marketplace.bids import stats as bid_stats

    demo.load(session=session)
    hk = session.exec(select(Organisation).where(Organisation.key == "hk-fintech-lab")).one()
    assert hk.region == "hongkong"
    part = bid_stats.participation(session, ALL)
    assert part["hk_macao_bids"] >= 1
    officer = f.user(session, role=Role.OFFICER)
    board = dashboard.build(session=session, actor=f.actor(session, officer), flt=ALL)
    share = next(p for p in board.panels if p.key == "hk_macao")
    assert share.rows[0][1] >= 1 and "占比 —" not in share.note
