"""Issue 13's fixed paths walked as a new user would, in Debian Chromium: on a desktop, on a 390×844 phone
with JavaScript, and on the phone without JavaScript (HTMX is progressive enhancement: every step must
work as plain forms). One demo site for the module; each mode uses its own demo accounts and records, so
the walks do not depend on each other's order.

What each step checks is what the person sees (a warning above the form, the text they typed still in the
field, the row error naming its column, the receipt code and what it covers, the partner's 已确认, the
diff's old and new values, the audit log's Chinese sentence, the new account's dashboard...), never only a
status code. On the phone no page may be wider than the screen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from marketplace.accounts.models import Organisation, User
from marketplace.accounts.queries import USERS_PAGE_SIZE
from marketplace.bids.models import Bid, receipt_code
from marketplace.challenges.models import Challenge
from marketplace.clock import to_shanghai, utcnow
from marketplace.notifications.models import EmailOutbox
from tests.browsing import BROWSER_MARKS, DESKTOP, PHONE, demo_site, log_in, open_page

pytestmark = BROWSER_MARKS
site = demo_site("firsthour-walks")

MODES = [pytest.param(DESKTOP, True, id="desktop-js"), pytest.param(PHONE, True, id="phone-js"),
         pytest.param(PHONE, False, id="phone-no-js")]
PDF = b"%PDF-1.7\n% first-hour walk\n"


def _pdf(name: str, extra: bytes = b"") -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF + extra}


def _fits(page, viewport) -> None:
    """Nothing on the page is wider than the screen (no sideways scrolling on a phone)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, f"{page.url} is {width}px wide on a {viewport['width']}px screen"


def _id_of(site, model, **where) -> int:
    def find(session):
        query = select(model.id)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.exec(query).one()

    return site.read(find)


def _beijing(moment) -> str:
    return to_shanghai(moment).strftime("%Y-%m-%dT%H:%M")


# ---------------------------------------------------------------- 3: a pending company; 6: the evidence
@pytest.mark.parametrize("viewport, javascript", MODES)
def test_a_pending_company_is_warned_keeps_its_typing_and_the_officer_sees_its_evidence(
        browser, site, viewport, javascript):
    page = log_in(browser, site.base, "liangheng-quantum@jiebang.demo", viewport=viewport, javascript=javascript)
    page.goto("/challenges/new")
    warning = page.locator("#pending-warning")
    assert "尚未通过科技局认证" in warning.inner_text()
    assert warning.bounding_box()["y"] < page.locator("#f-title").bounding_box()["y"]  # before the form
    title = f"量子随机数发生器芯片化（{'JS' if javascript else '无脚本'}{viewport['width']}）"
    page.fill("#f-title", title)
    page.select_option("#f-industry", index=1)
    page.fill("#f-background", "需要芯片级量子随机数源，用于金融与政务密码设备。")
    page.fill("#f-bottleneck", "现有方案体积大、速率低。")
    page.fill("#f-deliverables", "样片 20 片及测试报告。")
    page.fill("input[name=indicators-0-name]", "随机数产生速率")
    page.fill("input[name=indicators-0-target]", "≥1")
    page.fill("input[name=indicators-0-unit]", "Gbps")
    page.fill("input[name=indicators-0-test_method]", "NIST SP 800-22 测试")
    rows = page.locator("input[name$='-name'][name^=indicators-]").count()
    page.click("#challenge-form button[value='add:indicators']")  # a row more, nothing saved, nothing lost
    page.wait_for_selector(f"input[name=indicators-{rows}-name]")
    assert page.input_value("#f-title") == title and page.input_value("input[name=indicators-0-unit]") == "Gbps"
    page.click(f"#challenge-form button[value='remove:indicators:{rows}']")
    page.wait_for_selector(f"input[name=indicators-{rows}-name]", state="detached")
    page.fill("#f-committed_funds_yuan", "2000000")
    page.fill("#f-offered_yuan", "2000000")
    page.select_option("#f-ip_terms", index=1)
    page.select_option("#f-award_mode", index=1)
    page.fill("#f-bid_deadline", _beijing(utcnow() + timedelta(days=40)))
    assert page.locator("#challenge-form button[value=submit]").count() == 0  # waits for the verification
    page.locator("#challenge-form button[value=save]").last.click()
    page.wait_for_selector("text=单位通过科技局认证后即可提交审核")  # a real draft, kept
    _fits(page, viewport)
    page.goto("/challenges/mine")
    page.click(f"text={title}")
    page.click("text=编辑")
    assert page.input_value("#f-title") == title  # what was typed is there to finish later
    assert "需要芯片级量子随机数源" in page.input_value("#f-background")

    page.goto("/organisation/evidence")
    page.fill("input[name=legal_representative]", "孙量衡")
    page.set_input_files("input[name=file]", _pdf("营业执照副本.pdf"))
    page.click("text=提交认证材料")
    page.wait_for_selector("text=认证材料已提交")
    page.context.close()

    officer = log_in(browser, site.base, "officer@jiebang.demo", viewport=viewport, javascript=javascript)
    officer.goto("/officer/organisations")
    org_id = _id_of(site, Organisation, key="liangheng-quantum")
    card = officer.locator(f"#org-{org_id}").inner_text()
    assert "孙量衡" in card and "营业执照副本.pdf" in card
    _fits(officer, viewport)
    officer.context.close()


