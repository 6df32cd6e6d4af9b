"""The challenge pages as people use them: forms, review, search, filters, attachments, annex."""

import re

from sqlmodel import select

from marketplace.actor import Role
from marketplace.challenges.models import Challenge
from tests import factories as f


def form_fields(data: dict) -> dict:
    fields = {k: v for k, v in data.items() if k != "indicators"}
    for n, row in enumerate(data["indicators"]):
        for key, value in row.items():
            fields[f"indicators-{n}-{key}"] = value
    return fields


def post(client, url, data=None, **kw):
    return client.post(url, data={"csrf_token": f.csrf(client), **(data or {})}, follow_redirects=True, **kw)


def test_company_drafts_officer_returns_company_fixes_officer_publishes(client, anon, session):
    company = f.user(session, role=Role.COMPANY)
    f.login(client, session, company)
    page = post(client, "/challenges", {**form_fields(f.challenge_data()), "action": "submit"})
    assert "榜单已提交，等待科技局审核" in page.text
    c = session.exec(select(Challenge).where(Challenge.organisation_id == company.organisation_id)).one()
    assert c.status == "submitted"

    f.login(anon, session, f.user(session, role=Role.OFFICER))
    assert c.title in anon.get("/officer/challenges").text
    post(anon, f"/challenges/{c.id}/return", {"comment": "请明确样品数量"})
    session.refresh(c)
    assert c.status == "returned"
    assert "请明确样品数量" in client.get(f"/challenges/{c.id}/edit").text

    fixed = form_fields(f.challenge_data(deliverables="工程样品 80 只及工艺文件"))
    post(client, f"/challenges/{c.id}/edit", {**fixed, "action": "submit"})
    session.refresh(c)
    assert c.status == "submitted"
    post(anon, f"/challenges/{c.id}/publish")
    session.refresh(c)
    assert c.status == "published"
    client.cookies.clear()  # the public sees it without logging in
    assert "工程样品 80 只" in client.get(f"/challenges/{c.id}").text


def test_invalid_form_comes_back_as_a_422_fragment_with_messages(client, session):
    f.login(client, session, f.user(session, role=Role.COMPANY))
    data = form_fields(f.challenge_data(offered_yuan="90000000", committed_funds_yuan="-1"))
    response = client.post("/challenges", data={"csrf_token": f.csrf(client), **data},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "<html" not in response.text
    assert "金额不能为负数" in response.text


def test_search_finds_simplified_text_from_a_traditional_query_and_filters_combine(client, session):
    sic = f.challenge(session, title="车规级碳化硅功率模块封装", industry="智能与新能源汽车")
    other = f.challenge(session, title="城轨车辆轴承在线监测", industry="轨道交通")
    both = f.challenge(session, title="轨道交通碳化硅牵引变流器", industry="轨道交通")
    session.commit()
    response = client.get("/challenges", params={"q": "碳化矽功率模組"})
    assert response.status_code == 200
    assert sic.title in response.text and other.title not in response.text
    filtered = client.get("/challenges", params={"q": "碳化硅", "industry": "轨道交通"})
    assert filtered.status_code == 200
    assert both.title in filtered.text  # the positive control: query and industry both match
    assert sic.title not in filtered.text and other.title not in filtered.text
    fragment = client.get("/challenges", params={"industry": "轨道交通"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and other.title in fragment.text and sic.title not in fragment.text


def test_drafts_are_not_public_and_unknown_ids_are_404(client, session):
    draft = f.challenge(session, status="draft", title="尚未提交的草稿")
    session.commit()
    assert "尚未提交的草稿" not in client.get("/challenges").text
    assert client.get(f"/challenges/{draft.id}").status_code == 404
    assert client.get("/challenges/999999").status_code == 404


def test_participation_figures_show_how_many_but_never_who(client, session):
    c = f.challenge(session)
    t = f.team(session, name="保密的投标团队")
    f.bid(session, challenge=c, team_profile=t)
    session.commit()
    page = client.get(f"/challenges/{c.id}").text
    assert re.search(r"1 份", page) and "保密的投标团队" not in page


def test_attachment_upload_checks_type_and_size_and_downloads_as_attachment(client, anon, session):
    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company, status="published")
    session.commit()
    f.login(client, session, company)
    url = f"/challenges/{c.id}/attachments"
    bad = client.post(url, data={"csrf_token": f.csrf(client)},
                      files={"file": ("run.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")}, follow_redirects=True)
    assert "文件内容与扩展名不符" in bad.text
    html = client.post(url, data={"csrf_token": f.csrf(client)},
                       files={"file": ("page.html", b"<script>", "text/html")}, follow_redirects=True)
    assert "仅支持 PDF 和 Office 文件" in html.text
    ok = client.post(url, data={"csrf_token": f.csrf(client)},
                     files={"file": ("技术要求.pdf", b"%PDF-1.7 test", "application/pdf")}, follow_redirects=True)
    assert "附件已上传" in ok.text
    link = re.search(rf'href="(/challenges/{c.id}/attachments/\d+)"', ok.text).group(1)
    download = anon.get(link)
    assert download.status_code == 200 and download.content == b"%PDF-1.7 test"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"


def test_confidential_annex_needs_a_verified_team_that_accepts_the_terms(client, session):
    c = f.challenge(session, confidential_annex="散热器图纸编号 HX-2049")
    session.commit()
    assert "HX-2049" not in client.get(f"/challenges/{c.id}").text
    f.login(client, session, f.user(session, role=Role.TEAM))
    assert "HX-2049" not in client.get(f"/challenges/{c.id}").text
    page = post(client, f"/challenges/{c.id}/accept-terms")
    assert "HX-2049" in page.text
    unverified = f.user(session, role=Role.TEAM, verified=False)
    client.cookies.clear()
    f.login(client, session, unverified)
    assert "HX-2049" not in post(client, f"/challenges/{c.id}/accept-terms").text


def test_an_oversize_attachment_is_refused_and_nothing_is_stored(client, session, app):
    from marketplace.challenges.models import Attachment

    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company, status="published")
    session.commit()
    f.login(client, session, company)
    app.state.settings = app.state.settings.model_copy(update={"upload_max_bytes": 1000})
    for size in (1001, 5000):
        r = client.post(f"/challenges/{c.id}/attachments", data={"csrf_token": f.csrf(client)},
                        files={"file": ("big.pdf", b"%PDF-" + b"0" * (size - 5), "application/pdf")},
                        follow_redirects=True)
        assert "文件超过" in r.text or "文件过大" in r.text, (size, r.status_code)
    assert session.exec(select(Attachment).where(Attachment.challenge_id == c.id)).all() == []


def test_officers_browse_and_verify_the_audit_log_and_owners_see_their_challenges_trail(client, anon, session):
    company = f.user(session, role=Role.COMPANY)
    f.login(client, session, company)
    post(client, "/challenges", {**form_fields(f.challenge_data(title="审计可见的榜单")), "action": "submit"})
    c = session.exec(select(Challenge).where(Challenge.organisation_id == company.organisation_id)).one()
    page = client.get(f"/challenges/{c.id}").text
    assert "操作记录" in page and "提交审核" in page
    assert client.get("/officer/audit").status_code == 403
    assert "操作记录" not in anon.get(f"/challenges/{c.id}").text  # drafts are not public anyway → 404
    f.login(anon, session, f.user(session, role=Role.OFFICER))
    log = anon.get("/officer/audit", params={"verify": "1", "action": "challenge."}).text
    assert "审计链完整" in log and "提交审核" in log and "创建榜单" in log
