"""Pool budgets editable by officers: create a pool (policy, year, budget in 元); change a budget with
a reason (audited), never below what is already committed; a stale form (someone changed it meanwhile)
is refused; Chinese errors on pages, 4xx in the API, nothing written; 50 at once on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from marketplace import db
from marketplace.accounts.models import Role
from marketplace.audit.models import AuditEvent
from marketplace.errors import Conflict, Forbidden, RuleViolation
from marketplace.subsidies import bureau, service
from marketplace.subsidies.models import SubsidyPool
from marketplace.subsidies.schemas import BudgetIn, PoolIn
from tests import factories as f
from tests.contracts.test_concurrency import race  # the one 50-thread race helper
from tests.subsidies_ledger.conftest import (  # noqa: F401
    as_api,
    contract,
    live_engine,  # noqa: F401
    people,
    source,
)

N = 50


def audits(session, action: str) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)).one()


def pool(session, who, year: int = 2024, budget: str = "3000000") -> SubsidyPool:
    return bureau.create_pool(session=session, actor=f.actor(session, who.maker),
                              data=PoolIn(policy_code="JB-COMPLETION", year=year, budget_yuan=budget))


def test_an_officer_creates_a_pool_once_per_policy_and_year(session):
    who = people(session)
    made = pool(session, who)
    assert made.total_fen == 300_000_000 and made.name == "2024年度揭榜挂帅项目完成合同补助"
    assert audits(session, "subsidy_pool.create") == 1
    with pytest.raises(Conflict, match="已有资金池"):
        pool(session, who)
    with pytest.raises(RuleViolation, match="没有这项政策"):
        bureau.create_pool(session=session, actor=f.actor(session, who.maker),
                           data=PoolIn(policy_code="NOPE", year=2024, budget_yuan="100"))
    with pytest.raises(Forbidden):
        bureau.create_pool(session=session, actor=f.actor(session, who.company),
                           data=PoolIn(policy_code="JB-STAGED", year=2024, budget_yuan="100"))
    assert audits(session, "subsidy_pool.create") == 1


def test_a_budget_changes_with_a_reason_never_below_what_is_committed(session, source):  # noqa: F811
    who = people(session)
    made = pool(session, who)
    source.add(contract(company_org_id=who.org_id, invested_fen=500_000_000, ended_on=date(2024, 5, 1)))
    service.compute_all(session=session)  # 20% of 500万 = 100万 committed against the pool
    officer = f.actor(session, who.checker)
    with pytest.raises(RuleViolation, match="理由"):
        bureau.change_budget(session=session, actor=officer, pool_id=made.id, data=BudgetIn(budget_yuan="5000000"))
    with pytest.raises(RuleViolation, match="不能低于已核定和已拨付的金额 1,000,000.00"):
        bureau.change_budget(session=session, actor=officer, pool_id=made.id,
                             data=BudgetIn(budget_yuan="999999.99", reason="年中预算调减"))
    with pytest.raises(Conflict, match="已被他人修改"):
        bureau.change_budget(session=session, actor=officer, pool_id=made.id,
                             data=BudgetIn(budget_yuan="5000000", reason="年中预算追加", expected_fen=1))
    session.refresh(made)
    assert made.total_fen == 300_000_000 and audits(session, "subsidy_pool.budget") == 0
    bureau.change_budget(session=session, actor=officer, pool_id=made.id,
                         data=BudgetIn(budget_yuan="1000000", reason="年中预算调减至已核定数",
                                       expected_fen=300_000_000))
    session.refresh(made)
    assert made.total_fen == 100_000_000
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "subsidy_pool.budget")).one()
    assert event.summary["from_fen"] == 300_000_000 and event.summary["to_fen"] == 100_000_000
    assert event.summary["reason"] == "年中预算调减至已核定数"


def test_api_creates_and_changes_pools_with_four_xx_on_bad_input(client, session):
    who = people(session)
    as_api(client, session, who.maker)
    r = client.post("/api/v1/subsidies/pools", json={"policy_code": "JB-STAGED", "year": 2026, "budget_yuan": "-5"})
    assert r.status_code == 422
    r = client.post("/api/v1/subsidies/pools", json={"policy_code": "JB-STAGED", "year": 2026, "budget_yuan": "800000"})
    assert r.status_code == 201 and r.json()["total_fen"] == 80_000_000
    pid = r.json()["id"]
    again = client.post("/api/v1/subsidies/pools", json={"policy_code": "JB-STAGED", "year": 2026, "budget_yuan": "1"})
    assert again.status_code == 409
    r = client.post(f"/api/v1/subsidies/pools/{pid}/budget", json={"budget_yuan": "900000", "reason": "短"})
    assert r.status_code == 422 and "理由" in r.text
    r = client.post(f"/api/v1/subsidies/pools/{pid}/budget",
                    json={"budget_yuan": "900000", "reason": "追加预算十万元", "expected_fen": 80_000_000})
    assert r.status_code == 200 and r.json()["total_fen"] == 90_000_000
    assert any(row["pool"] and row["budget_fen"] == 90_000_000 for row in client.get("/api/v1/subsidies/pools").json())
    as_api(client, session, who.company)
    assert client.post(f"/api/v1/subsidies/pools/{pid}/budget",
                       json={"budget_yuan": "1", "reason": "企业想改预算"}).status_code == 403
    assert session.get(SubsidyPool, pid).total_fen == 90_000_000


def _post(client, url: str, **data):
    return client.post(url, data={"csrf_token": f.csrf(client), **data}, follow_redirects=True)


def test_the_pools_page_creates_and_changes_budgets_with_chinese_errors(client, session):
    who = people(session)
    f.login(client, session, who.maker)
    page = client.get("/subsidies/pools")
    assert page.status_code == 200 and 'action="/subsidies/pools"' in page.text
    bad = _post(client, "/subsidies/pools", policy_code="JB-COMPLETION", year="2026", budget_yuan="abc")
    assert bad.status_code == 422 and "金额" in bad.text
    assert session.exec(select(func.count()).select_from(SubsidyPool)).one() == 0
    assert 'value="JB-COMPLETION"' not in page.text  # the form offers policies by name
    made = _post(client, "/subsidies/pools", policy_code="揭榜挂帅项目完成合同补助", year="2026", budget_yuan="6000000")
    assert "已设立资金池" in made.text and "6,000,000.00" in made.text
    created = session.exec(select(SubsidyPool)).one()
    no_reason = _post(client, f"/subsidies/pools/{created.id}/budget", budget_yuan="7000000", reason="",
                      expected_fen=str(created.total_fen))
    assert no_reason.status_code == 422 and "请填写修改预算的理由" in no_reason.text
    changed = _post(client, f"/subsidies/pools/{created.id}/budget", budget_yuan="7000000",
                    reason="追加年度预算一百万元", expected_fen=str(created.total_fen))
    assert "预算已改为 7,000,000.00" in changed.text
    stale = _post(client, f"/subsidies/pools/{created.id}/budget", budget_yuan="8000000",
                  reason="按旧页面再追加预算", expected_fen="600000000")
    assert stale.status_code == 409 and "已被他人修改" in stale.text
    session.refresh(created)
    assert created.total_fen == 700_000_000


def test_fifty_creations_of_one_pool_make_one(live_engine):  # noqa: F811
    with db.new_session(live_engine) as s:
        officers = [f.actor(s, f.user(s, role=Role.OFFICER)) for _ in range(N)]
        s.commit()
    outcomes = race(live_engine, lambda s, i: bureau.create_pool(
        session=s, actor=officers[i], data=PoolIn(policy_code="JB-COMPLETION", year=2030, budget_yuan=str(1000 + i))))
    assert outcomes == ["conflict"] * (N - 1) + ["ok"]
    with db.new_session(live_engine) as s:
        assert len(s.exec(select(SubsidyPool)).all()) == 1
        assert audits(s, "subsidy_pool.create") == 1


def test_fifty_budget_changes_from_the_same_page_apply_one(live_engine):  # noqa: F811
    with db.new_session(live_engine) as s:
        who = people(s)
        made = pool(s, who, year=2031, budget="1000000")
        officers = [f.actor(s, f.user(s, role=Role.OFFICER)) for _ in range(N)]
        s.commit()
        pid, seen = made.id, made.total_fen
    outcomes = race(live_engine, lambda s, i: bureau.change_budget(
        session=s, actor=officers[i], pool_id=pid,
        data=BudgetIn(budget_yuan=str(2_000_000 + i), reason="同时追加预算", expected_fen=seen)))
    assert outcomes == ["conflict"] * (N - 1) + ["ok"]
    with db.new_session(live_engine) as s:
        final = s.get(SubsidyPool, pid).total_fen
        assert 200_000_000 <= final < 200_000_000 + N * 100
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "subsidy_pool.budget")).one()
        assert event.summary["to_fen"] == final
