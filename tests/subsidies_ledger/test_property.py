"""Property: for random ended contracts the stored subsidy is what `jiebang subsidy simulate`
prints for the stored case (the platform and the engine agree)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select
from typer.testing import CliRunner

from marketplace.cli.subsidy import subsidy_app
from marketplace.money import plain_yuan
from marketplace.subsidies import service
from marketplace.subsidies.facts import Outcome
from marketplace.subsidies.models import Subsidy
from tests.subsidies_ledger.conftest import contract

POLICIES = [None, "JB-COMPLETION", "JB-STAGED", "EARLY-INVEST", "HTE-GROWTH"]

contracts = st.lists(st.tuples(
    st.integers(min_value=0, max_value=3),                        # which of 4 beneficiaries
    st.integers(min_value=0, max_value=5_000_000_000),            # invested fen (≤ 5000万元)
    st.sampled_from(list(Outcome)),
    st.integers(min_value=0, max_value=4 * 365),                  # ended since 2022-07-01
    st.sampled_from(POLICIES),
    st.integers(min_value=1, max_value=4),                        # number of payments
), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=contracts)
def test_stored_subsidy_equals_simulate_on_the_stored_case(session, source, who, tmp_path, batch):
    for who_index, invested, outcome, days, policy, payments in batch:
        source.add(contract(company_org_id=who.org_id + who_index * 100_000, invested_fen=invested,
                            outcome=outcome, ended_on=date(2022, 7, 1) + timedelta(days=days),
                            policy_id=policy, payments=payments))
    report = service.compute_all(session=session)
    assert not report.errors
    runner = CliRunner()
    for subsidy in session.exec(select(Subsidy).where(Subsidy.id.in_(report.computed))).all():
        path = tmp_path / f"case-{subsidy.id}.json"
        path.write_text(json.dumps(subsidy.case, ensure_ascii=False), encoding="utf-8")
        out = runner.invoke(subsidy_app, ["simulate", "--cases", str(path)])
        assert out.exit_code == 0, out.output
        printed = json.loads(out.stdout)[0]
        assert printed == subsidy.result
        assert service._fen(printed["entitlement"]) == subsidy.entitlement_fen
        assert service._fen(printed["awarded"]) == subsidy.awarded_fen
        facts = source.get(session=session, contract_id=subsidy.contract_id)
        assert subsidy.case["cases"][0]["base"] == plain_yuan(facts.invested_fen)
