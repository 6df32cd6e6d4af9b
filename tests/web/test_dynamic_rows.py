"""Issue 13.3: rows are added and removed in the challenge and bid forms, without JavaScript (plain submit
buttons re-render the form with everything typed kept) and with HTMX (the form block alone); nothing is saved."""

from sqlmodel import select

from marketplace.actor import Role
from marketplace.bids.models import Bid
from marketplace.challenges.models import Challenge
from tests import factories as f
from tests.bids import helpers as h
from tests.bids.test_bid_pages import form as bid_form


def test_add_a_milestone_row_keeps_what_was_typed_and_saves_nothing(client, session):
    w = h.cast(session)
    f.login(client, session, w.team)
    data = bid_form(f.csrf(client), w.profile.id, action="add:milestones",  # as a browser posts it: 2 empty rows
                    **{"milestones-blank": "2", "milestones-3-title": "", "milestones-3-due_month": ""})
    r = client.post(f"/challenges/{w.challenge.id}/bid", data=data)
    assert r.status_code == 200 and "<html" in r.text  # a whole page without JavaScript
    assert "铜夹片烧结路线" in r.text and 'value="仿真"' in r.text and 'value="陈志远"' in r.text
    assert 'id="milestone-4"' in r.text and 'id="milestone-5"' not in r.text  # 2 filled + 3 empty
    assert 'name="milestones-blank" value="3"' in r.text
    assert session.exec(select(Bid)).all() == []


def test_remove_a_row_drops_exactly_that_row(client, session):
    w = h.cast(session)
    f.login(client, session, w.team)
    data = bid_form(f.csrf(client), w.profile.id, action="remove:milestones:0",
                    **{"members-1-name": "林晓", "members-1-role": "工艺"})
    r = client.post(f"/challenges/{w.challenge.id}/bid", data=data, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text and 'id="bid-form"' in r.text
    assert 'value="仿真"' not in r.text and 'name="milestones-0-title" value="样品"' in r.text
    r = client.post(f"/challenges/{w.challenge.id}/bid", data={**data, "action": "remove:members:1"})
    assert 'value="林晓"' not in r.text and 'value="陈志远"' in r.text
    assert session.exec(select(Bid)).all() == []


def test_rows_added_then_saved_are_all_kept_and_row_errors_name_row_and_column(client, session):
    w = h.cast(session)
    f.login(client, session, w.team)
    data = bid_form(f.csrf(client), w.profile.id, action="draft", **{
        "milestones-2-title": "中试", "milestones-2-due_month": "12", "milestones-3-title": "验收",
        "milestones-3-due_month": "999", "milestones-blank": "1"})
    r = client.post(f"/challenges/{w.challenge.id}/bid", data=data)
    assert r.status_code == 422 and "第 4 行「完成月份」" in r.text
    data["milestones-3-due_month"] = "20"
    client.post(f"/challenges/{w.challenge.id}/bid", data=data)
    bid = session.exec(select(Bid)).one()
    assert [m["title"] for m in bid.milestones] == ["仿真", "样品", "中试", "验收"]


def test_the_challenge_form_adds_and_removes_indicator_rows(client, session):
    company = f.user(session, role=Role.COMPANY)
    f.login(client, session, company)
    page = client.get("/challenges/new").text
    assert 'value="add:indicators"' in page and 'value="remove:indicators:0"' in page
    data = {"csrf_token": f.csrf(client), "title": "我的榜单标题", "indicators-0-name": "热阻",
            "indicators-1-name": "寿命", "indicators-blank": "3", "action": "add:indicators"}
    r = client.post("/challenges", data=data)
    assert r.status_code == 200 and 'value="我的榜单标题"' in r.text
    assert 'name="indicators-5-name"' in r.text and 'name="indicators-6-name"' not in r.text
    r = client.post("/challenges", data={**data, "action": "remove:indicators:0"}, headers={"HX-Request": "true"})
    assert 'name="indicators-0-name" value="寿命"' in r.text and 'value="热阻"' not in r.text
    assert session.exec(select(Challenge)).all() == []


def test_typing_into_an_empty_row_then_adding_adds_one_row(client, session):
    """As a browser posts it: every row shown, the empty ones too; the person typed into the first of the two
    empty member rows the page showed (found by the browser walk: 添加一行 added two rows, and 删除 of an
    empty row seemed to do nothing, because the hidden count still called the typed row empty)."""
    w = h.cast(session)
    f.login(client, session, w.team)
    data = bid_form(f.csrf(client), w.profile.id, action="add:members", **{
        "members-1-name": "林晓", "members-1-role": "工艺", "members-2-name": "", "members-2-role": "",
        "members-blank": "2"})
    r = client.post(f"/challenges/{w.challenge.id}/bid", data=data)
    assert 'value="林晓"' in r.text
    assert 'name="members-3-name"' in r.text and 'name="members-4-name"' not in r.text  # 2 filled + 1 + 1 new
    r = client.post(f"/challenges/{w.challenge.id}/bid", data={**data, "action": "remove:members:2"})
    assert 'name="members-2-name"' not in r.text and 'value="林晓"' in r.text  # the empty row is gone
