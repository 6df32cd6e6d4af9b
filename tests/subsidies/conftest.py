from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from marketplace.cli.subsidy import subsidy_app

DATA = Path(__file__).parent / "data"


@pytest.fixture
def simulate():
    """Run `simulate` through the CLI; returns (exit code, parsed JSON or raw output)."""
    runner = CliRunner()

    def run(cases: Path | dict[str, Any], *args: str, policies: Path = DATA / "policies",
            tmp: Path | None = None) -> tuple[int, Any]:
        if isinstance(cases, dict):
            assert tmp is not None
            path = tmp / "cases.json"
            path.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
            cases = path
        result = runner.invoke(subsidy_app, ["simulate", "--policies", str(policies),
                                             "--cases", str(cases), *args])
        try:
            return result.exit_code, json.loads(result.stdout)
        except ValueError:
            return result.exit_code, result.output

    return run
