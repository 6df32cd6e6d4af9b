"""Forms that keep your work (issue 13.3): after withdrawing, 我要揭榜 offers the withdrawn content."""

from __future__ import annotations

from marketplace.bids import service
from tests import factories as f
from tests.bids import helpers as h


def test_a_withdrawn_bid_is_offered_and_reopened_with_its_content(client, session):
    w = h.cast(session)
    bid = h.submit(session, w.team, w.profile, w.challenge, technical_route="氮化硅AMB基板与纳米银烧结的独特路线")
    service.withdraw(session=session, actor=f.actor(session, w.team), bid_id=bid.id)
    session.commit()
    f.login(client, session, w.team)
    offer = client.get(f"/challenges/{w.challenge.id}/bid")
    assert offer.status_code == 200 and "从撤回的方案开始填写" in offer.text
    assert "独特路线" not in offer.text  # not silently reused: the team chooses
    reopened = client.get(f"/challenges/{w.challenge.id}/bid", params={"from": "withdrawn"})
    assert reopened.status_code == 200 and "已载入您于" in reopened.text
    assert "氮化硅AMB基板与纳米银烧结的独特路线" in reopened.text and 'value="仿真定型"' in reopened.text
    assert 'value="陈志远"' in reopened.text and 'value="800000.00"' in reopened.text


def test_without_a_withdrawn_bid_nothing_is_offered(client, session):
    w = h.cast(session)
    f.login(client, session, w.team)
    page = client.get(f"/challenges/{w.challenge.id}/bid", params={"from": "withdrawn"})
    assert page.status_code == 200 and "撤回" not in page.text.split('id="bid-form"')[1].split("</form>")[0]


def test_an_error_about_a_row_names_the_row_and_the_column_and_keeps_the_input(client, session):
    from tests.bids.test_bid_pages import form

    w = h.cast(session)
    f.login(client, session, w.team)
    data = form(f.csrf(client), w.profile.id, action="draft", **{"milestones-1-due_month": "999"})
    page = client.post(f"/challenges/{w.challenge.id}/bid", data=data)
    assert page.status_code == 422
    assert "第 2 行「完成月份」" in page.text and "铜夹片烧结路线" in page.text and 'value="陈志远"' in page.text


def test_a_pending_company_is_warned_before_the_form_and_keeps_a_draft(client, session):
    from sqlmodel import select

    from marketplace.actor import Role
    from marketplace.challenges.models import Challenge
    from tests.challenges.test_pages import form_fields

    pending = f.user(session, role=Role.COMPANY, verified=False)
    f.login(client, session, pending)
    page = client.get("/challenges/new").text
    assert 'id="pending-warning"' in page and page.index("pending-warning") < page.index('id="challenge-form"')
    assert "保存草稿" in page and 'value="submit"' not in page  # no button it may not use
    # asking to submit anyway (an old page, a script): refused, the typing comes back, nothing stored
    data = {**form_fields(f.challenge_data(title="高纯度碳化硅粉体合成工艺")), "action": "submit"}
    r = client.post("/challenges", data={"csrf_token": f.csrf(client), **data})
    assert r.status_code == 403 and "尚未保存" in r.text and 'value="高纯度碳化硅粉体合成工艺"' in r.text
    assert session.exec(select(Challenge).where(Challenge.organisation_id == pending.organisation_id)).first() is None
    # saving keeps a real draft, editable before the verification
    r = client.post("/challenges", data={"csrf_token": f.csrf(client), **data, "action": "save"})
    assert r.status_code == 200 and "认证后即可提交审核" in r.text  # the draft's page, with the notice
    draft = session.exec(select(Challenge).where(Challenge.organisation_id == pending.organisation_id)).one()
    assert draft.status == "draft" and draft.title == "高纯度碳化硅粉体合成工艺"
    edit = client.get(f"/challenges/{draft.id}/edit").text
    assert 'value="高纯度碳化硅粉体合成工艺"' in edit and 'value="submit"' not in edit
    assert "高纯度碳化硅粉体合成工艺" in client.get("/challenges/mine").text
    verified = f.user(session, role=Role.COMPANY)
    f.login(client, session, verified)
    assert 'id="pending-warning"' not in client.get("/challenges/new").text
