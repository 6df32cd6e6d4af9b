"""The pool budget (资金池预算) page, API and .xlsx against a hand-computed fixture.

Pool JB-2024 (JB-COMPLETION, 2024) has a budget of 5,000,000 元. JB-COMPLETION pays 20 % of the
company's checked investment in one installment:
  A  8,000,000 invested → 1,600,000 computed (not paid)              committed 1,600,000
  B  8,000,000 invested → 1,600,000 approved and paid in full        paid      1,600,000
  C  4,000,000 invested →   800,000 checked, then rejected           nothing
  remaining = 5,000,000 − 1,600,000 − 1,600,000 = 1,800,000 元 — and the engine agrees: a next
  contract entitled to 3,000,000 gets 1,800,000 from the pool.
JB-STAGED 2024 has no pool (open budget): D 5,000,000 → 1,000,000 approved, first half paid:
  committed 500,000, paid 500,000.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlmodel import Session

from marketplace.subsidies import service
from marketplace.subsidies.models import Subsidy, SubsidyPool
from tests import factories as f
from tests.subsidies_ledger.conftest import as_api, contract

WAN = 1_000_000  # 1万元 in fen


def _compute(session, source, who, invested_wan: int, **kw) -> Subsidy:
    source.add(contract(company_org_id=who.org_id, invested_fen=invested_wan * WAN, **kw))
    return session.get(Subsidy, service.compute_all(session=session).computed[-1])


def _approve(session, who, s):
    service.check(session=session, actor=f.actor(session, who.maker), subsidy_id=s.id)
    service.approve(session=session, actor=f.actor(session, who.checker), subsidy_id=s.id)


def fixture(session: Session, source, who) -> None:
    session.add(SubsidyPool(name="JB-2024", policy_code="JB-COMPLETION", year=2024, total_fen=500 * WAN))
    session.commit()
    a = _compute(session, source, who, 800)
    b = _compute(session, source, who, 800)
    c = _compute(session, source, who, 400)
    d = _compute(session, source, who, 500, policy_id="JB-STAGED")
    assert (a.awarded_fen, b.awarded_fen, c.awarded_fen, d.awarded_fen) == (160 * WAN, 160 * WAN, 80 * WAN, 100 * WAN)
    checker = f.actor(session, who.checker)
    _approve(session, who, b)
    service.disburse(session=session, actor=checker, subsidy_id=b.id, installment=1, key="pool-b1")
    service.check(session=session, actor=f.actor(session, who.maker), subsidy_id=c.id)
    service.reject(session=session, actor=checker, subsidy_id=c.id, reason="材料不实，不予补助")
    _approve(session, who, d)
    service.disburse(session=session, actor=checker, subsidy_id=d.id, installment=1, key="pool-d1")


EXPECTED = [
    {"pool": "JB-2024", "policy_code": "JB-COMPLETION", "policy": "揭榜挂帅项目完成合同补助", "year": 2024,
     "budget_fen": 500 * WAN, "committed_fen": 160 * WAN, "paid_fen": 160 * WAN, "remaining_fen": 180 * WAN,
     "subsidies": 3},
    {"pool": None, "policy_code": "JB-STAGED", "policy": "揭榜挂帅项目完成合同补助（分期拨付）", "year": 2024,
     "budget_fen": None, "committed_fen": 50 * WAN, "paid_fen": 50 * WAN, "remaining_fen": None, "subsidies": 1},
]


def test_the_api_gives_budget_committed_paid_and_remaining(client, session, source, who):
    fixture(session, source, who)
    as_api(client, session, who.maker)
    r = client.get("/api/v1/subsidies/pools")
    assert r.status_code == 200 and r.json() == EXPECTED
    # The engine sees the same remaining budget: a 3,000,000 entitlement gets 1,800,000 from the pool.
    e = _compute(session, source, who, 1500)
    assert (e.entitlement_fen, e.awarded_fen) == (300 * WAN, 180 * WAN)
    assert client.get("/api/v1/subsidies/pools").json()[0]["remaining_fen"] == 0
    as_api(client, session, who.company)
    assert client.get("/api/v1/subsidies/pools").status_code == 403


def test_the_page_and_the_spreadsheet_show_the_same_figures(client, session, source, who):
    fixture(session, source, who)
    f.login(client, session, who.maker)
    assert "/subsidies/pools" in client.get("/subsidies").text
    page = client.get("/subsidies/pools")
    assert page.status_code == 200
    row = page.text.split("JB-2024", 1)[1].split("</tr>", 1)[0]
    for value in ("揭榜挂帅项目完成合同补助", "5,000,000.00", "1,600,000.00", "1,800,000.00"):
        assert value in row
    assert "不限" in page.text and "500,000.00" in page.text
    assert "JB-COMPLETION" not in page.text and "JB-STAGED" not in page.text  # names, not codes
    book = load_workbook(io.BytesIO(client.get("/subsidies/pools.xlsx").content))
    values = [list(row) for row in book["资金池预算"].iter_rows(min_row=3, values_only=True)]
    assert values[0][:7] == ["JB-2024", "揭榜挂帅项目完成合同补助", 2024, 5_000_000, 1_600_000, 1_600_000, 1_800_000]
    assert values[1][0] == "未设预算" and values[1][4:6] == [500_000, 500_000]
    f.login(client, session, who.company)
    assert client.get("/subsidies/pools").status_code == 403
