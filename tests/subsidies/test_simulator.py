"""The simulator's formats, overrides and error handling, through the typer app."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from marketplace.subsidies.engine.policies import DEFAULT_POLICIES_DIR
from tests.subsidies.conftest import DATA

BUREAU = DEFAULT_POLICIES_DIR / "examples" / "bureau-2026.json"
E01 = {"id": "E01", "policy": "R-JB", "beneficiary": "B1", "base": "8000000.00",
       "date": "2024-06-30", "verdict": "PASSED"}


def test_shipped_example_runs_against_the_default_policies(simulate):
    code, output = simulate(BUREAU, "--summary", policies=DEFAULT_POLICIES_DIR)
    assert code == 0
    by_id = {r["id"]: r for r in output["results"]}
    assert by_id["JB-2025-001"]["entitlement"] == "1600000.00"  # 8,000,000.00 × 20%
    assert by_id["JB-2025-002"]["reasons"] == ["CAP_PROJECT"]
    assert by_id["EI-2025-002"]["reasons"] == ["CAP_YEAR"]  # 5,000,000.00 − 3,000,000.00
    assert by_id["EI-2025-002"]["entitlement"] == "2000000.00"
    assert by_id["BAD-001"]["error"]["code"] == "PRECISION_EXCEEDS_FEN"
    assert output["summary"]["pools"]["JB-2025"]["remaining"] == "0.00"


def test_one_bad_case_does_not_stop_the_others(simulate, tmp_path):
    cases = {"cases": [dict(E01, base="-1.00", id="bad"), {"id": "odd", "policy": "NOPE"},
                       dict(E01, verdict="MAYBE", id="v"), dict(E01, date="2024-02-30", id="d"),
                       dict(E01, bse="1.00", id="typo"), E01]}
    code, output = simulate(cases, tmp=tmp_path)
    assert code == 0
    assert [r.get("error", {}).get("code") for r in output] == [
        "NEGATIVE_AMOUNT", "UNKNOWN_POLICY", "UNKNOWN_VERDICT", "BAD_DATE", "UNKNOWN_FIELD", None]
    assert all(r["error"]["message"] for r in output[:5])
    assert output[5]["entitlement"] == "1600000.00"


def test_overrides_answer_what_if_questions_without_editing_files(simulate, tmp_path):
    cases = {"cases": [dict(E01, id="base"), dict(E01, id="what-if", overrides={"ratio": "0.25"}),
                       dict(E01, id="cap", overrides={"cap_per_project": "1000000.00"}),
                       dict(E01, id="bad", overrides={"ratio": 0.25}),
                       dict(E01, id="unknown", overrides={"rate": "0.25"})]}
    _, output = simulate(cases, tmp=tmp_path)
    assert output[0]["entitlement"] == "1600000.00"
    assert output[1]["entitlement"] == "2000000.00"
    assert "25%" in output[1]["explanation"] and "模拟" in output[1]["explanation"]
    assert output[2]["entitlement"] == "1000000.00" and output[2]["reasons"] == ["CAP_PROJECT"]
    assert output[3]["error"]["code"] == "FLOAT_NOT_ALLOWED"
    assert output[4]["error"]["code"] == "UNKNOWN_PARAMETER"


def test_table_format_lists_amounts_and_explanations(simulate):
    code, text = simulate(DATA / "examples" / "E08.json", "--format", "table", "--summary")
    assert code == 0
    assert "2,000,000.00" in text and "CAP_YEAR" in text
    assert "尚余 2,000,000.00 元，按余额核定为 2,000,000.00 元" in text
    assert "汇总" in text


def test_xlsx_format_writes_exact_money_cells(simulate, tmp_path):
    out = tmp_path / "out.xlsx"
    code, _ = simulate(DATA / "examples" / "E06.json", "--format", "xlsx", "--summary",
                       "--out", str(out))
    assert code == 0
    book = load_workbook(out)
    assert book.sheetnames == ["测算结果", "汇总", "计算步骤"]
    row = [c.value for c in book["测算结果"][2]]
    assert row[0] == "E06"
    assert Decimal(str(row[3])) == Decimal("185185.07")
    assert [Decimal(str(v)) for v in row[6:8]] == [Decimal("92592.54"), Decimal("92592.53")]


def test_unusable_files_exit_with_a_message(simulate, tmp_path):
    code, text = simulate({"case": []}, tmp=tmp_path)
    assert code == 2 and "cases" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA / "policies" / "R-JB.yaml").read_text(encoding="utf-8")
                   .replace("over_cap: truncate", "over_cap: truncate\nextra: 1"), encoding="utf-8")
    code, text = simulate({"cases": [E01]}, policies=bad, tmp=tmp_path)
    assert code == 2 and "extra" in text and str(bad) in text


PURE = ("core", "caps", "allocation", "explain", "model", "validation", "errors")
FORBIDDEN = ("fastapi", "starlette", "jinja2", "sqlmodel", "sqlalchemy", "marketplace.db",
             "marketplace.clock", "marketplace.web", "datetime.datetime", "time")


def test_engine_modules_import_no_database_clock_or_web():
    package = Path(__file__).resolve().parents[2] / "marketplace" / "subsidies" / "engine"
    for name in PURE:
        tree = ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [f"{node.module}.{a.name}" for a in node.names] + [node.module or ""]
            else:
                continue
            for module in modules:
                assert not any(module == f or module.startswith(f + ".") for f in FORBIDDEN), \
                    (name, module)


def test_explanation_reads_as_the_chinese_account_of_the_calculation(simulate):
    _, output = simulate(DATA / "examples" / "E01.json")
    text = output[0]["explanation"]
    for part in ("依据《广州市促进创新链产业链融合发展行动计划（2022—2025年）》"
                 "（穗府办〔2022〕19号）二、（三）8",
                 "企业投入资金 8,000,000.00 元 × 20% = 1,600,000.00 元",
                 "未超过单项最高 5,000,000.00 元",
                 "核定补助 1,600,000.00 元（市级 800,000.00 元，区级 800,000.00 元）"):
        assert part in text
    _, output = simulate(DATA / "examples" / "E04.json")
    assert "185,185.065 元 四舍五入到分为 185,185.07 元" in output[0]["explanation"]
