"""Issue 11's done-when from acceptance on, in a real browser with the demo accounts: on the demo
contract awaiting acceptance, the acceptance panel's remaining expert and the company record their
indicator-by-indicator verdicts, the officer concludes (passed, today); 免申即享 computes the subsidy —
non-zero because the demo carries an approved successor version of JB-COMPLETION (marked as demo data)
— with its Chinese explanation; one officer checks, another approves; it is listed for 公示; the
installment is paid; the ledger .xlsx agrees with the page; `jiebang subsidy recompute` agrees; and the
subsidy page fits a 390×844 phone without horizontal scrolling."""

import io
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import col, select

from marketplace.accounts.models import ExpertProfile, User
from marketplace.contracts.models import Acceptance, AcceptanceExpert, AcceptanceVote, Contract
from tests.browsing import BROWSER_MARKS, PHONE, demo_site, log_in, open_page

pytestmark = BROWSER_MARKS
ACCEPTING = "车规级功率器件可靠性加速试验平台"  # the demo contract awaiting acceptance (one expert voted)
DEMO_POLICY = "演示数据：假设的延续政策（非真实文件）"
ROOT = Path(__file__).resolve().parents[2]
site = demo_site("acceptance-subsidy-walk")


def person(browser, base_url, account, **context):
    return log_in(browser, base_url, account, trap_dialogs=False, **context)


def yuan(text: str) -> Decimal:
    """The first 元 amount in a text ("560,000.00 元") as Decimal."""
    return Decimal(re.search(r"([\d,]+\.\d{2})", text).group(1).replace(",", ""))


def experts_yet_to_vote(session, contract_id: int) -> list[str]:
    """The e-mails of the panel's experts (not recused) who have not voted — whom the officer would call."""
    acceptance = session.exec(select(Acceptance).where(Acceptance.contract_id == contract_id)
                              .order_by(col(Acceptance.round).desc())).first()
    voted = set(session.exec(select(AcceptanceVote.user_id).where(AcceptanceVote.acceptance_id == acceptance.id)).all())
    rows = session.exec(select(User.email, User.id).join(ExpertProfile, col(ExpertProfile.user_id) == User.id)
                        .join(AcceptanceExpert, col(AcceptanceExpert.expert_id) == ExpertProfile.id)
                        .where(AcceptanceExpert.acceptance_id == acceptance.id,
                               col(AcceptanceExpert.recused).is_(False))).all()
    return [email for email, uid in rows if uid not in voted]


def vote_all_pass(page, url: str, comment: str) -> None:
    page.goto(url)
    form = page.locator("form[action$='/vote']")
    radios = form.locator("input[type=radio][value=pass]")
    assert radios.count() == 2  # one verdict per indicator of the challenge
    for i in range(radios.count()):
        radios.nth(i).check()
    form.locator("textarea[name=comment]").fill(comment)
    form.locator("button").click()
    page.wait_for_load_state()


