"""The bureau dashboard: each aggregate against a hand-computed fixture, filters, access, chart = table."""

import html
import json
import re

import pytest

from marketplace.actor import Actor, Role
from marketplace.bids import partners as bid_partners
from marketplace.bids import stats as bid_stats
from marketplace.challenges import stats
from marketplace.errors import Forbidden, RuleViolation
from marketplace.reports import dashboard
from tests import factories as f

ALL = stats.StatsFilter()
PANELS = {"pipeline", "status", "industry", "weak_link", "district", "chain", "monthly", "funds",
          "bids_per_challenge", "consortium", "hk_macao", "funds_leverage", "contracts", "outcomes", "rates",
          "expert_load"}
WHEN_ANY = {"pools", "review_progress"}  # one row per pool / open panel: no table when there is none


def _snapshot(session, flt=ALL) -> dict:
    return {
        "status": {s: n for s, _, n in stats.by_status(session, flt)},
        "pipeline": dict(stats.pipeline(session, flt)),
        "industry": {k: (n, p) for k, n, p in stats.by_dimension(session, flt, "industry")},
        "weak_link": {k: (n, p) for k, n, p in stats.by_dimension(session, flt, "weak_link")},
        "district": {k: (n, p) for k, n, p in stats.by_dimension(session, flt, "district")},
        "chain": {k: (n, p) for k, n, p in stats.by_dimension(session, flt, "chain")},
        "funds": stats.funds(session, flt),
        "participation": bid_stats.participation(session, flt),
        "per_challenge": dict(bid_stats.bids_per_challenge(session, flt)),
    }


def _minus(a, b):
    return tuple(x - y for x, y in zip(a, b, strict=True)) if isinstance(a, tuple) else a - b


def _delta(after: dict, before: dict) -> dict:
    """What the fixture added: other tests may have left committed rows in the shared database."""
    out = {}
    for key, value in after.items():
        zero = {k: (0,) * len(v) if isinstance(v, tuple) else 0 for k, v in value.items()}
        changed = {k: _minus(v, before[key].get(k, zero[k])) for k, v in value.items()}
        out[key] = {k: v for k, v in changed.items() if v != zero[k]}
    return out


@pytest.fixture
def before(session):
    return _snapshot(session)


@pytest.fixture
def programme(session, before):
    """Two companies (one 链主 in 黄埔区, one plain in 南沙区), four challenges, four bids."""
    leader_org = f.organisation(session, district="黄埔区", qualifications=["高新技术企业", "链主"])
    plain_org = f.organisation(session, district="南沙区", qualifications=["专精特新"])
    leader = f.user(session, role=Role.COMPANY, org=leader_org)
    plain = f.user(session, role=Role.COMPANY, org=plain_org)
    open_one = f.challenge(session, company=leader, status="published", industry="新一代信息技术",
                           weak_link="核心零部件")
    closed = f.challenge(session, company=leader, status="closed", industry="智能与新能源汽车", weak_link="基础材料",
                         deadline_days=-1, committed_funds_fen=1_200_000_000, offered_fen=700_000_000)
    f.challenge(session, company=plain, status="submitted", industry="生物医药与健康", published_at=None)
    f.challenge(session, company=plain, status="draft", industry="生物医药与健康")
    partner = [{"organisation_id": leader_org.id, "name": "合作单位", "role": "测试", "share_percent": 30}]
    consortium = f.bid(session, challenge=closed, partners=partner)
    bid_partners.record_confirmed(session, consortium, consortium.submitted_at)  # counted once its partner confirms
    macao_lab = f.user(session, role=Role.TEAM, org=f.organisation(session, kind="university", region="macao"))
    f.bid(session, challenge=closed, team_profile=f.team(session, owner=macao_lab))  # a Macao team
    f.bid(session, challenge=closed, status="withdrawn")
    f.bid(session, challenge=open_one, partners=partner)  # sealed: its consortium must not be counted
    return before


