"""Issue 10's done-when in a real browser (Debian Chromium, Playwright) with the demo accounts.

On the demo's closed 硫化物固态电解质 challenge: the officer passes both bids in formal review, builds a
panel from the suggestions (auto-assignment; no expert the page lists as conflicted is among the
suggestions), two experts declare and score (the second on a phone, 390×844), the company gives its
opinion, the officer decides against the ranking with a reason, publishes the 公示, the losing team
objects, the officer answers, the window's end is simulated (the scheduler tick run with a clock moved
past the window) and the challenge is awarded; both bidders see their feedback.
Login accounts that the walk cannot know in advance (the experts the assignment picked, the teams of the
two bids) are read from the database, as a user would read them from their own inbox.
"""

from datetime import timedelta

from sqlmodel import select

from marketplace import scheduler
from marketplace.accounts.models import ExpertProfile, TeamProfile, User
from marketplace.actor import Role
from marketplace.awards.models import Announcement, Objection
from marketplace.bids.models import Bid
from marketplace.challenges.models import Challenge
from marketplace.clock import utcnow
from marketplace.reviews.models import ReviewAssignment
from tests.browsing import BROWSER_MARKS, PHONE, demo_site, log_in

pytestmark = BROWSER_MARKS
KEY = "solid-electrolyte"
REASON = "企业意见指出第二名方案的吨级示范线更贴合我司量产计划，综合考虑后确定"
world = demo_site("review-walk")


def person(browser, base, account, viewport=None):
    return log_in(browser, base, account, viewport=viewport)