# ---------------------------------------------------------------- 3 and 5: the bid form, its rows, files,
# the receipt, the consortium partner's confirmation, withdrawal and starting again from the withdrawn bid
BIDDERS = {"desktop-js": ("team@jiebang.demo", "中山大学", "sysu-drug@jiebang.demo"),
           "phone-js": ("scut-oled@jiebang.demo", "暨南大学", "jnu-thz@jiebang.demo"),
           "phone-no-js": ("scut-battery@jiebang.demo", "广东工业大学", "gdut-eda@jiebang.demo")}


@pytest.mark.parametrize("viewport, javascript", MODES)
def test_a_bid_with_rows_files_a_partner_withdrawn_and_reopened(browser, site, viewport, javascript, request):
    team_account, partner_name, partner_account = BIDDERS[request.node.callspec.id]
    challenge_id = _id_of(site, Challenge, key="bioreactor-2000l")
    route = f"一次性袋式反应器：多层共挤膜与磁力搅拌（{request.node.callspec.id}）"
    page = log_in(browser, site.base, team_account, viewport=viewport, javascript=javascript)
    page.goto(f"/challenges/{challenge_id}/bid")
    page.select_option("#f-team_id", index=1)
    page.fill("#f-technical_route", route)
    # rows: a third milestone added and removed again, a second member added
    page.click("#bid-form button[value='add:milestones']")
    page.wait_for_selector("#milestone-2")
    assert page.input_value("#f-technical_route") == route  # adding a row keeps what was typed
    page.click("#bid-form button[value='remove:milestones:2']")
    page.wait_for_selector("#milestone-2", state="detached")
    page.fill("input[name=milestones-0-title]", "中试袋型定型")
    page.fill("input[name=milestones-0-due_month]", "45")  # longer than the challenge's 30 months
    page.locator("#milestone-0 input[type=checkbox]").first.check()
    page.fill("input[name=milestones-1-title]", "2000 L 验证批")
    page.fill("input[name=milestones-1-due_month]", "24")
    page.locator("#milestone-1 input[type=checkbox]").first.check()
    page.fill("input[name=members-0-name]", "周敏")
    page.fill("input[name=members-0-role]", "项目负责人")
    page.click("#bid-form button[value='add:members']")
    page.wait_for_selector("input[name=members-3-name]")
    page.fill("input[name=members-1-name]", "黄涛")
    page.fill("input[name=members-1-role]", "膜材料")
    page.select_option("select[name=partners-0-organisation_id]", label=partner_name)
    page.fill("input[name=partners-0-share_percent]", "20")
    page.fill("input[name=partners-0-role]", "细胞培养验证")
    page.click("#bid-form button[value='add:partners']")
    page.wait_for_selector("select[name=partners-2-organisation_id]")
    page.click("#bid-form button[value='remove:partners:2']")
    page.wait_for_selector("select[name=partners-2-organisation_id]", state="detached")
    assert page.input_value("input[name=partners-0-share_percent]") == "20"
    page.fill("#f-price_yuan", "5000000")
    page.fill("#f-budget_company_yuan", "5000000")
    page.fill("#f-budget_own_yuan", "0")
    page.fill("#f-budget_subsidy_yuan", "1000000")
    page.check("input[name=declare_no_double_funding]")
    page.check("input[name=declare_ownership]")
    page.set_input_files("#f-attachments", _pdf("技术方案说明.pdf"))
    page.click("#bid-form button[value=submit]")
    error = page.locator("[id='err-milestones.0.due_month']")
    error.wait_for()
    assert "第 1 行「完成月份」" in error.inner_text()  # the error names the row and the column
    assert page.input_value("#f-technical_route") == route and page.input_value("input[name=members-1-name]") == "黄涛"
    assert page.is_visible("text=所选附件也未上传")  # and says the file must be chosen again
    _fits(page, viewport)
    page.fill("input[name=milestones-0-due_month]", "12")
    page.set_input_files("#f-attachments", _pdf("技术方案说明.pdf"))
    page.click("#bid-form button[value=submit]")
    page.wait_for_url(re.compile(r"/bids/\d+$"))
    bid_id = int(page.url.rsplit("/", 1)[1])
    receipt = page.locator("#receipt").inner_text()
    code = receipt_code(site.read(lambda s: s.get(Bid, bid_id).receipt_hash))
    assert page.locator("#receipt-code").inner_text() == code and "随方案提交的 1 个附件" in receipt
    assert "技术方案说明.pdf" in page.locator("#attachments").inner_text()
    assert "待确认" in page.locator("#consortium").inner_text()
    _fits(page, viewport)

    partner = log_in(browser, site.base, partner_account, viewport=viewport, javascript=javascript)
    partner.goto("/partner-requests")
    card = partner.locator("article", has_text="2000 L一次性生物反应器").filter(has_text="待确认")
    assert "20%" in card.inner_text()
    card.locator("button[value=confirm]").click()
    partner.wait_for_selector("text=已确认参与")
    _fits(partner, viewport)
    partner.context.close()

    page.goto(f"/bids/{bid_id}")
    assert "已确认" in page.locator("#consortium").inner_text()
    page.click("text=撤回方案")
    page.wait_for_selector("text=揭榜方案已撤回")
    page.goto(f"/challenges/{challenge_id}/bid")
    page.click("text=从撤回的方案开始填写")
    page.wait_for_selector("text=已载入您于")
    assert page.input_value("#f-technical_route") == route
    assert page.input_value("input[name=milestones-1-title]") == "2000 L 验证批"
    assert page.input_value("input[name=members-1-name]") == "黄涛"
    page.context.close()