def test_aggregates_equal_a_hand_count_of_the_fixture(session, programme):
    delta = _delta(_snapshot(session), programme)
    assert delta["status"] == {"published": 1, "closed": 1, "submitted": 1}
    assert delta["pipeline"] == {"已提交": 3, "已发布": 2, "已截止并收到方案": 1}  # none decided yet
    assert delta["industry"] == {"新一代信息技术": (1, 1), "智能与新能源汽车": (1, 1), "生物医药与健康": (1, 0)}
    assert delta["weak_link"] == {"核心零部件": (1, 1), "基础材料": (1, 1), "未标注": (1, 0)}
    assert delta["district"] == {"黄埔区": (2, 2), "南沙区": (1, 0)}
    assert delta["chain"] == {"链主企业": (2, 2), "其他企业": (1, 0)}
    assert delta["funds"] == {"committed_fen": 800_000_000 + 1_200_000_000, "offered_fen": 500_000_000 + 700_000_000,
                              "published": 2}
    assert delta["participation"] == {"bids": 3, "opened_bids": 2, "consortium_bids": 1,
                                      "challenges_with_bids": 2, "published": 2, "hk_macao_bids": 1}
    assert delta["per_challenge"] == {"1 份": 1, "2 份": 1}


def test_the_district_filter_keeps_only_that_districts_companies(session, programme):
    nansha = _snapshot(session, stats.StatsFilter(district="南沙区"))
    assert {k for k, v in nansha["district"].items() if v != (0, 0)} == {"南沙区"}
    assert nansha["district"]["南沙区"][0] >= 1
    cars = _snapshot(session, stats.StatsFilter(industry="智能与新能源汽车"))
    assert set(cars["industry"]) == {"智能与新能源汽车"}


@pytest.mark.parametrize(("field", "value"), [("year", "1999"), ("year", "２０２６"), ("year", "abc"),
                                              ("industry", "炼金术"), ("district", "浦东新区")])
def test_unknown_filter_values_get_a_chinese_message(field, value):
    with pytest.raises(RuleViolation) as err:
        stats.parse_filter(**{field: value}, this_year=2026)
    assert field in err.value.fields


def test_a_valid_filter_is_parsed():
    assert stats.parse_filter(year="2025", industry="区块链", district="黄埔区", this_year=2026) == \
        stats.StatsFilter(year=2025, industry="区块链", district="黄埔区")


def test_only_officers_may_build_the_dashboard(session):
    company = f.user(session, role=Role.COMPANY)
    with pytest.raises(Forbidden):
        dashboard.build(session=session, actor=Actor(company.id, Role.COMPANY, company.organisation_id), flt=ALL)


