"""The officers' challenge list as .xlsx: who may download it, and what is in it."""

import io
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from marketplace.actor import Role
from marketplace.bids.models import BidStatus
from marketplace.challenges.models import ChallengeStatus
from marketplace.reports import exports
from tests import factories as f

URL = "/officer/exports/challenges.xlsx"
API_URL = "/api/v1/exports/challenges.xlsx"


def sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


def row_of(ws, challenge_id: int) -> dict:
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == challenge_id:
            return dict(zip(header, row, strict=True))
    raise AssertionError(f"challenge {challenge_id} not exported")


@pytest.mark.parametrize("role, status", [
    (Role.COMPANY, 403), (Role.TEAM, 403), (Role.EXPERT, 403), (Role.OFFICER, 200), (Role.ADMIN, 200),
])
def test_only_officers_and_admins_may_download(client, session, role, status):
    f.login(client, session, f.user(session, role=role))
    assert client.get(URL).status_code == status
    assert client.get(API_URL).status_code == status


def test_visitors_are_sent_to_login_and_api_callers_get_401(anon):
    assert anon.get(URL, follow_redirects=False).status_code == 303
    response = anon.get(API_URL)
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


def test_the_download_is_an_xlsx_attachment_with_a_utf8_filename(client, session):
    f.login(client, session, f.user(session, role=Role.OFFICER))
    response = client.get(URL)
    assert response.headers["content-type"] == exports.XLSX_MEDIA_TYPE
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and 'filename="challenges_' in disposition
    utf8_name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert utf8_name.startswith("榜单清单_") and utf8_name.endswith(".xlsx")


def test_the_workbook_has_a_frozen_chinese_header_and_one_row_per_challenge(client, session):
    org = f.organisation(session, name="广州链主科技有限公司", district="黄埔区")
    live = f.challenge(session, org=org, title="车规级芯片封装", weak_link="核心零部件")
    draft = f.challenge(session, org=org, status=ChallengeStatus.DRAFT)
    f.bid(session, challenge=live)
    f.bid(session, challenge=live)
    f.bid(session, challenge=live, status=BidStatus.DRAFT)  # drafts are not received bids
    f.login(client, session, f.user(session, role=Role.OFFICER))
    ws = sheet(client.get(URL))
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:3] == ["编号", "榜单名称", "发榜企业"]
    assert ws.column_dimensions["B"].width >= 30
    row = row_of(ws, live.id)
    assert row["发榜企业"].value == "广州链主科技有限公司" and row["所在区"].value == "黄埔区"
    assert row["状态"].value == "揭榜中" and row["薄弱环节"].value == "核心零部件"
    assert row["揭榜方案数"].value == 2
    assert row_of(ws, draft.id)["状态"].value == "草稿"
    assert row_of(ws, draft.id)["发布时间（北京时间）"].value is None


def test_amounts_are_numbers_in_yuan_exactly_fen_over_100(client, session):
    c = f.challenge(session, committed_funds_fen=1_234_567_890_123, offered_fen=987_654_321)
    f.login(client, session, f.user(session, role=Role.OFFICER))
    row = row_of(sheet(client.get(URL)), c.id)
    for header, fen in (("企业承诺投入（元）", 1_234_567_890_123), ("揭榜金额（元）", 987_654_321)):
        cell = row[header]
        assert cell.data_type == "n" and cell.number_format == '#,##0.00 "元"'
        assert Decimal(str(cell.value)) == Decimal(fen) / 100


def test_times_are_shanghai_local_times(client, session):
    c = f.challenge(session, bid_deadline=datetime(2031, 3, 31, 16, 30, tzinfo=UTC))
    f.login(client, session, f.user(session, role=Role.OFFICER))
    cell = row_of(sheet(client.get(URL)), c.id)["揭榜截止（北京时间）"]
    assert cell.value == datetime(2031, 4, 1, 0, 30) and cell.is_date


def test_a_title_that_looks_like_a_formula_stays_text():
    row = exports.ChallengeRow(
        id=1, title='=HYPERLINK("http://evil.example","点我")', company="公司", district="天河区",
        industry="区块链", weak_link="", status_label="揭榜中", committed_fen=1, offered_fen=2,
        bid_deadline=datetime(2030, 1, 1, tzinfo=UTC), published_at=None, bids=0)
    ws = load_workbook(io.BytesIO(exports.challenges_workbook([row]))).active
    assert ws["B2"].data_type == "s" and ws["B2"].value == "'" + row.title  # OWASP: neutralised, not a formula
    assert ws["H2"].value == 0.01 and ws["I2"].value == 0.02
