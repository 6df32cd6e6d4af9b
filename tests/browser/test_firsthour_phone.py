"""Issue 13 first-hour paths in a phone-sized Chromium (390×844), with and without JavaScript:
the hall's search finds the SiC challenge first, says 没有找到 for nonsense, keeps its filters
folded away and its status badges on one line."""

import os
import shutil

import pytest

from tests.servers import prepare_demo_database, uvicorn_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("phone")
    url = f"sqlite:///{folder / 'p.db'}"
    prepare_demo_database(url)
    with uvicorn_server(url, folder) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        yield b
        b.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_searching_on_a_phone(browser, base_url, javascript):
    context = browser.new_context(base_url=base_url, locale="zh-CN", viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto("/challenges")
    assert not page.is_visible("#industry")  # the filters are folded: results come first
    page.fill("#q", "碳化硅")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("text=按相关度排序")
    first = page.locator("#results .card a").first
    assert "碳化硅" in first.inner_text()
    for badge in page.locator("#results .badge").all():
        box = badge.bounding_box()
        assert box is None or box["height"] < 40, badge.inner_text()  # one line, not a character per line
    page.fill("#q", "zzzz不存在")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("text=没有找到与“zzzz不存在”相关的榜单")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1  # nothing wider than the phone
    context.close()
