"""SUBSIDY.md's worked examples E01–E25, run as case files through `jiebang subsidy simulate`."""

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
