"""A resubmitted challenge shows the officer what changed since the last submitted version (issue 13)."""

from sqlmodel import select

from marketplace.actor import Role
from marketplace.challenges.models import Challenge, ChallengeSnapshot
from tests import factories as f
from tests.challenges.test_pages import form_fields, post


def _submit_return_resubmit(client, anon, session, **changes):
    company = f.user(session, role=Role.COMPANY)
    f.login(client, session, company)
    post(client, "/challenges", {**form_fields(f.challenge_data()), "action": "submit"})
    c = session.exec(select(Challenge).where(Challenge.organisation_id == company.organisation_id)).one()
    officer = f.user(session, role=Role.OFFICER)
    f.login(anon, session, officer)
    post(anon, f"/challenges/{c.id}/return", {"comment": "请明确样品数量和金额"})
    post(client, f"/challenges/{c.id}/edit", {**form_fields(f.challenge_data(**changes)), "action": "submit"})
    session.refresh(c)
    assert c.status == "submitted"
    return c


def test_the_officer_sees_each_changed_field_old_and_new_on_the_review_page_and_in_the_api(client, anon, session):
    c = _submit_return_resubmit(client, anon, session, deliverables="工程样品 80 只及工艺文件",
                                offered_yuan="6000000")
    numbers = session.exec(select(ChallengeSnapshot.number).where(ChallengeSnapshot.challenge_id == c.id)).all()
    assert sorted(numbers) == [1, 2]
    page = anon.get(f"/challenges/{c.id}").text
    assert 'id="version-diff"' in page and "第 1 版 → 第 2 版" in page
    diff = page[page.index('id="version-diff"'):page.index("</section>", page.index('id="version-diff"'))]
    assert "交付成果" in diff and "工程样品 50 只及工艺文件" in diff and "工程样品 80 只及工艺文件" in diff
    assert "揭榜金额" in diff and "5,000,000.00 元" in diff and "6,000,000.00 元" in diff
    assert "技术瓶颈" not in diff and "标题" not in diff  # unchanged fields are not listed

    api = anon.get(f"/api/v1/challenges/{c.id}/changes").json()
    assert api["version"] == 2 and api["previous_version"] == 1
    assert {ch["field"] for ch in api["changes"]} == {"deliverables", "offered_fen"}
    offered = next(ch for ch in api["changes"] if ch["field"] == "offered_fen")
    assert offered["label"] == "揭榜金额" and "5,000,000.00" in offered["old"] and "6,000,000.00" in offered["new"]


def test_a_first_submission_has_no_diff_and_strangers_may_not_read_one(client, anon, session):
    company = f.user(session, role=Role.COMPANY)
    f.login(client, session, company)
    post(client, "/challenges", {**form_fields(f.challenge_data()), "action": "submit"})
    c = session.exec(select(Challenge).where(Challenge.organisation_id == company.organisation_id)).one()
    assert client.get(f"/api/v1/challenges/{c.id}/changes").json()["changes"] == []
    assert 'id="version-diff"' not in client.get(f"/challenges/{c.id}").text
    f.login(anon, session, f.user(session, role=Role.TEAM))
    assert anon.get(f"/api/v1/challenges/{c.id}/changes").status_code in (403, 404)


def test_the_edit_event_lists_only_the_fields_that_changed(client, anon, session):
    c = _submit_return_resubmit(client, anon, session, title="车规级碳化硅功率模块低热阻封装（修订）")
    page = anon.get("/officer/audit", params={"action": "challenge.edit"}).text
    assert "修改了榜单“车规级碳化硅功率模块低热阻封装（修订）”：标题" in page
    assert "揭榜金额" not in page.split("<tbody>", 1)[1]
    assert c.id
