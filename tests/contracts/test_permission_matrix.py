"""Role × state matrices: who may do what to a contract in each state, written out independently of the
domain's tables, and the HTTP answers for each role."""

from itertools import product
from types import SimpleNamespace

import pytest

from marketplace.actor import Actor
from marketplace.contracts import permissions as p
from marketplace.contracts import states
from marketplace.contracts.models import ContractStatus as C
from marketplace.contracts.models import MilestoneStatus as M
from marketplace.contracts.models import PaymentStatus as P
from marketplace.errors import Forbidden, InvalidTransition
from tests import factories as f
from tests.contracts import helpers as h

COMPANY_ORG, TEAM_ORG, PARTNER_ORG, OTHER_ORG = 1, 2, 3, 4
ACTORS = {
    "company": Actor(10, "company", COMPANY_ORG), "team": Actor(11, "team", TEAM_ORG),
    "partner": Actor(12, "team", PARTNER_ORG), "officer": Actor(13, "officer", 9), "admin": Actor(14, "admin"),
    "expert": Actor(15, "expert", 5), "other_company": Actor(16, "company", OTHER_ORG),
    "other_team": Actor(17, "team", OTHER_ORG),
}
BUREAU = {"officer", "admin"}
PAYABLE = {C.SIGNED, C.AMENDING, C.RECTIFYING, C.ACCEPTING, C.ACCEPTANCE_RECTIFYING}
EXPECTED = {  # rule name → (roles, states) where it is allowed
    "sign": ({"company", "team", "partner", *BUREAU}, {C.SIGNING, C.AMENDING}),
    "amend": ({"company", *BUREAU}, {C.SIGNED, C.RECTIFYING}),
    "pay": ({"company"}, PAYABLE),
    "midterm": (BUREAU, {C.SIGNED, C.RECTIFYING}),
    "request_acceptance": ({"team"}, {C.SIGNED, C.ACCEPTANCE_RECTIFYING}),
    "conclude": (BUREAU, {C.ACCEPTING}),
    "panel": (BUREAU, {C.ACCEPTING}),
}


def contract(status: str) -> SimpleNamespace:
    return SimpleNamespace(status=status, company_org_id=COMPANY_ORG, team_org_id=TEAM_ORG)


def decide(rule: str, actor: Actor, c) -> bool:  # noqa: ANN001
    party = p.party_of(actor, c, [PARTNER_ORG])
    return {
        "sign": lambda: p.can_sign(actor, c, party=party, signed=[]),
        "amend": lambda: p.can_amend(actor, c),
        "pay": lambda: p.can_record_payment(actor, c),
        "midterm": lambda: p.can_midterm(actor, c),
        "request_acceptance": lambda: p.can_request_acceptance(actor, c, [SimpleNamespace(status=M.CONFIRMED)]),
        "conclude": lambda: p.can_conclude(actor, c),
        "panel": lambda: p.can_manage_panel(actor, c),
    }[rule]()[0]


@pytest.mark.parametrize(("rule", "role", "status"), list(product(EXPECTED, ACTORS, list(C))))
def test_role_by_state_matrix(rule, role, status):
    roles, allowed_states = EXPECTED[rule]
    assert decide(rule, ACTORS[role], contract(status)) == (role in roles and status in allowed_states)


@pytest.mark.parametrize(("role", "status"), list(product(ACTORS, list(P))))
def test_payment_matrix(role, status):
    c, payment = contract(C.SIGNED), SimpleNamespace(status=status)
    assert p.can_confirm_payment(ACTORS[role], c, payment)[0] == (role == "team" and status == P.RECORDED)
    assert p.can_check_payment(ACTORS[role], payment)[0] == (role in BUREAU and status == P.RECEIVED)


@pytest.mark.parametrize(("role", "status"), list(product(ACTORS, list(M))))
def test_milestone_matrix(role, status):
    c, m = contract(C.SIGNED), SimpleNamespace(status=status)
    assert p.can_report(ACTORS[role], c, m)[0] == (role == "team" and status in (M.PENDING, M.RETURNED))
    assert p.can_decide_report(ACTORS[role], c, m)[0] == (role == "company" and status == M.REPORTED)


def test_a_signature_of_a_signed_contract_and_a_stranger_are_refused_by_the_table():
    with pytest.raises(InvalidTransition):
        states.CONTRACT.step(state=C.SIGNED, action="sign_all", role="company")
    with pytest.raises(Forbidden):
        states.CONTRACT.step(state=C.ACCEPTING, action="pass", role="company")
    with pytest.raises(InvalidTransition):
        states.CONTRACT.step(state=C.FAILED, action="request_acceptance", role="team")


@pytest.mark.parametrize(("who", "code"), [("company", 200), ("team", 200), ("partner", 200), ("officer", 200),
                                           ("outsider", 404)])
def test_who_sees_the_contract_page(client, session, who, code):
    s = h.awarded(session)
    c = h.contract(session, s)
    f.login(client, session, getattr(s, who))
    assert client.get(f"/contracts/{c.id}").status_code == code


def test_anonymous_visitors_are_sent_to_log_in(client, session):
    s = h.awarded(session)
    c = h.contract(session, s)
    assert client.get(f"/contracts/{c.id}", follow_redirects=False).status_code in (303, 307)
    assert client.get(f"/api/v1/contracts/{c.id}").status_code == 401
