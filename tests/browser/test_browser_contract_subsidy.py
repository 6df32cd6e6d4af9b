"""Issue 11's done-when in a real browser (Debian Chromium via Playwright), on the demo data, as far as
the demo accounts reach: the parties sign the demo contract awaiting signatures (the company signed in
the demo; the bureau, the lead team and the consortium partner sign here); the team reports a milestone
with evidence; the company records a payment with a voucher; the team confirms it; the officer checks it.
Then a demo subsidy computed from a 2025 acceptance (the shipped policies are in force until
2025-12-31): its explanation is shown, one officer checks it, the other approves it, it is listed for
公示, one installment is paid, and the ledger on its page shows the payment. Finally a phone viewport
(390×844) smoke of /contracts/{id} and /subsidies/{id}.
"""

import re

from tests.browsing import BROWSER_MARKS, PHONE, demo_site, log_in, open_page

pytestmark = BROWSER_MARKS
SIGNING = "车规级碳化硅模块银烧结工艺验证"  # the demo contract awaiting signatures (partner: 中山大学)
PARTNER = "sysu-power-rel@jiebang.demo"
PDF = {"name": "凭证.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 demo voucher\n%%EOF\n"}
site = demo_site("browser-money")


def person(browser, base_url, account, **context):
    return log_in(browser, base_url, account, trap_dialogs=False, **context)


def contract_url(page) -> str:
    page.goto("/contracts")
    href = page.locator("a", has_text=SIGNING).first.get_attribute("href")
    return re.search(r"/contracts/\d+", href).group(0)


def status(page) -> str:
    return page.locator("#contract-status").inner_text()


def test_sign_report_pay_confirm_check_then_check_approve_publish_and_pay_a_subsidy(browser, site):
    base_url = site.base
    officer = person(browser, base_url, "officer@jiebang.demo")
    url = contract_url(officer)
    officer.goto(url)
    assert status(officer) == "签署中"

    # The parties sign: bureau, lead team, consortium partner (the company signed in the demo).
    for page in (officer, person(browser, base_url, "team@jiebang.demo"), person(browser, base_url, PARTNER)):
        page.goto(url)
        page.click("#sign")
        page.wait_for_load_state()
    officer.goto(url)
    assert status(officer) == "执行中"

    # The team reports the first milestone with evidence; the company confirms it.
    team = person(browser, base_url, "team@jiebang.demo")
    team.goto(url)
    report = team.locator("form[action$='/report']").first
    report.locator("textarea[name=summary]").fill("样品试制完成，剪切强度实测 45 MPa，见检测报告。")
    report.locator("input[type=file]").set_input_files(PDF)
    report.locator("button").click()
    team.wait_for_load_state()
    company = person(browser, base_url, "company@jiebang.demo")
    company.goto(url)
    company.locator("form[action$='/decision'] button[value=confirm]").first.click()
    company.wait_for_load_state()
    company.goto(url)
    assert "已确认" in company.locator("tr[id^=milestone-]").first.inner_text()

    # The company records a payment with its voucher; the team confirms it; the officer checks it.
    company.goto(url)
    company.locator("details summary", has_text="登记一笔付款").click()
    pay = company.locator("form[action$='/payments']")
    pay.locator("input[name=amount_yuan]").fill("1200000")
    signed_on = re.search(r"不早于签署生效日 (\d{4}-\d{2}-\d{2})", company.content()).group(1)
    pay.locator("input[name=paid_on]").fill(signed_on)
    pay.locator("input[type=file]").set_input_files(PDF)
    pay.locator("button.btn").click()
    company.wait_for_load_state()
    team.goto(url)
    team.locator("form[action$='/confirm'] button[value=received]").first.click()
    team.wait_for_load_state()
    officer.goto(url)
    officer.locator("form[action$='/check'] button[value=approve]").first.click()
    officer.wait_for_load_state()
    officer.goto(url)
    assert "1,200,000.00" in officer.locator("#checked-funds").inner_text()

    # A subsidy computed by 免申即享 from a 2025 acceptance: explanation, maker-checker, 公示, payment.
    officer.goto("/subsidies?status=computed")
    rows = officer.locator("tr[id^=subsidy-]")
    subsidy_url = next(  # a passed contract's subsidy (a failed one computes 0: nothing to pay)
        rows.nth(i).locator("a").get_attribute("href") for i in range(rows.count())
        if re.search(r"[1-9]", rows.nth(i).locator("td").nth(4).inner_text()))
    officer.goto(subsidy_url)
    explanation = officer.locator("#explanation").inner_text()
    assert "依据《" in explanation and "核定补助" in explanation and "JB-" not in explanation
    officer.locator("#decisions form", has=officer.locator("input[value=check]")).locator("button").click()
    officer.wait_for_load_state()
    officer.goto(subsidy_url)
    assert "已复核，待批准" in officer.content()
    assert officer.locator("#decisions input[value=approve]").count() == 0  # the checker may not approve

    officer2 = person(browser, base_url, "officer2@jiebang.demo")
    officer2.goto(subsidy_url)
    officer2.locator("#decisions form", has=officer2.locator("input[value=approve]")).locator("button").click()
    officer2.wait_for_load_state()
    officer2.goto(subsidy_url)
    assert "已批准，待拨付" in officer2.content()
    title = officer2.locator("h1").inner_text()

    public = open_page(browser, base_url, trap_dialogs=False)
    public.goto("/subsidies/publicity")
    number = subsidy_url.rsplit("/", 1)[1]
    assert public.locator("table tr", has_text=number).count() >= 1, title

    officer2.goto(subsidy_url)
    officer2.locator("#installment-1 form button").click()
    officer2.wait_for_load_state()
    officer2.goto(subsidy_url)
    assert "已拨付（" in officer2.locator("#installment-1").inner_text()
    ledger = officer2.locator("table").last.inner_text()
    assert "核定补助" in ledger and "拨付" in ledger and "第 1 期拨付" in ledger
    assert officer2.request.get("/subsidies/ledger.xlsx").status == 200

    # Phone viewport smoke: both pages render without horizontal scrolling of the whole page.
    phone = person(browser, base_url, "officer@jiebang.demo", viewport=PHONE,
                   is_mobile=True, has_touch=True)
    for target in (url, subsidy_url):
        phone.goto(target)
        assert phone.locator("h1").is_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 2, (target, width)
