"""Issue 3's done-when in a real browser (Debian Chromium, driven by Playwright), with HTMX on.

Company drafts and submits → officer returns with a comment → company fixes and resubmits →
officer publishes → two teams find it by searching (one in Traditional script) and bid, one as a
consortium; the company sees only that bids exist → the deadline passes → the officer runs the
formal review → the company reads the bids. The title carries a script tag, which must stay
text: the CSP would block an injected inline script (so a dialog trap alone could never fire), so
the test checks the DOM instead: no `script` element inside the title's elements, and their text is
exactly the title as typed (the detail heading and the search result cards).
"""

import re
from datetime import timedelta

from marketplace.clock import to_shanghai, utcnow
from tests.browsing import BROWSER_MARKS, demo_site, log_in

pytestmark = BROWSER_MARKS
TITLE = "<script>alert(1)</script>車規級碳化硅模块焊层"
site = demo_site("browser")


def person(browser, base_url, account):
    return log_in(browser, base_url, account)


def test_post_review_publish_search_and_bid_in_the_browser(browser, site):
    base_url = site.base
    company = person(browser, base_url, "company@jiebang.demo")
    company.goto("/challenges/new")
    company.fill("#f-title", TITLE)
    company.select_option("#f-industry", "智能与新能源汽车")
    company.fill("#f-background", "主驱逆变器需要国产碳化硅功率模块，焊层可靠性是量产前提。")
    company.fill("#f-bottleneck", "焊层在功率循环中疲劳开裂，寿命不足两万次。")
    company.fill("input[name=indicators-0-name]", "功率循环寿命")
    company.fill("input[name=indicators-0-target]", "≥50000")
    company.fill("#f-deliverables", "工程样品与工艺文件")
    company.fill("#f-committed_funds_yuan", "6000000")
    company.fill("#f-offered_yuan", "4000000")
    deadline = to_shanghai(utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT17:00")
    company.fill("#f-bid_deadline", deadline)
    company.click("button[value=submit]")
    company.wait_for_selector("text=榜单已提交，等待科技局审核")
    challenge_url = re.search(r"/challenges/\d+", company.url).group(0)
    assert_text_not_markup(company, "h1")  # shown as text, never parsed into elements

    officer = person(browser, base_url, "officer@jiebang.demo")
    officer.goto(challenge_url)
    officer.fill("input[name=comment]", "请补充焊层材料要求")
    officer.click("text=退回修改")
    officer.wait_for_selector("text=已退回企业修改")

    company.goto(challenge_url + "/edit")
    assert company.is_visible("text=请补充焊层材料要求")
    company.fill("#f-requirements", "具备银烧结焊层工艺")
    company.click("button[value=submit]")
    company.wait_for_selector("text=已提交审核")

    officer.goto(challenge_url)
    officer.click("text=审核通过并发布")
    officer.wait_for_selector("text=揭榜中")

    team = person(browser, base_url, "team@jiebang.demo")
    bid(team, challenge_url, "車規級碳化矽模組焊層", route="采用银烧结替代锡焊，纳米银膏低温烧结，功率循环验证。",
        milestone=("样品与功率循环测试", "12"), member="陈志远", price="3800000")
    consortium = person(browser, base_url, "gdas-semi-gan@jiebang.demo")
    bid(consortium, challenge_url, "碳化硅模块焊层", route="氮化镓与碳化硅协同的瞬态液相烧结焊层方案。",
        milestone=("焊层工艺定型", "10"), member="龚新宇", price="3500000", partner=("中山大学", "30", "可靠性验证"))

    company.goto(challenge_url)
    assert company.is_visible("text=已收到 2 份揭榜方案")
    assert "纳米银膏" not in company.content() and "瞬态液相" not in company.content()

    challenge_id = int(challenge_url.rsplit("/", 1)[1])
    _move_deadline_into_the_past(site, challenge_id)
    officer.goto(f"/officer/challenges/{challenge_id}/review")
    officer.locator("button[value=qualify]").first.click()
    officer.locator("#review-confirm button", has_text="确认提交").click()  # the confirmation step
    officer.wait_for_selector("text=形式审查通过")
    company.goto(challenge_url)
    assert company.is_visible("text=共 2 份揭榜方案") and company.is_visible("text=形式审查通过")
    routes = []
    for link in company.locator("a[href^='/bids/']").all():
        company_bid = company.context.new_page()
        company_bid.goto(link.get_attribute("href"))
        routes.append(company_bid.content())
        company_bid.close()
    assert any("纳米银膏" in r for r in routes) and any("瞬态液相" in r for r in routes)


def assert_text_not_markup(page, selector):
    """Every element matching `selector` holds the title as its own text and no script element."""
    found = page.eval_on_selector_all(selector, """els => els.map(e => ({
        scripts: e.querySelectorAll('script').length,
        text: [...e.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.data).join('').trim()}))""")
    assert found, selector
    assert all(item == {"scripts": 0, "text": TITLE} for item in found), found


def bid(page, challenge_url, query, *, route, milestone, member, price, partner=None):
    """Find the challenge by searching, fill the bid form (optionally as a consortium) and submit it."""
    page.goto("/challenges?q=" + query)
    assert_text_not_markup(page, f".challenge-card a[href='{challenge_url}']")  # the search card
    page.click("a:has-text('車規級碳化硅模块焊层')")
    page.click("text=我要揭榜")
    page.fill("#f-technical_route", route)
    page.fill("input[name=milestones-0-title]", milestone[0])
    page.fill("input[name=milestones-0-due_month]", milestone[1])
    page.check("input[name=milestones-0-indicators]")
    page.fill("input[name=members-0-name]", member)
    page.fill("input[name=members-0-role]", "项目负责人")
    page.fill("#f-price_yuan", price)
    if partner:
        page.select_option("select[name=partners-0-organisation_id]", label=partner[0])
        page.fill("input[name=partners-0-share_percent]", partner[1])
        page.fill("input[name=partners-0-role]", partner[2])
    page.check("input[name=declare_no_double_funding]")
    page.check("input[name=declare_ownership]")
    page.click("button[value=submit]")
    page.wait_for_selector("text=提交回执")


def _move_deadline_into_the_past(site, challenge_id: int) -> None:
    """Stand-in for waiting: the deadline passes (the server applies it on the next access)."""
    from marketplace.challenges.models import Challenge

    def move(session):
        challenge = session.get(Challenge, challenge_id)
        challenge.bid_deadline = utcnow() - timedelta(minutes=1)
        session.add(challenge)
        session.commit()
    site.read(move)
