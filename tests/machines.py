"""Hand-written expected state machines, checked cell by cell against the code's tables.

Each machine is written out here as text, independently of `TRANSITIONS`: one row per
(state, action) that exists, with the target state and the roles allowed to take it. Every other
(state, action) must be refused as an invalid transition, and every role not listed must be
refused as forbidden. A change to a table in the code must be made here too, by hand.
"""

from __future__ import annotations

ROLES = ("company", "team", "expert", "officer", "admin", "system", None)


def parse(text: str) -> dict[tuple[str, str], tuple[str, frozenset[str]]]:
    """Rows `state action target role,role` → {(state, action): (target, roles)}."""
    table = {}
    for line in text.strip().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        state, action, target, roles = line.split()
        assert (state, action) not in table, f"duplicate row {state} {action}"
        table[(state, action)] = (target, frozenset(roles.split(",")))
    return table


# 榜单状态机 (DESIGN.md, issue 1): the company drafts and submits, the bureau reviews, the clock
# publishes scheduled challenges and closes them; withdrawal after bids needs the bureau's approval.
CHALLENGE = parse("""
# state      action               target      roles
draft        edit                 draft       company
returned     edit                 returned    company
published    request_change       published   company       # an edit waits for the bureau (T32)
published    approve_change       published   officer,admin
published    reject_change        published   officer,admin
draft        submit               submitted   company
returned     submit               submitted   company
submitted    return               returned    officer,admin
submitted    publish              published   officer,admin
submitted    schedule             scheduled   officer,admin
scheduled    go_live              published   system
published    close                closed      system
published    close_unfilled       unfilled    system
draft        withdraw             withdrawn   company,officer,admin
submitted    withdraw             withdrawn   company,officer,admin
returned     withdraw             withdrawn   company,officer,admin
scheduled    withdraw             withdrawn   company,officer,admin
published    withdraw             withdrawn   company,officer,admin
published    request_withdrawal   published   company
published    approve_withdrawal   withdrawn   officer,admin
unfilled     relist               unfilled    company
# expert review, decision and 公示 (issue 10, REVIEW.md)
closed       start_review         in_review   officer,admin
in_review    decide               decided     officer,admin
closed       declare_no_award     no_award    officer,admin
in_review    declare_no_award     no_award    officer,admin
decided      announce             announced   officer,admin
announced    finalise             awarded     system
announced    reopen_review        in_review   officer,admin
announced    reopen_decision      decided     officer,admin
no_award     relist               no_award    company
""")
CHALLENGE_STATES = ("draft", "submitted", "returned", "scheduled", "published", "closed", "unfilled", "withdrawn",
                    "in_review", "decided", "announced", "awarded", "no_award")

# 揭榜方案状态机: the team edits, submits (sealed), resubmits and withdraws its own bid until the
# deadline; the bureau's formal review qualifies or disqualifies a submitted bid.
BID = parse("""
# state      action       target        roles
draft        edit         draft         team
submitted    edit         submitted     team
draft        submit       submitted     team
submitted    resubmit     submitted     team
draft        withdraw     withdrawn     team
submitted    withdraw     withdrawn     team
submitted    qualify      qualified     officer,admin
submitted    disqualify   disqualified  officer,admin
qualified    correct_review  disqualified  officer,admin   # corrected with a reason before expert review
disqualified correct_review  qualified     officer,admin
disqualified  request_supplement  supplementing  officer,admin
supplementing supplement   supplemented  team
supplemented  qualify      qualified     officer,admin
supplemented  disqualify   disqualified  officer,admin
supplementing disqualify   disqualified  officer,admin
""")
BID_STATES = ("draft", "submitted", "withdrawn", "qualified", "disqualified", "supplementing", "supplemented")

# 创新联合体 (issue 13.5): a named partner organisation confirms or declines; a changed share asks again.
BID_PARTNER = parse("""
# state      action    target     roles
pending      confirm   confirmed  team,company
pending      decline   declined   team,company
confirmed    reopen    pending    team
declined     reopen    pending    team
""")
BID_PARTNER_STATES = ("pending", "confirmed", "declined")

# 单位认证: the bureau verifies or rejects a pending organisation; a rejected one may be reviewed
# again (after the company fixes its data); a verified one stays verified.
ORGANISATION = parse("""
# state      action    target     roles
pending      verify    verified   officer,admin
pending      reject    rejected   officer,admin
rejected     verify    verified   officer,admin
rejected     reject    rejected   officer,admin
""")
ORGANISATION_STATES = ("pending", "verified", "rejected")

