"""The bid pages: indexed form rows, 422 re-render, submit with receipt, HTMX redirects, export, review."""

import io

from openpyxl import load_workbook
from sqlmodel import select

from marketplace.bids.models import Bid, BidStatus, receipt_code
from tests import factories as f
from tests.bids import helpers as h


def form(token, team_id, **extra):
    data = {"csrf_token": token, "team_id": str(team_id), "technical_route": "铜夹片烧结路线",
            "milestones-0-title": "仿真", "milestones-0-due_month": "6", "milestones-0-indicators": ["结壳热阻"],
            "milestones-1-title": "样品", "milestones-1-due_month": "24",
            "milestones-1-indicators": ["结壳热阻", "功率循环寿命"], "milestones-2-title": "",
            "price_yuan": "1,000,000.00", "budget_company_yuan": "900000", "budget_own_yuan": "",
            "members-0-name": "陈志远", "members-0-role": "负责人", "members-1-name": "",
            "declare_no_double_funding": "on", "declare_ownership": "on"}
    data.update(extra)
    return data


def test_the_form_saves_a_draft_then_submits_it_with_a_receipt(client, session):
    w = h.cast(session)
    f.login(client, session, w.team)
    page = client.get(f"/challenges/{w.challenge.id}/bid")
    assert page.status_code == 200 and 'name="milestones-0-indicators"' in page.text
    r = client.post(f"/challenges/{w.challenge.id}/bid", data=form(f.csrf(client), w.profile.id, action="draft"),
                    follow_redirects=False)
    assert r.status_code == 303
    bid = session.exec(select(Bid).where(Bid.team_id == w.profile.id)).one()
    assert bid.status == BidStatus.DRAFT and bid.price_fen == 100_000_000 and bid.budget_own_fen == 0
    assert [m["indicators"] for m in bid.milestones] == [["结壳热阻"], ["结壳热阻", "功率循环寿命"]]
    r = client.post(f"/challenges/{w.challenge.id}/bid", data=form(f.csrf(client), w.profile.id, action="submit"),
                    headers={"HX-Request": "true"})
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/bids/{bid.id}"
    session.refresh(bid)
    assert bid.status == BidStatus.SUBMITTED
    detail = client.get(f"/bids/{bid.id}")
    assert bid.receipt_hash in detail.text and "服务器签收时间" in detail.text


def test_invalid_input_re_renders_the_form_block_at_422_and_writes_nothing(client, session):
    w = h.cast(session)
    f.login(client, session, w.team)
    data = form(f.csrf(client), w.profile.id, action="submit", price_yuan="1000000.01")
    r = client.post(f"/challenges/{w.challenge.id}/bid", data=data, headers={"HX-Request": "true"})
    assert r.status_code == 422 and "揭榜报价不能超过榜单的揭榜金额" in r.text
    assert "<html" not in r.text and 'id="bid-form"' in r.text and "铜夹片烧结路线" in r.text
    data = form(f.csrf(client), w.profile.id, action="submit", declare_ownership="")
    r = client.post(f"/challenges/{w.challenge.id}/bid", data=data)
    assert r.status_code == 422 and "提交前须声明对投入成果拥有合法权属" in r.text
    assert session.exec(select(Bid)).all() == []


def test_the_api_submit_returns_the_receipt(client, session):
    w = h.cast(session)
    f.login(client, session, w.team)
    headers = {"X-CSRFToken": f.csrf(client)}
    created = client.post(f"/api/v1/challenges/{w.challenge.id}/bids", json=h.payload(w.profile.id), headers=headers)
    assert created.status_code == 201 and created.json()["status"] == "draft"
    bad = client.post(f"/api/v1/challenges/{w.challenge.id}/bids",
                      json=h.payload(w.profile.id, status="submitted"), headers=headers)
    assert bad.status_code == 422
    receipt = client.post(f"/api/v1/bids/{created.json()['id']}/submit", headers=headers)
    assert receipt.status_code == 200 and len(receipt.json()["receipt_hash"]) == 64
    again = client.post(f"/api/v1/challenges/{w.challenge.id}/bids", json=h.payload(w.profile.id), headers=headers)
    assert again.status_code == 409 and again.json()["error"]["message"] == "该团队已有一份有效的揭榜方案"


def test_officer_reviews_and_exports_amounts_as_exact_numbers(client, session):
    w = h.cast(session)
    bid = h.submit(session, w.team, w.profile, w.challenge, price_yuan="123456.78",
                   budget_company_yuan="100000", budget_subsidy_yuan="20000")
    h.close(session, w.challenge)
    f.login(client, session, w.officer)
    page = client.get(f"/officer/challenges/{w.challenge.id}/review")
    assert page.status_code == 200 and f"review-{bid.id}" in page.text
    r = client.post(f"/officer/bids/{bid.id}/review", data={"csrf_token": f.csrf(client), "decision": "disqualify"},
                    follow_redirects=False)
    assert r.status_code == 303 and session.get(Bid, bid.id).status == BidStatus.SUBMITTED  # reason missing
    client.post(f"/officer/bids/{bid.id}/review",
                data={"csrf_token": f.csrf(client), "decision": "disqualify", "reason": "缺少声明材料", "confirm": "1"})
    session.refresh(bid)
    assert bid.status == BidStatus.DISQUALIFIED
    book = load_workbook(io.BytesIO(client.get(f"/officer/challenges/{w.challenge.id}/bids.xlsx").content))
    sheet = book.active
    row = list(sheet.iter_rows(min_row=3, max_row=3))[0]
    price = row[5]
    assert str(price.value) == "123456.78" and price.number_format == '#,##0.00 "元"'
    assert row[11].value == "缺少声明材料"
    f.login(client, session, w.team)
    assert "缺少声明材料" in client.get(f"/bids/{bid.id}").text


def test_the_challenge_page_shows_the_bid_block_per_actor(client, session):
    w = h.cast(session)
    bid = h.submit(session, w.team, w.profile, w.challenge)
    f.login(client, session, w.team)
    page = client.get(f"/challenges/{w.challenge.id}")
    assert page.status_code == 200 and f'href="/bids/{bid.id}"' in page.text
    assert receipt_code(bid.receipt_hash) in page.text
    assert client.get(f"/challenges/{w.challenge.id}/bid").text.count("氮化硅AMB基板") == 1
    f.login(client, session, w.owner)
    assert f"/bids/{bid.id}" not in client.get(f"/challenges/{w.challenge.id}").text
    h.close(session, w.challenge)
    assert f'href="/bids/{bid.id}"' in client.get(f"/challenges/{w.challenge.id}").text