# ---------------------------------------------------------------- 5: 补正 after disqualification
SUPPLEMENTERS = {"desktop-js": "gibh-stem", "phone-js": "jnu-biopharma", "phone-no-js": "fytri-microfluidics"}


@pytest.mark.parametrize("viewport, javascript", MODES)
def test_a_disqualified_team_supplies_the_missing_documents(browser, site, viewport, javascript, request):
    team_key = SUPPLEMENTERS[request.node.callspec.id]
    challenge_id = _id_of(site, Challenge, key="cart-closed")

    def bid_of(session):
        from marketplace.accounts.models import TeamProfile

        team = session.exec(select(TeamProfile.id).where(TeamProfile.key == team_key)).one()
        return session.exec(select(Bid.id).where(Bid.team_id == team, Bid.challenge_id == challenge_id)).one()

    bid_id = site.read(bid_of)
    officer = log_in(browser, site.base, "officer@jiebang.demo", viewport=viewport, javascript=javascript)
    officer.goto(f"/officer/challenges/{challenge_id}/review")
    card = officer.locator(f"#review-{bid_id}")
    card.locator("input[name=reason]").first.fill("缺少伦理审查批件")
    card.locator("button[value=disqualify]").first.click()
    officer.click("text=确认提交")
    officer.wait_for_selector(f"text=方案 #{bid_id}：形式审查未通过")
    form = officer.locator(f"#supplement-{bid_id}")
    form.locator("input[name=deadline]").fill(_beijing(utcnow() + timedelta(days=5)))
    form.locator("input[name=note]").fill("请补交伦理审查批件")
    form.locator("button").click()
    officer.wait_for_selector(f"text=已要求方案 #{bid_id} 补正")
    _fits(officer, viewport)

    team = log_in(browser, site.base, f"{team_key}@jiebang.demo", viewport=viewport, javascript=javascript)
    team.goto(f"/bids/{bid_id}")
    assert "请补交伦理审查批件" in team.locator("#supplement").inner_text()
    team.set_input_files("#f-supplement", _pdf("伦理审查批件.pdf"))
    team.click("text=上传并提交补正")
    team.wait_for_selector("text=补正材料已提交")
    _fits(team, viewport)
    team.context.close()

    officer.goto(f"/officer/challenges/{challenge_id}/review")
    assert "伦理审查批件.pdf" in officer.locator(f"#review-{bid_id}").inner_text()
    officer.context.close()