def _tables(page: str) -> dict[str, list[list[str]]]:
    tables = {}
    for key, body in re.findall(r'<table class="table chart-table" data-panel="([a-z_]+)">(.*?)</table>', page, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S)
        tables[key] = [[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]
    return tables


def test_the_page_shows_every_panel_and_each_charts_numbers_are_its_tables(client, session, programme):
    f.login(client, session, f.user(session, role=Role.OFFICER))
    page = client.get("/officer/dashboard")
    assert page.status_code == 200
    tables = _tables(page.text)
    assert PANELS <= set(tables) <= PANELS | WHEN_ANY
    assert all(tables.values())
    charts = [json.loads(html.unescape(c)) for c in re.findall(r"data-chart='([^']*)'", page.text)]
    assert len(charts) == len(tables)
    for chart, (key, rows) in zip(charts, tables.items(), strict=True):
        assert chart["categories"] == [r[0] for r in rows], key
        for i, series in enumerate(chart["series"]):
            assert [str(v) for v in series["data"]] == [r[i + 1] for r in rows], key


def test_a_bad_filter_is_a_422_page_with_the_message_not_a_500(client, session):
    f.login(client, session, f.user(session, role=Role.OFFICER))
    page = client.get("/officer/dashboard?year=1999&district=浦东新区")
    assert page.status_code == 422
    assert "年份应在" in page.text and "没有这个区" in page.text


@pytest.mark.parametrize("role", [Role.COMPANY, Role.TEAM, Role.EXPERT])
def test_other_roles_cannot_open_the_dashboard(client, session, role):
    f.login(client, session, f.user(session, role=role))
    assert client.get("/officer/dashboard", follow_redirects=False).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/officer/dashboard", follow_redirects=False)
    assert response.status_code == 303 and "/login" in response.headers["location"]


def test_money_is_shown_in_exact_wanyuan_strings():
    assert dashboard.wanyuan(1_234_567_891) == "1234.57"
    assert dashboard.wanyuan(5) == "0.00"
    assert dashboard.wanyuan(10**12) == "1000000.00"


def test_a_month_filter_needs_a_year_and_a_valid_month():
    with pytest.raises(RuleViolation) as err:
        stats.parse_filter(month="3", this_year=2026)
    assert "month" in err.value.fields
    with pytest.raises(RuleViolation):
        stats.parse_filter(year="2026", month="13", this_year=2026)
    assert stats.parse_filter(year="2026", month="2", this_year=2026).month == 2


def test_periods_follow_the_beijing_calendar():
    from datetime import UTC, datetime

    start, end = stats.StatsFilter(year=2026, month=12).period
    assert start == datetime(2026, 11, 30, 16, tzinfo=UTC) and end == datetime(2026, 12, 31, 16, tzinfo=UTC)


def test_the_monthly_report_lists_what_was_published_that_month_and_prints_the_same_tables(client, session):
    from datetime import UTC, datetime

    company = f.user(session, role=Role.COMPANY)
    inside = f.challenge(session, company=company, title="十一月发布的报告测试榜单",
                         published_at=datetime(2026, 11, 15, 2, tzinfo=UTC))
    f.challenge(session, company=company, title="十月发布的报告测试榜单",
                published_at=datetime(2026, 10, 31, 15, 59, tzinfo=UTC))  # 23:59 on 31 Oct, Beijing
    f.login(client, session, f.user(session, role=Role.OFFICER))
    page = client.get("/officer/report?year=2026&month=11")
    assert page.status_code == 200
    assert "2026 年 11 月揭榜挂帅工作报告" in page.text
    assert inside.title in page.text and "十月发布的报告测试榜单" not in page.text
    panels = set(re.findall(r'<section class="panel" id="panel-([a-z_]+)">', page.text))
    assert panels == PANELS | WHEN_ANY
    assert set(_tables(page.text)) <= panels
    assert client.get("/officer/report?year=2026&month=13").status_code == 422


def test_monthly_groups_by_the_beijing_month_not_the_utc_month(session):
    from datetime import UTC, datetime

    company = f.user(session, role=Role.COMPANY)
    before = {m: (n, p) for m, n, p in stats.monthly(session, ALL)}
    # 17:30 UTC on 31 January is 01:30 on 1 February in Guangzhou; 15:59 UTC on 28 Feb is still February.
    f.challenge(session, company=company, created_at=datetime(2025, 1, 31, 17, 30, tzinfo=UTC))
    f.challenge(session, company=company, created_at=datetime(2025, 2, 28, 15, 59, tzinfo=UTC))
    f.challenge(session, company=company, created_at=datetime(2025, 2, 28, 16, 0, tzinfo=UTC))  # 1 March
    session.flush()
    after = {m: (n, p) for m, n, p in stats.monthly(session, ALL)}
    added = {m: after[m][0] - before.get(m, (0, 0))[0] for m in after if after[m] != before.get(m)}
    assert added == {"2025-02": 2, "2025-03": 1}


def test_the_xlsx_export_has_each_panels_table_with_the_same_numbers(client, session, programme):
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    f.login(client, session, f.user(session, role=Role.OFFICER))
    tables = _tables(client.get("/officer/dashboard?district=黄埔区").text)
    r = client.get("/officer/dashboard.xlsx?district=黄埔区")
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(r.content))
    board = dashboard.build(session=session, actor=Actor(user_id=1, role=Role.OFFICER),
                            flt=stats.StatsFilter(district="黄埔区"))
    assert book.sheetnames == ["概览", *[p.title[:31] for p in board.panels]]
    assert "黄埔区" in str(book["概览"]["A2"].value)
    for panel in board.panels:
        ws = book[panel.title[:31]]
        first = next(i for i, row in enumerate(ws.iter_rows(values_only=True)) if row[0] == panel.columns[0])
        rows = [list(row) for row in ws.iter_rows(min_row=first + 2, values_only=True)]

        def same(cell, shown):  # noqa: ANN001, ANN202 — numbers in the sheet, text in the page's table
            return Decimal(str(cell)) == Decimal(shown) if not isinstance(cell, str) else cell == shown
        assert len(rows) == len(tables.get(panel.key, [])), panel.key
        for row, shown in zip(rows, tables.get(panel.key, []), strict=True):
            assert all(same(c, s) for c, s in zip(row, shown, strict=True)), (panel.key, row, shown)
    assert client.get("/officer/dashboard.xlsx?year=1999").status_code == 422


def test_other_roles_cannot_export_the_dashboard(client, session):
    f.login(client, session, f.user(session, role=Role.COMPANY))
    assert client.get("/officer/dashboard.xlsx", follow_redirects=False).status_code == 403
