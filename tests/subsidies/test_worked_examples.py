"""The shared spec's (SUBSIDY.md) worked examples E01–E25, run as case files through `jiebang subsidy simulate`.

The expected values (data/expected.yaml) are the spec's results by example id, never the engine's output."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.subsidies.conftest import DATA

EXAMPLES = yaml.safe_load((DATA / "expected.yaml").read_text(encoding="utf-8"))


def _matches(expected: Any, actual: Any) -> bool:
    """Every expected key present and equal (dicts recursively); lists and scalars exactly."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _matches(v, actual[k]) for k, v in expected.items())
    return expected == actual


def _check_case(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    assert actual["id"] == expected["id"]
    if "error" in expected:
        assert actual.get("error", {}).get("code") == expected["error"], actual
        assert actual["error"]["message"]
        return
    assert "error" not in actual, actual["error"]
    for key, value in expected.items():
        assert actual[key] == value, f"{expected['id']}.{key}: {actual[key]!r} ≠ {value!r}"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["example"] for e in EXAMPLES])
def test_worked_example(example, simulate):
    code, output = simulate(DATA / "examples" / example["cases"], "--summary",
                            policies=DATA / example.get("policies", "policies"))
    assert code == 0, output
    results = output["results"]
    assert len(results) == len(example["expect"])
    for expected, actual in zip(example["expect"], results, strict=True):
        _check_case(expected, actual)
    by_id = {r["id"]: r for r in results if "trace" in r}
    for case_id, steps in example.get("trace", {}).items():
        for step in steps:
            assert any(_matches(step, s) for s in by_id[case_id]["trace"]), (case_id, step)
    assert _matches(example.get("summary", {}), output["summary"]), output["summary"]


def test_every_worked_example_is_covered():
    covered = {e["example"][:3] for e in EXAMPLES}
    assert covered == {f"E{n:02d}" for n in range(1, 26)}


def _result(example_id: str, case_id: str) -> dict:
    example = next(e for e in EXAMPLES if e["example"] == example_id)
    return next(c for c in example["expect"] if c["id"] == case_id)


def test_transcribed_figures_agree_with_hand_arithmetic_from_the_spec_inputs():
    """A check on the transcription, from the spec's inputs and rule R-JB (20%, cap 5,000,000.00)."""
    from decimal import ROUND_HALF_UP, Decimal

    def r_jb(invested: str) -> str:
        gross = (Decimal(invested) * Decimal("0.20")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return str(min(gross, Decimal("5000000.00")))

    assert _result("E01", "E01")["entitlement"] == r_jb("8000000.00") == "1600000.00"
    assert _result("E02", "E02a")["entitlement"] == r_jb("40000000.00") == "5000000.00"
    assert _result("E02", "E02b")["entitlement"] == r_jb("25000000.00") == "5000000.00"
    assert _result("E05", "E05")["entitlement"] == r_jb("1234567.89") == "246913.58"
    e06 = _result("E06", "E06")["split"]  # 185,185.07 split 50/50, the odd fen to the city
    assert Decimal(e06["city"]) + Decimal(e06["district"]) == Decimal("185185.07")
    assert Decimal(e06["city"]) - Decimal(e06["district"]) == Decimal("0.01")
