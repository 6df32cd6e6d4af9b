"""`make mutate`: named one-line mutations of the rule modules, each run against its related tests.

Each mutation is (name, file, exact original snippet, replacement, tests). The script applies one
mutation in place, runs only the related tests (SQLite, -x), restores the file (always: finally,
and on SIGINT/SIGTERM), and prints whether a test caught it. A mutation whose snippet is no longer
found exactly once (the code moved on) is reported as "stale", never applied and not counted.
At the end it prints the kill rate over the mutations that ran.

Every surviving mutation is either a missing test (add one) or an equivalent change: list those in
EQUIVALENT with the reason, so they are reported as such and left out of the rate.

Do not run it while another test run uses this checkout: the mutated file is live while it runs.
Usage: .venv/bin/python tests/mutate.py [name-substring ...]
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = os.path.join(tempfile.gettempdir(), f"jiebang-mutate-{os.getpid()}.log")  # the last run's output
TIMEOUT = 300  # seconds per mutation run


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]


CH_STATES = ("tests/challenges/test_states.py",)
BID_STATES = ("tests/bids/test_bid_states.py",)
BID_RULES = ("tests/bids/test_bid_permissions_and_demo.py", "tests/bids/test_bid_service.py",
             "tests/bids/test_bid_authz.py")
CH_RULES = ("tests/challenges/test_states.py", "tests/challenges/test_service.py",
            "tests/challenges/test_authz_matrix.py", "tests/challenges/test_pages.py")
ACCOUNTS = ("tests/domain/test_accounts.py", "tests/domain/test_org_verification_machine.py",
            "tests/web/test_authz_accounts.py", "tests/api/test_api_accounts.py")
MONEY = ("tests/unit/test_money.py",)
AUDIT = ("tests/domain/test_audit.py",)
SUBSIDY = ("tests/subsidies",)
CONTRACTS = ("tests/contracts/test_contract_service.py", "tests/contracts/test_subsidy_handover.py")
LEDGER = ("tests/subsidies_ledger/test_workflow.py",)
COI = ("tests/reviews/test_coi.py",)
ASSIGN = ("tests/reviews/test_assignment.py",)
SCORING = ("tests/reviews/test_scoring.py",)
REVIEW_SERVICE = ("tests/reviews/test_review_service.py", "tests/reviews/test_decision.py")
AWARDS = ("tests/reviews/test_calendar.py", "tests/reviews/test_award_service.py")
CONTRACT_RULES = ("tests/contracts/test_permission_matrix.py", "tests/contracts/test_contract_service.py")
CREDIT = ("tests/reports/test_credit.py",)
DASHBOARD = ("tests/reports/test_dashboard.py",)
LAPSE = ("tests/contracts/test_rectification_lapse.py",)
MANUAL = ("tests/subsidies_ledger/test_manual_decision.py",)
POOLS = ("tests/subsidies_ledger/test_pools.py",)

M = Mutation
TEAMFLOW = ("tests/bids/test_consortium.py", "tests/bids/test_attachments_and_supplement.py",
            "tests/bids/test_bid_states.py")

MUTATIONS = [
    # --- state tables -----------------------------------------------------------------------
    M("challenge: the company may publish", "marketplace/challenges/states.py",
      '(S.SUBMITTED, "publish", S.PUBLISHED, BUREAU,', '(S.SUBMITTED, "publish", S.PUBLISHED, (COMPANY, *BUREAU),',
      CH_STATES),
    M("challenge: return goes to draft", "marketplace/challenges/states.py",
      '(S.SUBMITTED, "return", S.RETURNED,', '(S.SUBMITTED, "return", S.DRAFT,', CH_STATES),
    M("challenge: officers may close", "marketplace/challenges/states.py",
      '(S.PUBLISHED, "close", S.CLOSED, (SYSTEM,),', '(S.PUBLISHED, "close", S.CLOSED, (SYSTEM, *BUREAU),', CH_STATES),
    M("challenge: closed challenges can be withdrawn", "marketplace/challenges/states.py",
      '(S.PUBLISHED, "withdraw", S.WITHDRAWN,', '((S.PUBLISHED, S.CLOSED), "withdraw", S.WITHDRAWN,', CH_STATES),
    M("challenge: the company approves its own change", "marketplace/challenges/states.py",
      '(S.PUBLISHED, "approve_change", S.PUBLISHED, BUREAU,',
      '(S.PUBLISHED, "approve_change", S.PUBLISHED, (COMPANY, *BUREAU),', CH_STATES),
    M("bid: officers may withdraw bids", "marketplace/bids/states.py",
      '"withdraw", B.WITHDRAWN, (TEAM,)', '"withdraw", B.WITHDRAWN, (TEAM, OFFICER)', BID_STATES),
    M("bid: qualified bids can be resubmitted", "marketplace/bids/states.py",
      '(B.SUBMITTED, "resubmit",', '((B.SUBMITTED, B.QUALIFIED), "resubmit",', BID_STATES),
    M("bid: the team may qualify", "marketplace/bids/states.py",
      '(B.SUBMITTED, "qualify", B.QUALIFIED, (OFFICER, ADMIN)',
      '(B.SUBMITTED, "qualify", B.QUALIFIED, (TEAM, OFFICER, ADMIN)', BID_STATES),
    # --- bid permissions and queries (the sealing rule) ---------------------------------------
    M("bid: a review conclusion is corrected after expert review started", "marketplace/bids/service.py",
      "    if challenge.status not in (ChallengeStatus.PUBLISHED, ChallengeStatus.CLOSED):",
      "    if False:", ["tests/bids/test_review_confirm_correct.py"]),
    M("bid: sealing ignores the deadline", "marketplace/bids/permissions.py",
      "    if not challenge_permissions.has_closed(challenge, now):\n        return False\n"
      "    return actor.is_officer", "    return actor.is_officer", BID_RULES),
    M("bid: drafts are opened too", "marketplace/bids/permissions.py",
      "OPENED_STATES = frozenset({B.SUBMITTED, B.QUALIFIED, B.DISQUALIFIED, B.SUPPLEMENTING, B.SUPPLEMENTED})",
      "OPENED_STATES = frozenset({B.DRAFT, B.SUBMITTED, B.QUALIFIED, B.DISQUALIFIED, B.SUPPLEMENTING, B.SUPPLEMENTED})",
      BID_RULES),
    # --- consortium partners and 补正 (issue 13.5) ----------------------------------------------
    M("bid partner: any organisation's account answers", "marketplace/bids/permissions.py",
      "    return actor.organisation_id is not None and actor.organisation_id == row.organisation_id \\\n"
      "        and actor.role in PARTNER_ROLES", "    return actor.role in PARTNER_ROLES", TEAMFLOW),
    M("bid partner: a withdrawn bid is still confirmed", "marketplace/bids/permissions.py",
      '    if bid.status not in OPENED_STATES:\n        return False, "该揭榜方案已撤回，无需再确认"', "    pass",
      TEAMFLOW),
    M("bid partner: a decline can be turned into a confirmation", "marketplace/bids/states.py",
      '(P.PENDING, "confirm", P.CONFIRMED,', '((P.PENDING, P.DECLINED), "confirm", P.CONFIRMED,', TEAMFLOW),
    M("bid partner: counted as a consortium before every partner confirms", "marketplace/bids/stats.py",
      "func.json_array_length(Bid.partners) > 0, confirmed_consortium())",
      "func.json_array_length(Bid.partners) > 0)", TEAMFLOW),
    M("bid supplement: the window never closes", "marketplace/bids/permissions.py",
      "        and as_utc(now) < as_utc(bid.supplement_deadline)", "        and True", TEAMFLOW),
    M("bid supplement: the team opens its own window", "marketplace/bids/states.py",
      '(B.DISQUALIFIED, "request_supplement", B.SUPPLEMENTING, (OFFICER, ADMIN)',
      '(B.DISQUALIFIED, "request_supplement", B.SUPPLEMENTING, (TEAM, OFFICER, ADMIN)', TEAMFLOW),
    M("bid: any team reads bids", "marketplace/bids/permissions.py",
      "    return account_permissions.is_team_member(actor, bid.team_id)",
      "    return actor.role == Role.TEAM", BID_RULES),
    M("bid: unverified teams may bid", "marketplace/bids/permissions.py",
      "    if not actor.org_verified:\n        return False, \"单位尚未通过科技局认证，暂不能揭榜\"",
      "    if False:\n        return False, \"单位尚未通过科技局认证，暂不能揭榜\"", BID_RULES),
    M("bid: a company may bid on its own challenge", "marketplace/bids/permissions.py",
      "    if actor.organisation_id == challenge.organisation_id:\n        return False, \"不能揭本单位发布的榜单\"",
      "    if False:\n        return False, \"不能揭本单位发布的榜单\"", BID_RULES),
    M("bid: review before the deadline", "marketplace/bids/permissions.py",
      "    if not challenge_permissions.has_closed(challenge, now):\n        return False, \"榜单尚未截止",
      "    if False:\n        return False, \"榜单尚未截止", BID_RULES),
    M("bid: the challenge page lists unopened bids to the company", "marketplace/bids/queries.py",
      "        stmt = stmt.where(col(Bid.status).in_(list(permissions.OPENED_STATES)))", "        pass",
      BID_RULES + ("tests/bids/test_bid_pages.py",)),
    M("bid: get_for skips the sealing predicate", "marketplace/bids/queries.py",
      "not permissions.can_read_bid(actor, bid, challenge, now)[0]:\n        raise NotFound(permissions.NOT_FOUND)",
      "False:\n        raise NotFound(permissions.NOT_FOUND)", BID_RULES),
    # --- challenge permissions and queries ----------------------------------------------------
    M("challenge: submitted ones are public", "marketplace/challenges/permissions.py",
      "PUBLIC_STATES = frozenset({S.PUBLISHED,", "PUBLIC_STATES = frozenset({S.SUBMITTED, S.PUBLISHED,", CH_RULES),
    M("challenge: any company manages any challenge", "marketplace/challenges/permissions.py",
      "    return actor.role == Role.COMPANY and actor.organisation_id == challenge.organisation_id",
      "    return actor.role == Role.COMPANY", CH_RULES),
    M("challenge: the deadline is inclusive for bidders", "marketplace/challenges/permissions.py",
      "    return now >= as_utc(challenge.bid_deadline)", "    return now > as_utc(challenge.bid_deadline)",
      CH_RULES + BID_RULES),
    M("challenge: unverified companies may post", "marketplace/challenges/permissions.py",
      "    if not actor.org_verified:\n        return False, \"单位尚未通过科技局认证，暂不能发榜\"",
      "    if False:\n        return False, \"单位尚未通过科技局认证，暂不能发榜\"", CH_RULES),
    M("challenge: any team reads the annex", "marketplace/challenges/permissions.py",
      "    if actor.role == Role.TEAM and actor.org_verified and accepted:",
      "    if actor.role == Role.TEAM and actor.org_verified:", CH_RULES),
    M("challenge: a company withdraws directly despite bids", "marketplace/challenges/permissions.py",
      "        if is_owner(actor, challenge) and has_bids:\n            actions.discard(\"withdraw\")",
      "        if False:\n            actions.discard(\"withdraw\")", CH_RULES),
    M("challenge: the hall lists drafts", "marketplace/challenges/queries.py",
      "        clause = [] if flt.any_state else [_public_clause() if public is None else public]",
      "        clause = []", CH_RULES),
    M("challenge: the industry filter is ignored", "marketplace/challenges/queries.py",
      "        conditions.append(Challenge.industry == flt.industry)", "        pass", CH_RULES),
    # --- accounts -----------------------------------------------------------------------------
    M("accounts: companies may verify organisations", "marketplace/accounts/permissions.py",
      "    if actor.has_role(Role.OFFICER, Role.ADMIN):\n        return True, \"\"\n"
      "    return False, \"只有科技局",
      "    if actor.has_role(Role.OFFICER, Role.ADMIN, Role.COMPANY):\n        return True, \"\"\n"
      "    return False, \"只有科技局",
      ACCOUNTS),
    M("accounts: officers manage users", "marketplace/accounts/permissions.py",
      "    if actor.has_role(Role.ADMIN):\n        return True, \"\"\n    return False, \"只有系统管理员",
      "    if actor.has_role(Role.ADMIN, Role.OFFICER):\n        return True, \"\"\n    return False, \"只有系统管理员",
      ACCOUNTS),
    M("accounts: any team edits any team profile", "marketplace/accounts/permissions.py",
      "    if is_team_member(actor, team_id):\n        return True, \"\"\n    return False, \"只能编辑本团队",
      "    if actor.has_role(Role.TEAM):\n        return True, \"\"\n    return False, \"只能编辑本团队", ACCOUNTS),
    M("accounts: an unverified organisation vouches for who joins it", "marketplace/accounts/permissions.py",
      "actor.organisation_id == organisation_id \\\n            and actor.org_verified and",
      "actor.organisation_id == organisation_id \\\n            and", ["tests/web/test_join_organisation.py"]),
    M("accounts: a verified organisation can be verified again", "marketplace/accounts/service.py",
      "    if org.status == OrgStatus.VERIFIED:\n        raise Conflict(\"该单位已认证\")",
      "    if False:\n        raise Conflict(\"该单位已认证\")", ACCOUNTS),
    M("accounts: the queue lists every organisation", "marketplace/accounts/queries.py",
      "    return list(session.exec(select(Organisation).where(Organisation.status == OrgStatus.PENDING)",
      "    return list(session.exec(select(Organisation)", ACCOUNTS + ("tests/web/test_onboarding.py",)),
    # --- money --------------------------------------------------------------------------------
    M("money: negative amounts accepted", "marketplace/money.py",
      "        if value < 0:\n            raise MoneyError(\"金额不能为负数\")",
      "        if False:\n            raise MoneyError(\"金额不能为负数\")", MONEY),
    M("money: sub-fen precision accepted", "marketplace/money.py",
      "    if len(match.group(1) or \"\") > places:", "    if False:", MONEY),
    M("money: rounding half-even", "marketplace/money.py",
      "    return int((yuan * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))",
      "    return int((yuan * FEN_PER_YUAN).quantize(Decimal(1)))", MONEY + SUBSIDY),
    M("money: floats accepted", "marketplace/money.py",
      "    if isinstance(value, bool) or not isinstance(value, str | int):",
      "    value = str(value) if isinstance(value, float) else value\n"
      "    if isinstance(value, bool) or not isinstance(value, str | int):", MONEY),
    M("money: the ceiling is off", "marketplace/money.py",
      "    if fen > MAX_FEN:", "    if fen > MAX_FEN * 10:", MONEY),
    M("money: 万元 shown without 约", "marketplace/money.py",
      "    prefix = \"\" if shown == exact else \"约\"", "    prefix = \"\"", MONEY),
    # --- audit verification -------------------------------------------------------------------
    M("audit: the digest is not compared", "marketplace/audit/service.py",
      "            if not hmac.compare_digest(row.hash, _digest(row, prev_hash)):",
      "            if False:", AUDIT),
    M("audit: the link is not compared", "marketplace/audit/service.py",
      "            if row.prev_hash != prev_hash:", "            if False:", AUDIT),
    M("audit: gaps in seq are not found", "marketplace/audit/service.py",
      "            if row.seq != expected_seq:", "            if False:", AUDIT),
    M("audit: the summary is not hashed", "marketplace/audit/service.py",
      '            "summary": event.summary,\n', "", AUDIT),
    # --- subsidy caps and allocation ----------------------------------------------------------
    M("subsidy: a cap binds when equal", "marketplace/subsidies/engine/caps.py",
      "    binding = amount > limit", "    binding = amount >= limit", SUBSIDY),
    M("subsidy: the per-project cap is skipped", "marketplace/subsidies/engine/caps.py",
      '    amount = _simple_cap(calc, "cap_per_project", "CAP_PROJECT", amount)', "", SUBSIDY),
    M("subsidy: the cumulative cap counts other policies", "marketplace/subsidies/engine/caps.py",
      "    counted = [a for a in _same_policy(calc, prior) if start <= a.award_date <= end]",
      "    counted = [a for a in prior if start <= a.award_date <= end]", SUBSIDY),
    M("subsidy: the yearly cap ignores the year", "marketplace/subsidies/engine/caps.py",
      "    counted = [a for a in _same_policy(calc, prior) if a.award_date.year == year]",
      "    counted = _same_policy(calc, prior)", SUBSIDY),
    M("subsidy: over-cap reject mode pays", "marketplace/subsidies/engine/caps.py",
      "    if capped and calc.policy.over_cap is OverCap.REJECT:", "    if False:", SUBSIDY),
    M("subsidy: top-up ignores the award held", "marketplace/subsidies/engine/caps.py",
      '        result, code = max(Decimal(0), amount - held), "STACKING_TOP_UP"',
      '        result, code = amount, "STACKING_TOP_UP"', SUBSIDY),
    M("subsidy: pro-rata leftovers go to the smallest remainder", "marketplace/subsidies/engine/allocation.py",
      "    order = sorted(range(len(demands)), key=lambda i: (-remainders[i], i))",
      "    order = sorted(range(len(demands)), key=lambda i: (remainders[i], i))", SUBSIDY),
    M("subsidy: pro-rata leftover fen dropped", "marketplace/subsidies/engine/allocation.py",
      "    for i in order[:leftover]:\n        shares[i] += 1", "    for i in order[:0]:\n        shares[i] += 1",
      SUBSIDY),
    M("subsidy: all-or-nothing pools fund partially", "marketplace/subsidies/engine/allocation.py",
      "    return outstanding if outstanding <= pool.remaining_fen else 0",
      "    return min(outstanding, pool.remaining_fen)", SUBSIDY),
    M("subsidy: the split loses the odd fen", "marketplace/subsidies/engine/allocation.py",
      "        city = fen_times_half_up(amount, shares.city)\n        return city, amount - city",
      "        city = fen_times_half_up(amount, shares.city)\n        return city, amount - city - (amount % 2)",
      SUBSIDY),
    # --- contracts and the subsidy ledger (issue 11) -------------------------------------------
    M("contract: an unchecked payment counts as invested", "marketplace/contracts/source.py",
      "                                                       PaymentRow.status == P.CHECKED)",
      "                                                       PaymentRow.status != P.REJECTED)", CONTRACTS),
    M("contract: payments may exceed the contract amount", "marketplace/contracts/service.py",
      "col(Contract.recorded_fen) + amount <= col(Contract.amount_fen))",
      "col(Contract.recorded_fen) + amount >= 0)", CONTRACTS),
    M("subsidy: the checker may approve", "marketplace/subsidies/service.py",
      "    if subsidy.checked_by is not None and subsidy.checked_by == actor.user_id:",
      "    if False:", LEDGER),
    # --- expert review (issue 10): conflicts, pool, load, scoring, blind review -----------------
    M("review: a declared conflict does not block", "marketplace/reviews/coi.py",
      "        return self.kind in (CoiKind.AUTOMATIC, CoiKind.DECLARED)",
      "        return self.kind in (CoiKind.AUTOMATIC,)", COI),
    M("review: a former employer conflicts forever", "marketplace/reviews/coi.py",
      "if started and (a.end is None or a.end >= cutoff)", "if started and (a.end is None or True)", COI),
    M("review: an expert's load limit is ignored", "marketplace/reviews/assignment.py",
      "        flow.add(nb + j, sink, max_load, 0)", "        flow.add(nb + j, sink, nb, 0)", ASSIGN),
    M("review: deactivated pool experts are assigned", "marketplace/reviews/pool.py",
      ".where(User.is_active == True, col(ExpertProfile.id).not_in(inactive))",
      ".where(User.is_active == True)", ("tests/reviews/test_pool_and_reminders.py",)),
    M("review: the extremes are not trimmed", "marketplace/reviews/scoring.py",
      "    kept = sorted(totals)[1:-1] if len(totals) >= TRIM_FROM else list(totals)",
      "    kept = list(totals)", SCORING),
    M("review: set-aside score sheets still count", "marketplace/reviews/queries.py",
      "                                    ReviewScore.set_aside == False)  # noqa: E712",
      "                                    ReviewScore.set_aside == ReviewScore.set_aside)", REVIEW_SERVICE),
    M("review: a replaced expert's sheet still counts", "marketplace/reviews/queries.py",
      "                                    ReviewAssignment.status == AssignmentStatus.ACTIVE,\n"
      "                                    ReviewScore.set_aside == False)  # noqa: E712",
      "                                    True)", ("tests/reviews/test_pool_and_reminders.py",)),
    M("review: blind review shows the bidding team", "templates/reviews/bid.html",
      "{% if not blind %}<p>揭榜团队：", "{% if true %}<p>揭榜团队：",
      ("tests/reviews/test_page_access.py::test_blind_review_hides_who_made_the_bid",)),
    # --- 公示 and award (issue 10) ----------------------------------------------------------------
    M("award: the 公示 window counts calendar days", "marketplace/reviews/calendar.py",
      "        if working:\n            counted.append(day)", "        counted.append(day)", AWARDS),
    M("award: objections accepted after the window", "marketplace/awards/queries.py",
      "    return batch.published_on <= to_shanghai(now).date() <= batch.ends_on",
      "    return batch.published_on <= to_shanghai(now).date()", AWARDS),
    M("award: finalised on the window's last day", "marketplace/awards/queries.py",
      "Announcement.ends_on < today,", "Announcement.ends_on <= today,", AWARDS),
    M("award: finalised despite a pending objection", "marketplace/awards/queries.py",
      "col(AnnouncementItem.id).not_in(pending))", "col(AnnouncementItem.id) == col(AnnouncementItem.id))",
      AWARDS),
    # --- contracts (issue 11) -------------------------------------------------------------------
    M("contract: any team reports milestones", "marketplace/contracts/permissions.py",
      "    if not is_lead_team(actor, contract):\n        return False, \"只有揭榜牵头单位可以提交里程碑报告\"",
      "    if actor.role != Role.TEAM:\n        return False, \"只有揭榜牵头单位可以提交里程碑报告\"",
      CONTRACT_RULES),
    M("contract: acceptance before every milestone is confirmed", "marketplace/contracts/permissions.py",
      "    if any(m.status != M.CONFIRMED for m in milestones):", "    if False:", CONTRACT_RULES),
    M("contract: a party signs the same revision twice", "marketplace/contracts/permissions.py",
      "    if party in set(signed):", "    if False:",
      ("tests/contracts/test_contract_pages.py::test_from_the_award_the_parties_sign_in_the_browser",)),
    M("contract: the company asks for acceptance", "marketplace/contracts/states.py",
      '"request_acceptance", C.ACCEPTING, (TEAM,),', '"request_acceptance", C.ACCEPTING, (TEAM, COMPANY),',
      ("tests/unit/test_machines_written_out.py",)),
    # --- subsidy disbursement (issue 11) --------------------------------------------------------
    M("subsidy: an idempotency key replays another installment", "marketplace/subsidies/service.py",
      "    if found.subsidy_id != subsidy_id or found.installment != installment:", "    if False:", LEDGER),
    M("subsidy: installments paid out of order", "marketplace/subsidies/service.py",
      "    if earlier:\n        raise RuleViolation", "    if False:\n        raise RuleViolation", LEDGER),
    M("subsidy: disbursed beyond the award", "marketplace/subsidies/service.py",
      "    if total > subsidy.awarded_fen:", "    if total > subsidy.awarded_fen * 2:", LEDGER),
    # --- credit and reports (issue 12) ----------------------------------------------------------
    M("credit: anyone reads credit records", "marketplace/credit/service.py",
      'return (True, "") if actor.is_officer else (False, "信用记录仅供',
      'return (True, "") if True else (False, "信用记录仅供', CREDIT),
    M("credit: an adverse record needs no facts", "marketplace/credit/service.py",
      "    if kind in ADVERSE and not note:", "    if False:", CREDIT),
    M("dashboard: unpublished challenges count in the funds", "marketplace/challenges/stats.py",
      "func.sum(case((published, Challenge.committed_funds_fen), else_=0))",
      "func.sum(Challenge.committed_funds_fen)", DASHBOARD),
    M("credit: an outcome is remembered for the lead team only", "marketplace/contracts/memory.py",
      "if p.role in ANSWERING and p.organisation_id]", "if p.role == PartyRole.TEAM and p.organisation_id]",
      ("tests/credit/test_contract_parties.py",)),
    M("open data: the update date follows challenges only", "marketplace/reports/opendata.py",
      "*(session.exec(q).one() for q in (award, contract, consent, paid))]", "]",
      ("tests/reports/test_open_data_updated.py",)),
    M("dashboard: any role builds the dashboard", "marketplace/reports/dashboard.py",
      'return (True, "") if actor.is_officer else (False, "只有科技局工作人员可以查看统计看板")',
      'return (True, "") if True else (False, "只有科技局工作人员可以查看统计看板")', DASHBOARD),
    # --- review and award stage -------------------------------------------------------------
    M("review: due reminder sent every tick", "marketplace/reviews/service.py",
      'dedupe=f"review-due:{panel_id}"', "dedupe=None", ("tests/reviews/test_review_due.py",)),
    M("award: no-award without a reason", "marketplace/awards/service.py",
      '    text = _text(reason, "reason", "理由")\n    row = NoAwardDecision(',
      '    text = reason\n    row = NoAwardDecision(', ("tests/reviews/test_no_award.py",)),
    M("award: anyone reads the no-award reason", "marketplace/awards/queries.py",
      "    allowed = actor.is_officer or permissions.is_owner(actor, challenge) or (",
      "    allowed = True or (", ("tests/reviews/test_no_award.py",)),
    M("similarity: every candidate flagged", "marketplace/reviews/similarity.py",
      "if overlap.score >= THRESHOLD and overlap.copied_chars >= MIN_COPIED_CHARS:", "if True:",
      ("tests/reviews/test_similarity.py",)),
    M("similarity: sealed bids compared", "marketplace/reviews/similarity.py",
      "    opened = list(session.exec(select(Bid).where(col(Bid.id).in_(readable or {-1}))",
      "    opened = list(session.exec(select(Bid).where(Bid.status != \"draft\")",
      ("tests/reviews/test_similarity.py",)),
    M("similarity: a company may look", "marketplace/reviews/similarity.py",
      "    if not actor.is_officer:\n        raise Forbidden(\"只有科技局工作人员可以查看查重结果\")",
      "    if False:\n        raise Forbidden(\"只有科技局工作人员可以查看查重结果\")",
      ("tests/reviews/test_similarity.py",)),
    M("defence: a slot takes a second bid", "marketplace/reviews/hearings.py",
      ".where(col(DefenceSlot.id) == slot.id, col(DefenceSlot.bid_id).is_(None))",
      ".where(col(DefenceSlot.id) == slot.id)", ("tests/reviews/test_defence.py",)),
    M("defence: a team in two overlapping slots", "marketplace/reviews/hearings.py",
      "    if clash is not None:\n        raise Conflict(", "    if False:\n        raise Conflict(",
      ("tests/reviews/test_defence.py",)),
    M("defence: a slot in the past", "marketplace/reviews/hearings.py",
      "        if starts <= as_utc(now):", "        if False:", ("tests/reviews/test_defence.py",)),
    # --- issue 11 follow-ups: lapsed rectification, manual decisions, pool budgets ---------------
    M("contract: a rectification window lapses on its last day", "marketplace/contracts/lifecycle.py",
      "col(Contract.rectify_by) < today(now))", "col(Contract.rectify_by) <= today(now))", LAPSE),
    M("contract: a re-acceptance request does not stop the lapse", "marketplace/contracts/lifecycle.py",
      "select(Contract.id).where(Contract.status == C.ACCEPTANCE_RECTIFYING,",
      "select(Contract.id).where(col(Contract.status).in_([C.ACCEPTANCE_RECTIFYING, C.ACCEPTING]),", LAPSE),
    M("subsidy: a subsidy held for a manual decision is reported again", "marketplace/subsidies/service.py",
      "    live = subsidy.status in (SubsidyStatus.COMPUTED,",
      "    live = subsidy.status in (SubsidyStatus.MANUAL, SubsidyStatus.COMPUTED,", MANUAL),
    M("subsidy: waiving keeps the whole award as entitlement", "marketplace/subsidies/service.py",
      '        _reverse_award(session, subsidy, actor, f"人工决定免予追回：冲销原核定补助（{reason}）")',
      "        pass", MANUAL),
    M("subsidy: pool committed counts paid subsidies", "marketplace/subsidies/queries.py",
      "        if s.status in NOT_YET_PAID:", "        if True:", POOLS),
]

# Mutations that change no behaviour a caller can observe, with the reason (left out of the rate).
EQUIVALENT: dict[str, str] = {
    "bid: the challenge page lists unopened bids to the company":
        "the SQL status filter is an optimisation: visible_on_challenge re-filters every row through "
        "can_read_bid, which admits only OPENED_STATES, so the same bids come back",
    "review: set-aside score sheets still count":
        "a sheet is set aside only by reviews.service.replace, in the same transaction that withdraws its "
        "assignment, and counted_sheets also keeps only active assignments; 'a replaced expert's sheet "
        "still counts' drops both filters and is caught",
    "contract: a re-acceptance request does not stop the lapse":
        "the query's status filter is an optimisation: fail_lapsed re-reads each contract in its "
        "transaction and skips any no longer in acceptance_rectifying (and apply() guards the state)",
}


PYTEST_ARGS = ("-x", "-q", "-p", "no:cacheprovider", "-n", "0",
               "-W", "ignore::pytest.PytestUnhandledThreadExceptionWarning")
# Imported once in the parent, so each forked run starts warm (never marketplace: it is what mutates).
WARM = ("pytest", "xdist", "hypothesis", "numpy", "scipy.sparse", "sklearn.feature_extraction.text",
        "sklearn.decomposition", "jieba", "opencc", "fastapi", "fastapi.testclient", "sqlmodel", "sqlalchemy",
        "psycopg", "pydantic", "jinja2", "openpyxl", "yaml", "time_machine", "httpx", "argon2")


def _warm() -> None:
    import importlib

    for name in WARM:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    assert not any(m == "marketplace" or m.startswith(("marketplace.", "matching", "tests.")) for m in sys.modules)


def run_tests(tests: tuple[str, ...]) -> tuple[bool, float]:
    """True when the tests fail (the mutation is caught). SQLite only, stop at the first failure.

    On Linux the run is a fork of this (warm) process calling pytest.main, which imports the
    project afresh, mutated; elsewhere a new interpreter.
    """
    for name in ("JIEBANG_TEST_POSTGRES_URL", "JIEBANG_REQUIRE_ALL"):
        os.environ.pop(name, None)
    started = time.monotonic()
    if hasattr(os, "fork"):
        code = _forked(tests)
    else:
        try:
            proc = subprocess.run([sys.executable, "-m", "pytest", *PYTEST_ARGS, *tests], cwd=ROOT,
                                  capture_output=True, text=True, timeout=TIMEOUT)
            Path(LOG).write_text(proc.stdout + proc.stderr, encoding="utf-8")
            code = proc.returncode
        except subprocess.TimeoutExpired:
            code = -1  # a hang counts as caught: the suite would not pass
    if code == 5:
        raise SystemExit(f"no tests collected for {tests}")
    return code != 0, time.monotonic() - started


def _forked(tests: tuple[str, ...]) -> int:
    pid = os.fork()
    if pid == 0:  # the child: quiet, in the repository, one pytest run
        code = 3
        try:
            os.chdir(ROOT)
            out = os.open(LOG, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, 1)
            os.dup2(out, 2)
            import pytest

            code = int(pytest.main([*PYTEST_ARGS, "-p", "no:randomly", *tests]))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return -1  # a hang counts as caught: the suite would not pass


def first_failure() -> str:
    """' by <test id>': the first failing test of the last run (pytest's short summary), if any."""
    try:
        lines = Path(LOG).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    for line in lines:
        if line.startswith(("FAILED ", "ERROR ")):
            return " by " + line.split(" ", 1)[1].split(" - ", 1)[0]
    return " (timeout)" if not lines else ""


def _raise(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _raise)
    chosen = [m for m in MUTATIONS if not argv or any(a in m.name for a in argv)]
    started = time.monotonic()
    sys.path.insert(0, str(ROOT))
    _warm()
    baseline = sorted({t for m in chosen for t in m.tests})
    print(f"baseline: {len(baseline)} test paths must pass unmutated …", flush=True)
    failed, seconds = run_tests(tuple(baseline))
    if failed:
        print("the unmutated tests fail: fix them first\n" + "".join(open(LOG, encoding="utf-8").readlines()[-40:]))
        return 2
    print(f"baseline green ({seconds:.0f} s)\n", flush=True)
    caught, survived, stale, equivalent = [], [], [], []
    for m in chosen:
        path = ROOT / m.file
        original = path.read_text(encoding="utf-8") if path.exists() else ""
        if original.count(m.original) != 1:
            stale.append(m)
            print(f"STALE     {m.name}  ({m.file}: snippet found {original.count(m.original)} times)", flush=True)
            continue
        by = ""
        try:
            path.write_text(original.replace(m.original, m.replacement), encoding="utf-8")
            killed, seconds = run_tests(m.tests)
        finally:
            path.write_text(original, encoding="utf-8")
        if killed:
            caught.append(m)
            verdict = "CAUGHT   "
            by = first_failure()
        elif m.name in EQUIVALENT:
            equivalent.append(m)
            verdict = "EQUIVALENT"
        else:
            survived.append(m)
            verdict = "SURVIVED "
        print(f"{verdict} {m.name}  ({m.file}, {seconds:.0f} s){by}", flush=True)
    counted = len(caught) + len(survived)
    rate = 100 * len(caught) / counted if counted else 0.0
    print(f"\nkill rate: {len(caught)}/{counted} = {rate:.0f}%  "
          f"(stale {len(stale)}, equivalent {len(equivalent)}; {time.monotonic() - started:.0f} s)")
    for m in survived:
        print(f"  survived: {m.name} — add a test")
    for m in equivalent:
        print(f"  equivalent: {m.name} — {EQUIVALENT[m.name]}")
    return 1 if survived else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
