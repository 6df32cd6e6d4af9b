"""GET /api/v1/dashboard: the officers' dashboard as JSON, panel for panel the page's tables; bad filters are a
structured 422 (a Chinese message on the page), never a 500; only officers read it."""

import html
import re
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from marketplace import db
from marketplace.actor import Role
from marketplace.app import create_app
from marketplace.challenges import stats
from marketplace.clock import to_shanghai, utcnow
from marketplace.config import get_settings
from marketplace.errors import RuleViolation
from tests import factories as f
from tests.conftest import BACKENDS, drop_pg_database, fresh_database_url
from tests.servers import prepare_demo_database

PASSWORD = "jiebang-demo-2026"
THIS_YEAR = to_shanghai(utcnow()).year


def _tables(page: str) -> dict[str, list[list[str]]]:
    """Each panel's table as the page prints it: {panel key: rows of cell texts}."""
    tables = {}
    for key, body in re.findall(r'<table class="table chart-table" data-panel="([a-z_]+)">(.*?)</table>', page, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S)
        tables[key] = [[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]
    return tables


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request, tmp_path_factory):
    """A TestClient on a fresh demo database, and bearer headers per demo role."""
    url = fresh_database_url(request.param, tmp_path_factory)
    prepare_demo_database(url)
    engine = db.make_engine(url)
    with TestClient(create_app(settings=get_settings(), engine=engine)) as client:
        headers = {}
        for role in ("officer", "company", "team"):
            r = client.post("/api/v1/auth/token", json={"account": f"{role}@jiebang.demo", "password": PASSWORD})
            assert r.status_code == 200, r.text
            headers[role] = {"Authorization": f"Bearer {r.json()['token']}"}
        yield client, headers
    engine.dispose()
    if request.param == "postgres":
        drop_pg_database(url)


DEMO_FILTERS = ["", f"year={THIS_YEAR}", "industry=新能源与节能环保", "district=黄埔区",
                f"start={THIS_YEAR}-01-01&end={THIS_YEAR}-12-31", "industry=新一代信息技术&district=天河区"]


@pytest.mark.parametrize("query", DEMO_FILTERS)
def test_each_panel_in_the_json_is_the_pages_table_on_the_demo_data(demo, query):
    client, headers = demo
    page = client.get(f"/officer/dashboard?{query}", headers=headers["officer"])
    api = client.get(f"/api/v1/dashboard?{query}", headers=headers["officer"])
    assert page.status_code == 200 and api.status_code == 200, api.text
    body = api.json()
    tables = _tables(page.text)
    assert [p["key"] for p in body["panels"]] == re.findall(r'<section class="card panel" id="panel-([a-z_]+)">',
                                                             page.text)
    for panel in body["panels"]:
        assert [[str(c) for c in row] for row in panel["rows"]] == tables.get(panel["key"], []), panel["key"]
    for item in body["headline"]:
        assert f'<p class="muted">{item["label"]}</p><p class="big">{item["value"]}</p>' in html.unescape(page.text)


def test_on_the_demo_data_every_panel_has_rows_and_the_funds_are_not_all_zero(demo):
    client, headers = demo
    body = client.get("/api/v1/dashboard", headers=headers["officer"]).json()
    empty = [p["key"] for p in body["panels"] if not p["rows"]]
    assert empty == []
    numbers = {p["key"]: [c for row in p["rows"] for c in row[1:]] for p in body["panels"]}
    silent = [key for key, cells in numbers.items() if all(str(c) in ("0", "0.0", "0.00", "—") for c in cells)]
    assert silent == [], silent


def test_a_filter_narrows_the_json_as_it_narrows_the_page(demo):
    client, headers = demo
    everything = client.get("/api/v1/dashboard", headers=headers["officer"]).json()
    one = client.get("/api/v1/dashboard?industry=新能源与节能环保", headers=headers["officer"]).json()
    posted = {p["key"]: p for p in everything["panels"]}["pipeline"]["rows"][0][1]
    narrowed = {p["key"]: p for p in one["panels"]}["pipeline"]["rows"][0][1]
    assert 0 < narrowed < posted
    assert one["filter"]["industry"] == "新能源与节能环保" and "新能源与节能环保" in one["filter"]["described"]


def test_only_officers_read_the_dashboard_api(demo):
    client, headers = demo
    anonymous = client.get("/api/v1/dashboard")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["message"]
    for role in ("company", "team"):
        r = client.get("/api/v1/dashboard", headers=headers[role])
        assert r.status_code == 403 and r.json()["error"]["code"], role