# 加入已注册单位 (issue 13): a user of the organisation (or the bureau) decides a join request once.
JOIN_REQUEST = parse("""
pending      approve              approved    company,team,officer,admin
pending      reject               rejected    company,team,officer,admin
""")

# 公示 (issue 10): an announced item ends by the clock or by an upheld objection; an objection is
# answered once.
ANNOUNCEMENT_ITEM = parse("""
# state   action    target    roles
open      finalise  awarded   system
open      reopen    reopened  officer,admin
""")

OBJECTION = parse("""
# state   action    target     roles
pending   uphold    upheld     officer,admin
pending   dismiss   dismissed  officer,admin
""")


def expected_outcome(table: dict, state: str, action: str, role: str | None) -> str:
    """'<target>' when allowed, 'forbidden' for a listed step the role may not take, else 'invalid'."""
    row = table.get((state, action))
    if row is None:
        return "invalid"
    target, roles = row
    return target if role in roles else "forbidden"


def code_outcome(transition, state: str, action: str, role: str | None) -> str:
    """What a machine's `transition(state=, action=, role=)` answers, in the words used above."""
    from marketplace.errors import Forbidden, InvalidTransition

    try:
        t = transition(state=state, action=action, role=role)
    except Forbidden:
        return "forbidden"
    except InvalidTransition:
        return "invalid"
    return state if t.target == "same" else t.target


def mismatches(transition, table: dict, all_states: tuple[str, ...]) -> list[tuple]:
    """Every (state, action, role, expected, got) where the code disagrees with the written machine."""
    actions = sorted({a for _, a in table})
    bad = []
    for state in all_states:
        for action in actions:
            for role in ROLES:
                want = expected_outcome(table, state, action, role)
                got = code_outcome(transition, state, action, role)
                if got != want:
                    bad.append((state, action, role, want, got))
    return bad


# 任务书 (issue 11): every party signs; amendments are signed again; the bureau's mid-term check and
# acceptance conclusion; only the team asks for acceptance.
CONTRACT = parse("""
# state                  action               target                 roles
signing                  sign_all             signed                 company,team,officer,admin
signed                   amend                amending               company,officer,admin
rectifying               amend                amending               company,officer,admin
amending                 sign_amendment       signed                 company,team,officer,admin
signed                   midterm_continue     signed                 officer,admin
rectifying               midterm_continue     signed                 officer,admin
signed                   midterm_rectify      rectifying             officer,admin
rectifying               midterm_rectify      rectifying             officer,admin
signed                   terminate            terminated             officer,admin
rectifying               terminate            terminated             officer,admin
amending                 terminate            terminated             officer,admin
signed                   request_acceptance   accepting              team
acceptance_rectifying    request_acceptance   accepting              team
accepting                pass                 accepted               officer,admin
accepting                fail_rectifiable     acceptance_rectifying  officer,admin
accepting                fail                 failed                 officer,admin
acceptance_rectifying    lapse                failed                 system
""")

# 里程碑: the team reports, the company confirms or returns.
MILESTONE = parse("""
pending    report    reported    team
returned   report    reported    team
reported   confirm   confirmed   company
reported   return    returned    company
""")

# 企业付款: the team confirms receipt (or disputes), an officer checks; only checked ones count.
PAYMENT = parse("""
recorded   confirm_receipt   received   team
recorded   dispute           rejected   team
received   check             checked    officer,admin
received   reject            rejected   officer,admin
""")

# 补助 (issue 11, SUBSIDY.md): maker-checker, installments, rejection and clawback.
SUBSIDY = parse("""
computed   check              checked    officer,admin
checked    approve            approved   officer,admin
checked    override_approve   approved   officer,admin
computed   reject             rejected   officer,admin,system
checked    reject             rejected   officer,admin,system
approved   reject             rejected   officer,admin,system
approved   disburse           approved   officer,admin
approved   disburse_final     paid       officer,admin
approved   clawback           clawback   officer,admin,system
paid       clawback           clawback   officer,admin,system
approved   hold               manual     system
paid       hold               manual     system
manual     waive              waived     officer,admin
manual     clawback_anyway    clawback   officer,admin
""")