# ---------------------------------------------------------------- 6: the version diff, the audit log
@pytest.mark.parametrize("viewport, javascript", MODES)
def test_the_officer_sees_what_changed_and_reads_the_audit_log(browser, site, viewport, javascript, request):
    challenge_id = _id_of(site, Challenge, key="sic-tcad")
    new_title = f"碳化硅MOSFET器件TCAD仿真与紧凑模型工业软件（{request.node.callspec.id}）"
    company = log_in(browser, site.base, "zhixin-semi@jiebang.demo", viewport=viewport, javascript=javascript)
    company.goto(f"/challenges/{challenge_id}/edit")
    old_title = company.input_value("#f-title")
    company.fill("#f-title", new_title)
    company.click("#challenge-form button[value=submit]")
    company.wait_for_selector("text=已提交审核")
    company.context.close()

    officer = log_in(browser, site.base, "officer@jiebang.demo", viewport=viewport, javascript=javascript)
    officer.goto(f"/challenges/{challenge_id}")
    diff = officer.locator("#version-diff").inner_text()
    assert "标题" in diff and old_title in diff and new_title in diff
    _fits(officer, viewport)
    back = officer.locator(f"form[action='/challenges/{challenge_id}/return']")
    back.locator("input[name=comment]").fill("请补充仿真精度的测试条件")
    back.locator("button").click()
    officer.wait_for_selector("text=已退回企业修改")

    officer.goto("/officer/audit")
    officer.select_option("select[name=action]", value="challenge.return")
    officer.click("text=查询")
    officer.wait_for_url(re.compile(r"action="))
    rows = officer.locator("td.audit-sentence").all_inner_texts()
    assert rows and any("退回" in r and new_title in r for r in rows), rows[:3]
    assert not any(re.search(r"challenge\.\w+", r) for r in rows)  # no raw action names
    _fits(officer, viewport)
    officer.context.close()


