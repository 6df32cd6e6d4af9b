"""Human formats of a simulation: a text table and an Excel workbook."""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

from marketplace import xlsx

COLUMNS = (("id", "编号"), ("policy", "政策"), ("beneficiary", "受益人"),
           ("entitlement", "核定补助(元)"), ("awarded", "本次安排(元)"), ("waitlisted", "候补(元)"),
           ("city", "市级(元)"), ("district", "区级(元)"), ("reasons", "原因/错误"))
MONEY_KEYS = {"entitlement", "awarded", "waitlisted", "city", "district"}


def _cells(entry: dict[str, Any]) -> dict[str, str]:
    if "error" in entry:
        return {"id": str(entry["id"]), "reasons": f"错误 {entry['error']['code']}"}
    cells = {k: str(entry[k]) for k in ("id", "policy", "beneficiary")}
    cells |= {k: f"{Decimal(entry[k]):,.2f}" for k in ("entitlement", "awarded", "waitlisted")}
    cells |= {k: f"{Decimal(entry['split'][k]):,.2f}" for k in ("city", "district")}
    cells["reasons"] = ", ".join(entry["reasons"]) or "—"
    return cells


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def table(entries: list[dict[str, Any]], summary: dict[str, Any] | None = None) -> str:
    """A fixed-width table, then each case's explanation (or error message), then the summary."""
    rows = [dict(COLUMNS)] + [_cells(e) for e in entries]
    widths = {k: max(_width(r.get(k, "")) for r in rows) for k, _ in COLUMNS}
    lines = ["  ".join(_pad(r.get(k, ""), widths[k], k in MONEY_KEYS) for k, _ in COLUMNS).rstrip()
             for r in rows]
    lines.insert(1, "  ".join("-" * widths[k] for k, _ in COLUMNS))
    lines += ["", "说明："]
    for e in entries:
        text = f"错误：{e['error']['message']}" if "error" in e else e["explanation"]
        lines.append(f"[{e['id']}] {text}")
    if summary is not None:
        lines += ["", "汇总：", json.dumps(summary, ensure_ascii=False, indent=2)]
    return "\n".join(lines) + "\n"


def _decimal_or_text(value: Any) -> Any:
    """A summary value: an exact number when it is one, its text otherwise."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


RESULT_COLUMNS = [xlsx.Column(label, width, "decimal" if key in MONEY_KEYS else "text")
                  for (key, label), width in zip(COLUMNS, (14, 16, 14, 16, 16, 14, 16, 16, 24), strict=True)]
RESULT_COLUMNS.append(xlsx.Column("说明", 100, "wrap"))


def _result_rows(entries: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for e in entries:
        if "error" in e:
            rows.append([str(e["id"])] + [None] * 7 + [e["error"]["code"], e["error"]["message"]])
            continue
        money = [e["entitlement"], e["awarded"], e["waitlisted"], e["split"]["city"], e["split"]["district"]]
        rows.append([e["id"], e["policy"], e["beneficiary"], *money, ", ".join(e["reasons"]), e["explanation"]])
    return rows


def _trace_rows(entries: list[dict[str, Any]]) -> list[list[Any]]:
    return [[e["id"], step["step"], json.dumps({k: v for k, v in step.items() if k != "step"}, ensure_ascii=False)]
            for e in entries for step in e.get("trace", [])]


def _summary_rows(summary: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for code, totals in summary["per_policy"].items():
        rows += [["政策", code, key, value] for key, value in totals.items()]
    rows += [["出资方", party, "amount", value] for party, value in summary["per_party"].items()]
    for name, pool in summary["pools"].items():
        rows += [["资金池", name, key, value] for key, value in pool.items()]
    return [[a, b, key, value if key == "mode" else _decimal_or_text(value)] for a, b, key, value in rows]


def workbook(entries: list[dict[str, Any]], out: Path, summary: dict[str, Any] | None) -> Path:
    """Write 测算结果 (+ 汇总) + 计算步骤 sheets; money cells are exact decimals, 0.00 format."""
    book = xlsx.Book()
    book.sheet("测算结果", RESULT_COLUMNS, rows=_result_rows(entries))
    if summary is not None:
        book.sheet("汇总", [xlsx.Column(t, 16, "auto") for t in ("类别", "项目", "指标", "值")],
                   rows=_summary_rows(summary))
    book.sheet("计算步骤", [xlsx.Column("编号"), xlsx.Column("步骤", 16), xlsx.Column("内容", 100)],
               rows=_trace_rows(entries))
    return book.save(out)
