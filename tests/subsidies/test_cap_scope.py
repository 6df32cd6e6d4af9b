"""Which earlier awards a cap counts, and what reject mode pays (mutations in tests/mutate.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.subsidies.conftest import DATA

LAB_PRIOR = {"policy": "R-LAB", "amount": "2500000.00", "date": "2023-06-15", "id": "AW-LAB-1"}
OTHER_PRIOR = {"policy": "R-JB", "amount": "5000000.00", "date": "2024-06-15", "id": "AW-JB-9"}


def _lab_case(case_id: str, base: str, prior: list[dict]) -> dict:
    # One beneficiary per case: a batch counts its own earlier cases as awards (approval order, E08).
    return {"id": case_id, "policy": "R-LAB", "beneficiary": f"L-{case_id}", "base": base, "date": "2025-05-01",
            "prior_awards": prior}


def _cumulative_step(result: dict) -> dict:
    return next(s for s in result["trace"] if s["step"] == "cap_cumulative")


def test_the_cumulative_cap_counts_only_awards_of_the_same_policy(simulate, tmp_path):
    cases = {"cases": [_lab_case("own", "2000000.00", [LAB_PRIOR]),
                       _lab_case("both", "2000000.00", [LAB_PRIOR, OTHER_PRIOR])]}
    code, (own, both) = simulate(cases, "--format", "json", tmp=tmp_path)
    assert code == 0
    # 600万 window cap − 250万 of R-LAB already paid = 350万 of room: the R-JB award does not use it up.
    assert _cumulative_step(own)["prior"] == _cumulative_step(both)["prior"] == "2500000.00"
    assert _cumulative_step(both)["awards"] == ["AW-LAB-1"]
    assert both["entitlement"] == own["entitlement"]
    assert "CAP_CUMULATIVE" not in both["reasons"]


def _reject_mode_policies(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(DATA / "policies", folder)
    lab = folder / "R-LAB.yaml"
    text = lab.read_text(encoding="utf-8")
    assert "over_cap: truncate" in text
    lab.write_text(text.replace("over_cap: truncate", "over_cap: reject"), encoding="utf-8")
    return folder


def test_reject_mode_pays_nothing_when_a_cap_binds_and_the_full_amount_when_none_does(simulate, tmp_path):
    policies = _reject_mode_policies(tmp_path)
    cases = {"cases": [_lab_case("capped", "2000000.00", [LAB_PRIOR, {**LAB_PRIOR, "id": "AW-LAB-2",
                                                                       "date": "2024-06-15"}]),
                       _lab_case("room", "2000000.00", [LAB_PRIOR])]}
    code, (capped, room) = simulate(cases, "--format", "json", policies=policies, tmp=tmp_path)
    assert code == 0
    assert capped["entitlement"] == "0.00"
    assert "OVER_CAP_REJECTED" in capped["reasons"]
    assert room["entitlement"] != "0.00"
    assert "OVER_CAP_REJECTED" not in room["reasons"]