BAD = [("industry=不存在的产业", "industry"), ("district=纽约区", "district"), ("year=1999", "year"),
       (f"year={THIS_YEAR + 1}", "year"), ("year=二〇二五", "year"),
       (f"start={THIS_YEAR}-06-30&end={THIS_YEAR}-06-01", "end"), (f"start={THIS_YEAR}-06-01", "end"),
       ("start=2026-02-30&end=2026-03-01", "start"), ("start=2021-12-01&end=2022-01-31", "start"),
       (f"year={THIS_YEAR}&start={THIS_YEAR}-01-01&end={THIS_YEAR}-01-31", "start")]


@pytest.mark.parametrize(("query", "field"), BAD)
def test_bad_filters_are_a_structured_422_in_the_api_and_a_chinese_message_on_the_page(demo, query, field):
    client, headers = demo
    api = client.get(f"/api/v1/dashboard?{query}", headers=headers["officer"])
    assert api.status_code == 422
    error = api.json()["error"]
    assert field in error["fields"] and error["message"].startswith("筛选条件有误")
    page = client.get(f"/officer/dashboard?{query}", headers=headers["officer"])
    assert page.status_code == 422 and "筛选条件有误" in page.text and error["fields"][field] in page.text
    assert client.get(f"/officer/dashboard.xlsx?{query}", headers=headers["officer"]).status_code == 422


def test_a_date_range_is_beijing_days_both_included():
    flt = stats.parse_filter(start="2026-03-01", end="2026-03-31", this_year=2026)
    assert (flt.start, flt.end, flt.year) == (date(2026, 3, 1), date(2026, 3, 31), None)
    assert flt.period == (datetime(2026, 2, 28, 16, tzinfo=UTC), datetime(2026, 3, 31, 16, tzinfo=UTC))
    assert stats.parse_filter(start="2026-03-01", end="2026-03-01", this_year=2026).period[1] == \
        datetime(2026, 3, 1, 16, tzinfo=UTC)
    with pytest.raises(RuleViolation) as reversed_range:
        stats.parse_filter(start="2026-03-02", end="2026-03-01", this_year=2026)
    assert reversed_range.value.fields == {"end": "结束日期不能早于开始日期"}


def test_the_date_range_counts_only_challenges_created_on_those_days(session):
    company = f.user(session, role=Role.COMPANY)
    march = stats.StatsFilter(start=date(2025, 3, 1), end=date(2025, 3, 31))
    before = dict(stats.pipeline(session, march))["已提交"]
    f.challenge(session, company=company, created_at=datetime(2025, 2, 28, 16, 0, tzinfo=UTC))  # 1 March, Beijing
    f.challenge(session, company=company, created_at=datetime(2025, 3, 31, 15, 59, tzinfo=UTC))  # 31 March 23:59
    f.challenge(session, company=company, created_at=datetime(2025, 3, 31, 16, 0, tzinfo=UTC))  # 1 April
    f.challenge(session, company=company, created_at=datetime(2025, 2, 28, 15, 59, tzinfo=UTC))  # 28 February
    session.flush()
    assert dict(stats.pipeline(session, march))["已提交"] - before == 2


def test_on_the_demo_data_the_workbook_and_the_printable_report_show_the_pages_numbers(demo):
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    client, headers = demo
    query = f"year={THIS_YEAR}"
    board = client.get(f"/api/v1/dashboard?{query}", headers=headers["officer"]).json()
    page = _tables(client.get(f"/officer/dashboard?{query}", headers=headers["officer"]).text)
    report = client.get(f"/officer/report?{query}", headers=headers["officer"])
    assert report.status_code == 200 and "@media print" in report.text + client.get("/static/app.css").text
    assert _tables(report.text) == page
    workbook = client.get(f"/officer/dashboard.xlsx?{query}", headers=headers["officer"])
    book = load_workbook(io.BytesIO(workbook.content))
    for panel in board["panels"]:
        sheet = list(book[panel["title"][:31]].iter_rows(values_only=True))
        first = next(i for i, row in enumerate(sheet) if row[0] == panel["columns"][0])
        rows = [list(row) for row in sheet[first + 1:]]
        shown_rows = page.get(panel["key"], [])  # a panel without rows has no table
        assert len(rows) == len(shown_rows), panel["key"]
        for row, shown in zip(rows, shown_rows, strict=True):
            assert [c if isinstance(c, str) else Decimal(str(c)) for c in row] == \
                [s if not isinstance(c, int | float) else Decimal(s) for c, s in zip(row, shown, strict=True)]