def test_acceptance_then_subsidy_computed_checked_approved_published_paid_exported_and_recomputed(browser, site):
    base_url = site.base
    officer = person(browser, base_url, "officer@jiebang.demo")
    officer.goto("/contracts")
    url = re.search(r"/contracts/\d+", officer.locator("a", has_text=ACCEPTING).first.get_attribute("href")).group(0)
    contract_id = int(url.rsplit("/", 1)[1])
    officer.goto(url)
    assert officer.locator("#contract-status").inner_text() == "验收中"
    checked = yuan(officer.locator("#checked-funds").inner_text())
    assert checked > 0

    # The panel's remaining expert, then the company, judge each indicator.
    pending = site.read(lambda s: experts_yet_to_vote(s, contract_id))
    assert pending, "the demo contract should still await an expert's verdict"
    for email in pending:
        vote_all_pass(person(browser, base_url, email), url, "两项指标实测值与第三方检测报告一致，达标。")
    company = person(browser, base_url, "company@jiebang.demo")
    vote_all_pass(company, url, "企业确认：试验平台已按任务书交付，指标达标。")
    officer.goto(url)
    votes = officer.locator("table", has_text="意见方").inner_text()
    assert "发榜企业" in votes and votes.count("验收专家") >= 2 and "未达标" not in votes

    # The officer concludes: passed (today — under the demo successor policy, not the expired plan).
    officer.locator("form[action$='/conclude'] button").click()
    officer.wait_for_load_state()
    officer.goto(url)
    assert officer.locator("#contract-status").inner_text() == "验收通过"

    # 免申即享: the subsidy is computed without any application.
    officer.goto("/subsidies")
    officer.locator("form[action='/subsidies/compute'] button").click()
    officer.wait_for_load_state()
    officer.goto("/subsidies?status=computed")
    row = officer.locator("tr[id^=subsidy-]", has_text=ACCEPTING)
    assert row.count() == 1
    subsidy_url = row.locator("a").first.get_attribute("href")
    subsidy_id = int(subsidy_url.rsplit("/", 1)[1])
    officer.goto(subsidy_url)
    explanation = officer.locator("#explanation").inner_text()
    assert DEMO_POLICY in explanation and "核定补助" in explanation and "JB-" not in explanation
    entitlement = yuan(officer.locator("th:text-is('核定补助') + td").inner_text())
    ratio = Decimal("0.20")  # the demo successor's ratio, as its clause text on the policies page says
    officer.goto("/subsidies/policies")
    assert "按企业投入资金的20%给予补助" in officer.content()
    assert entitlement == (checked * ratio).quantize(Decimal("0.01")) and entitlement > 0

    # Maker-checker: one officer checks, the checker may not approve, another officer approves.
    officer.goto(subsidy_url)
    officer.locator("#decisions form", has=officer.locator("input[value=check]")).locator("button").click()
    officer.wait_for_load_state()
    officer.goto(subsidy_url)
    assert "已复核，待批准" in officer.content()
    assert officer.locator("#decisions input[value=approve]").count() == 0
    officer2 = person(browser, base_url, "officer2@jiebang.demo")
    officer2.goto(subsidy_url)
    officer2.locator("#decisions form", has=officer2.locator("input[value=approve]")).locator("button").click()
    officer2.wait_for_load_state()
    officer2.goto(subsidy_url)
    assert "已批准，待拨付" in officer2.content()

    # 公示: on the public page, for anyone, with the amount.
    public = open_page(browser, base_url, trap_dialogs=False)
    public.goto("/subsidies/publicity")
    listed = public.locator("table tr", has_text=ACCEPTING)
    assert listed.count() == 1 and yuan(listed.inner_text()) == entitlement

    # The installment is paid.
    officer2.goto(subsidy_url)
    installment = officer2.locator("#installment-1")
    due = yuan(installment.inner_text())
    installment.locator("form button").click()
    officer2.wait_for_load_state()
    officer2.goto(subsidy_url)
    assert "已拨付（" in officer2.locator("#installment-1").inner_text()
    disbursed = yuan(officer2.locator("th:text-is('已拨付') + td").inner_text())
    assert disbursed == due == entitlement

    # The ledger export matches the page: the award and the payment of this subsidy.
    book = load_workbook(io.BytesIO(officer2.request.get("/subsidies/ledger.xlsx").body()), read_only=True)
    sheet = book.worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if len(r) > 6 and r[1] == subsidy_id]
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r[4], []).append(Decimal(str(r[6])))
    assert by_kind.get("核定补助") == [entitlement]
    assert by_kind.get("拨付") == [disbursed]

    # `jiebang subsidy recompute ID` on the site's database agrees.
    env = {**os.environ, "JIEBANG_DATABASE_URL": site.url, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "marketplace.cli", "subsidy", "recompute", str(subsidy_id)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1] == "一致" and "+PV" in done.stdout, done.stdout

    # The same subsidy page on a 390×844 phone: no horizontal scrolling of the page.
    phone = person(browser, base_url, "officer@jiebang.demo", viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(subsidy_url)
    assert phone.locator("h1").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 2, width
    assert site.read(lambda s: s.get(Contract, contract_id).status) == "accepted"
