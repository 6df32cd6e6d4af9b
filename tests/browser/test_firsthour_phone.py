"""Issue 13 first-hour paths in a phone-sized Chromium (390×844), with and without JavaScript:
the hall's search finds the SiC challenge first, says 没有找到 for nonsense, keeps its filters
folded away and its status badges on one line."""

import pytest

from tests.browsing import BROWSER_MARKS, PHONE, demo_site, open_page

pytestmark = BROWSER_MARKS
site = demo_site("phone")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_searching_on_a_phone(browser, site, javascript):
    page = open_page(browser, site.base, viewport=PHONE, javascript=javascript)
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
    page.context.close()
