"""The portal reads like a government service platform: host, notices, the action plan, guides, terms, 适老化."""

import re

import pytest

from tests import factories as f


def test_every_page_names_the_bureau_as_host_and_links_the_portal(client):
    page = client.get("/challenges")
    assert page.status_code == 200
    assert "主办单位：广州市科学技术局" in page.text
    for href in ("/notices", "/policies", "/guide", "/terms", "/privacy"):
        assert f'href="{href}"' in page.text
        assert client.get(href).status_code == 200, href


def test_the_action_plan_is_readable_in_simplified_script_with_item_8(client):
    listing = client.get("/policies")
    assert "穗府办〔2022〕19号" in listing.text
    doc = client.get("/policies/gz-2022-19")
    assert doc.status_code == 200
    # The shipped text is a Traditional-script rendering; the page shows Simplified.
    assert "对成功" in doc.text and "根据企业投入资金情况按一定比例给予补助" in doc.text
    assert "廣州市" not in doc.text and "揭榜掛帥" not in doc.text


def test_notices_are_listed_newest_first_and_open(client):
    listing = client.get("/notices")
    dates = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)"', listing.text)
    assert len(dates) >= 3 and dates == sorted(dates, reverse=True)
    first = re.search(r'href="(/notices/[a-z0-9-]+)"', listing.text).group(1)
    assert client.get(first).status_code == 200


@pytest.mark.parametrize("slug", ["company", "team", "expert", "officer"])
def test_each_role_has_a_guide_with_steps_and_answers(client, slug):
    page = client.get(f"/guide/{slug}")
    assert page.status_code == 200
    assert page.text.count("<li>") >= 3 and "<details>" in page.text


def test_unknown_portal_items_are_404_in_chinese(client):
    for url in ("/notices/nope", "/policies/nope", "/guide/nope"):
        response = client.get(url)
        assert response.status_code == 404 and "不存在" in response.text


def test_registration_links_the_terms_and_privacy_pages(client):
    form = client.get("/register").text
    assert 'href="/terms"' in form and 'href="/privacy"' in form
    assert "服务协议" in client.get("/terms").text and "隐私政策" in client.get("/privacy").text


def test_the_large_display_switch_is_remembered_and_only_redirects_within_the_site(client):
    assert 'class="large-display"' not in client.get("/").text
    switched = client.post("/display", data={"csrf_token": f.csrf(client), "mode": "large", "next": "/guide"},
                           follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/guide"
    assert 'class="large-display"' in client.get("/guide").text
    back = client.post("/display", data={"csrf_token": f.csrf(client), "mode": "standard",
                                         "next": "//evil.example/"}, follow_redirects=False)
    assert back.headers["location"] == "/"
    assert 'class="large-display"' not in client.get("/").text


def test_the_display_switch_needs_the_csrf_token(client):
    assert client.post("/display", data={"mode": "large"}).status_code == 403


def test_record_numbers_appear_in_the_footer_only_when_configured(client, app):
    assert "ICP" not in client.get("/").text
    app.state.settings.site_icp = "粤ICP备00000000号"
    try:
        assert "粤ICP备00000000号" in client.get("/").text
    finally:
        app.state.settings.site_icp = ""