def test_review_decision_announcement_and_award_in_the_browser(browser, world):
    base, read = world.base, lambda fn: world.read(fn)
    cid = read(lambda s: s.exec(select(Challenge.id).where(Challenge.key == KEY)).one())

    officer = person(browser, base, "officer@jiebang.demo")
    officer.goto(f"/officer/challenges/{cid}/review")
    for _ in range(2):
        officer.locator("button[value=qualify]").first.click()
        officer.locator("#review-confirm button", has_text="确认提交").click()  # the confirmation step
        officer.wait_for_load_state()
    assert officer.locator("button[value=qualify]").count() == 0

    officer.goto(f"/officer/challenges/{cid}/panel")
    officer.fill("#f-reviewers_per_bid", "2")
    officer.click("#start button.btn")
    officer.wait_for_selector("#panel-summary")
    # No expert the page lists as conflicted is offered as a suggestion for the same bid.
    for section in officer.locator("section[id^=bid-]").all():
        suggested = section.locator("h3 + ul li").all_inner_texts()
        blocked = section.locator("details li").evaluate_all("els => els.map(e => e.textContent)")  # folded
        assert suggested, "no suggestions"
        for b in blocked:
            name = b.split(" · ")[0].split("（")[0].strip()
            assert name and not any(s.startswith(name) for s in suggested), name
    officer.click("text=按推荐自动分配")
    officer.wait_for_selector("text=评分 0 / 2")

    bids, assigned, teams = read(lambda s: (
        [b.id for b in s.exec(select(Bid).where(Bid.challenge_id == cid, Bid.status == "qualified")
                              .order_by(Bid.id)).all()],
        [(u.email, a.bid_id) for a, u in s.exec(select(ReviewAssignment, User)
                                                 .join(ExpertProfile, ExpertProfile.id == ReviewAssignment.expert_id)
                                                 .join(User, User.id == ExpertProfile.user_id)
                                                 .order_by(ReviewAssignment.id)).all()
         if s.get(Bid, a.bid_id).challenge_id == cid],
        {b.id: s.get(User, s.get(TeamProfile, b.team_id).owner_id).email
         for b in s.exec(select(Bid).where(Bid.challenge_id == cid, Bid.status == "qualified")).all()}))
    experts: dict[str, list[int]] = {}
    for email, bid_id in assigned:
        experts.setdefault(email, []).append(bid_id)
    assert len(bids) == 2 and len(assigned) == 4 and len(experts) >= 2
    first, second = bids
    points = {first: "9", second: "7"}  # the ranking puts `first` on top

    for n, (email, own) in enumerate(sorted(experts.items())):
        phone = n == len(experts) - 1  # the last expert scores on a phone
        expert = person(browser, base, email, viewport=PHONE if phone else None)
        expert.goto("/review")
        for bid_id in own:
            assert expert.locator(f"a[href='/review/bids/{bid_id}']").count() >= 1
            expert.goto(f"/review/bids/{bid_id}")
            expert.check("input[name=conflict][value=no]")
            expert.click("text=提交申报")
            expert.wait_for_selector("input[name=score_0]")
            if phone:  # the scoring page fits a phone: no sideways scrolling, the fields are usable
                assert expert.evaluate("document.documentElement.scrollWidth") <= 390
                box = expert.locator("input[name=score_0]").bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
            for i in range(4):
                expert.fill(f"input[name=score_{i}]", points[bid_id])
                expert.fill(f"textarea[name=comment_{i}]", "论证充分，指标可行")
            expert.click("text=提交评分")
            expert.wait_for_load_state()
            assert expert.locator("input[name=score_0]").count() == 0
        expert.context.close()

    company_email = read(lambda s: s.exec(select(User.email).where(
        User.organisation_id == s.get(Challenge, cid).organisation_id, User.role == Role.COMPANY)).first())
    company = person(browser, base, company_email)
    company.goto(f"/challenges/{cid}/shortlist")
    assert company.is_visible("text=第 1 名") and "90.00" not in company.content()
    company.check(f"input[name=preferred_bid_ids][value='{second}']")
    company.fill("textarea[name=opinion]", "第二名方案的吨级示范线更贴合我司量产计划")
    company.click("text=提交意见")
    company.wait_for_selector("text=意见已提交科技局")

    officer.goto(f"/officer/challenges/{cid}/decision")
    assert officer.is_visible("text=吨级示范线更贴合")
    officer.check(f"input[name=winning_bid_ids][value='{second}']")
    officer.fill("textarea[name=reason]", "太短")
    officer.click("#decide button")
    officer.wait_for_selector("text=所选方案与计算排名不一致")
    assert read(lambda s: s.get(Challenge, cid).status) == "in_review"  # nothing written
    officer.check(f"input[name=winning_bid_ids][value='{second}']")
    officer.fill("textarea[name=reason]", REASON)
    officer.click("#decide button")
    officer.wait_for_selector("#current-decision")
    assert officer.is_visible("text=未按评审排名第一确定")

    officer.goto("/officer/announcements/new")
    officer.check(f"input[name=challenge_ids][value='{cid}']")
    officer.click("text=发布公示 >> nth=-1")
    officer.wait_for_url("**/announcements")

    loser = person(browser, base, teams[first])
    loser.goto(f"/announcements/{cid}")
    loser.fill("textarea[name=reasons]", "评审排名第一的方案未中选，请说明理由并核实中选方案的示范线条件")
    loser.click("#objection-form button")
    loser.wait_for_selector("text=异议已提交")

    oid = read(lambda s: s.exec(select(Objection.id).where(Objection.challenge_id == cid)).one())
    officer.goto("/objections")
    form = officer.locator(f"form[action='/objections/{oid}/answer']")
    form.locator("input[name=outcome][value=dismissed]").check()
    form.locator("textarea[name=answer]").fill("决定理由已记录在案：企业量产需求经专家组复核，异议不成立")
    form.locator("button").click()
    officer.wait_for_selector("text=异议已答复")
    loser.goto("/objections")
    assert loser.is_visible("text=异议不成立")

    # The window ends: the scheduler's tick with the clock moved past the last day of the 公示.
    def tick(s):
        batch = s.exec(select(Announcement).order_by(Announcement.id.desc())).first()
        later = utcnow() + timedelta(days=(batch.ends_on - batch.published_on).days + 2)
        return scheduler.tick(session=s, now=later).awarded
    assert cid in read(tick)
    assert read(lambda s: s.get(Challenge, cid).status) == "awarded"

    for bid_id, won in ((first, False), (second, True)):
        team = person(browser, base, teams[bid_id])
        team.goto(f"/challenges/{cid}/feedback")
        assert team.is_visible("text=" + ("本单位方案中选" if won else "本单位方案未中选"))
        assert team.is_visible("text=共 2 个方案") and "论证充分" in team.content()
        team.context.close()