# ---------------------------------------------------------------- 7: admin users, joining, password reset
@pytest.mark.parametrize("viewport, javascript", MODES)
def test_admin_list_a_second_lab_head_joins_and_a_password_is_reset(browser, site, viewport, javascript, request):
    mode = request.node.callspec.id
    admin = log_in(browser, site.base, "admin@jiebang.demo", viewport=viewport, javascript=javascript)
    admin.goto("/admin/users")
    admin.fill("#user-filter input[name=q]", "scut")
    admin.select_option("#user-filter select[name=role]", value="team")
    admin.click("#user-filter button")
    admin.wait_for_url(re.compile(r"q=scut"))
    summary = admin.locator("text=/共 \\d+ 个账号/").inner_text()
    emails = admin.locator("table").last.inner_text()
    assert "scut-oled@jiebang.demo" in emails and "sysu" not in emails and "company@" not in emails
    assert int(re.search(r"共 (\d+) 个账号", summary).group(1)) >= 7
    admin.goto("/admin/users")
    total = int(re.search(r"共 (\d+) 个账号", admin.locator("text=/共 \\d+ 个账号/").inner_text()).group(1))
    assert total > USERS_PAGE_SIZE, "the demo has more accounts than one page: paging is walked"
    first = admin.locator("table").last.inner_text()
    admin.click("nav.pager >> text=下一页")
    admin.wait_for_url(re.compile(r"page=2"))
    assert "第 2 /" in admin.locator("text=/共 \\d+ 个账号/").inner_text()
    assert admin.locator("table").last.inner_text() != first  # other accounts on page 2
    _fits(admin, viewport)
    admin.context.close()

    # a second lab head of 华南理工大学 registers with the university's code and waits for its approval
    uscc = site.read(lambda s: s.exec(select(Organisation.uscc).where(Organisation.key == "scut")).one())
    email = f"lab-head-{mode}@scut.example"
    newcomer = open_page(browser, site.base, viewport=viewport, javascript=javascript)
    newcomer.goto("/register")
    assert newcomer.get_attribute("a[href='/terms']", "href") and newcomer.get_attribute("a[href='/privacy']", "href")
    newcomer.select_option("#f-org_kind", value="university")
    newcomer.fill("#f-org_name", "华南理工大学")
    newcomer.fill("#f-uscc", uscc)
    newcomer.select_option("#f-district", label="天河区")
    newcomer.fill("#f-display_name", f"梁教授{mode}")
    newcomer.fill("#f-email", email)
    newcomer.fill("#f-password", "scut-lab-2026")
    newcomer.check("input[name=accept_terms]")
    _fits(newcomer, viewport)
    newcomer.click("#register-form button[type=submit]")
    newcomer.wait_for_selector("text=已向本单位已认证的账号和科技局提交您的加入申请")
    newcomer.context.close()

    colleague = log_in(browser, site.base, "scut-robot@jiebang.demo", viewport=viewport, javascript=javascript)
    colleague.goto("/organisation/join-requests")
    card = colleague.locator("article, li, .card", has_text=f"梁教授{mode}").last
    card.locator("text=同意加入").click()
    colleague.wait_for_selector("text=/已同意/")
    colleague.context.close()
    login = open_page(browser, site.base, viewport=viewport, javascript=javascript)
    login.goto("/login")
    login.fill("#f-account", email)
    login.fill("#f-password", "scut-lab-2026")
    login.click("#login-form button[type=submit]")
    login.wait_for_url("**/dashboard")
    assert "华南理工大学" in login.locator("main").inner_text()
    login.context.close()

    # password reset through the outbox: the link works once
    forgot = open_page(browser, site.base, viewport=viewport, javascript=javascript)
    forgot.goto("/password/forgot")
    forgot.fill("#f-account", email)
    forgot.click("text=发送重置链接")
    forgot.wait_for_selector("text=重置密码的链接已发送")
    user_id = _id_of(site, User, email=email)

    def mail(session):
        return session.exec(select(EmailOutbox.body).where(EmailOutbox.user_id == user_id,
                                                           EmailOutbox.kind == "password_reset")).all()[-1]

    link = re.search(r"https?://\S+/password/reset\?token=\S+", site.read(mail)).group(0)
    forgot.goto(link.replace(link.split("/password")[0], site.base))
    forgot.fill("#f-new_password", "scut-lab-2027-new")
    forgot.fill("#f-new_password_again", "scut-lab-2027-new")
    forgot.click("text=保存新密码")
    forgot.wait_for_selector("text=/密码已/")
    forgot.goto(link.replace(link.split("/password")[0], site.base))
    assert "无效或已过期" in forgot.locator("main").inner_text()  # single use
    forgot.goto("/login")
    forgot.fill("#f-account", email)
    forgot.fill("#f-password", "scut-lab-2027-new")
    forgot.click("#login-form button[type=submit]")
    forgot.wait_for_url("**/dashboard")
    forgot.context.close()


# ---------------------------------------------------------------- 8 and 9: 适老化, terms, phone widths
PAGES = ["/", "/challenges", "/teams", "/notices", "/policies", "/guide", "/terms", "/privacy", "/register",
         "/login", "/password/forgot"]
LOGGED_IN = {"company@jiebang.demo": ["/dashboard", "/challenges/mine", "/challenges/new", "/inbox",
                                      "/partner-requests", "/organisation/evidence"],
             "team@jiebang.demo": ["/dashboard", "/bids/mine", "/teams-mine", "/organisation/join-requests"],
             "officer@jiebang.demo": ["/officer/challenges", "/officer/organisations", "/officer/audit"],
             "admin@jiebang.demo": ["/admin/users"]}


@pytest.mark.parametrize("viewport, javascript", MODES)
def test_large_text_terms_and_no_page_wider_than_the_phone(browser, site, viewport, javascript):
    page = open_page(browser, site.base, viewport=viewport, javascript=javascript)
    page.goto("/register")
    for href, heading in (("/terms", "服务协议"), ("/privacy", "隐私政策")):
        assert page.locator(f"#register-form a[href='{href}']").count() == 1
        response = page.request.get(href)
        assert response.status == 200 and heading in response.text()
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click("text=适老化（大字版）")
    page.wait_for_selector("body.large-display")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > size
    page.goto("/challenges")
    assert page.locator("body.large-display").count() == 1  # the choice stays
    for path in PAGES:
        page.goto(path)
        _fits(page, viewport)
    page.click("text=标准版")
    page.wait_for_selector("body:not(.large-display)")
    page.context.close()
    if not (javascript and viewport is PHONE):  # logged-in pages: once, on the phone with HTMX running
        return
    for account, paths in LOGGED_IN.items():
        person = log_in(browser, site.base, account, viewport=viewport, javascript=javascript)
        for path in paths:
            person.goto(path)
            _fits(person, viewport)
        person.context.close()
