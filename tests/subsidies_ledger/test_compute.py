"""免申即享: the stored subsidy is the engine's result on the stored case; caps read the ledger."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import select
from typer.testing import CliRunner

from marketplace.actor import SYSTEM
from marketplace.cli.subsidy import subsidy_app
from marketplace.subsidies import service
from marketplace.subsidies.facts import Outcome
from marketplace.subsidies.models import Account, EntryKind, LedgerEntry, Subsidy, SubsidyPool
from tests.subsidies_ledger.conftest import contract


def simulate(tmp_path, case: dict) -> dict:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(subsidy_app, ["simulate", "--cases", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)[0]


def test_an_ended_contract_gets_its_subsidy_without_applying(session, source, who, tmp_path):
    source.add(contract(company_org_id=who.org_id, invested_fen=800_000_000))  # E01: 8,000,000.00
    report = service.compute_all(session=session)
    assert len(report.computed) == 1 and not report.errors
    subsidy = session.get(Subsidy, report.computed[0])
    assert subsidy.status == "computed"
    assert subsidy.entitlement_fen == subsidy.awarded_fen == 160_000_000
    assert subsidy.case["cases"][0]["base"] == "8000000.00"
    assert subsidy.policy_version.startswith("JB-COMPLETION@")
    assert "1,600,000.00" in subsidy.explanation and "穗府办〔2022〕19号" in subsidy.explanation
    assert subsidy.result == simulate(tmp_path, subsidy.case)  # the CLI reads the stored case as is
    award = session.exec(select(LedgerEntry).where(LedgerEntry.subsidy_id == subsidy.id)).one()
    assert (award.kind, award.account, award.amount_fen) == (EntryKind.AWARD, Account.ENTITLEMENT, 160_000_000)
    # a second run finds nothing new: one subsidy per contract
    assert service.compute_all(session=session).computed == []


def test_year_filter_and_policy_of_the_contract(session, source, who):
    source.add(contract(company_org_id=who.org_id, ended_on=date(2024, 3, 1)))
    staged = source.add(contract(company_org_id=who.org_id, ended_on=date(2025, 3, 1), policy_id="JB-STAGED"))
    report = service.compute_all(session=session, year=2025)
    assert len(report.computed) == 1
    subsidy = session.get(Subsidy, report.computed[0])
    assert subsidy.contract_id == staged.contract_id and subsidy.policy_code == "JB-STAGED"
    assert [s["amount_fen"] for s in service.installments_of(subsidy)] == [80_000_000, 80_000_000]


def test_per_year_cap_counts_earlier_awards_from_the_ledger_e08(session, source, who):
    a = source.add(contract(company_org_id=who.org_id, invested_fen=2_000_000_000, ended_on=date(2024, 2, 1),
                            policy_id="EARLY-INVEST"))
    b = source.add(contract(company_org_id=who.org_id, invested_fen=2_000_000_000, ended_on=date(2024, 9, 1),
                            policy_id="EARLY-INVEST"))
    c = source.add(contract(company_org_id=who.org_id, invested_fen=1_000_000_000, ended_on=date(2025, 1, 15),
                            policy_id="EARLY-INVEST"))
    service.compute_all(session=session)
    got = {s.contract_id: s for s in session.exec(select(Subsidy)).all()}
    assert got[a.contract_id].awarded_fen == 300_000_000
    assert got[b.contract_id].awarded_fen == 200_000_000 and got[b.contract_id].result["reasons"] == ["CAP_YEAR"]
    assert got[c.contract_id].awarded_fen == 150_000_000  # a new year: full headroom
    assert got[b.contract_id].case["cases"][0]["prior_awards"][0]["amount"] == "3000000.00"
    # E25(b): recomputing b after it has been reserved excludes its own reservation → still 2,000,000.00
    again = service.recompute(session=session, subsidy_id=got[b.contract_id].id)
    assert again.agrees and again.fresh["entitlement"] == "2000000.00"
    fresh_case = service.build_case(session, b, exclude=got[b.contract_id].id)
    assert service.run_case_file(fresh_case)["entitlement"] == "2000000.00"


def test_pool_budget_is_read_from_the_ledger_e15(session, source, who):
    session.add(SubsidyPool(name="JB-2024", policy_code="JB-COMPLETION", year=2024, total_fen=200_000_000))
    session.commit()
    first = source.add(contract(company_org_id=who.org_id, invested_fen=800_000_000))   # 1.6M
    second = source.add(contract(company_org_id=who.org_id + 7, invested_fen=800_000_000,
                                 ended_on=date(2024, 7, 1)))                            # 1.6M wanted
    service.compute_all(session=session)
    got = {s.contract_id: s for s in session.exec(select(Subsidy)).all()}
    assert got[first.contract_id].awarded_fen == 160_000_000
    assert got[second.contract_id].awarded_fen == 40_000_000
    assert got[second.contract_id].result["waitlisted"] == "1200000.00"
    assert got[second.contract_id].case["pools"]["JB-2024"]["committed"] == "1600000.00"


def test_failed_contract_gets_nothing_and_no_ledger_entry(session, source, who):
    source.add(contract(company_org_id=who.org_id, outcome=Outcome.FAILED))
    subsidy = session.get(Subsidy, service.compute_all(session=session).computed[0])
    assert subsidy.awarded_fen == 0 and subsidy.result["reasons"] == ["ACCEPTANCE_FAILED"]
    assert session.exec(select(LedgerEntry).where(LedgerEntry.subsidy_id == subsidy.id)).all() == []


def test_recompute_says_when_the_stored_result_no_longer_agrees(session, source, who, tmp_path):
    source.add(contract(company_org_id=who.org_id))
    subsidy = session.get(Subsidy, service.compute_all(session=session, actor=SYSTEM).computed[0])
    assert service.recompute(session=session, subsidy_id=subsidy.id).agrees
    policies = tmp_path / "policies"
    policies.mkdir()
    text = (service.policies_dir() / "JB-COMPLETION.yaml").read_text(encoding="utf-8")
    (policies / "JB-COMPLETION.yaml").write_text(text.replace('value: "0.20"', 'value: "0.25"'), encoding="utf-8")
    changed = service.recompute(session=session, subsidy_id=subsidy.id, policies_path=policies)
    assert not changed.agrees and "entitlement" in changed.differences
    assert changed.policy_version_now != changed.policy_version_then
