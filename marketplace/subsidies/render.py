"""Human formats of a simulation: a text table and an Excel workbook."""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

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
    rows = [{k: label for k, label in COLUMNS}] + [_cells(e) for e in entries]
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


def _money_cell(sheet: Any, row: int, col: int, text: str) -> None:
    cell = sheet.cell(row=row, column=col, value=Decimal(text))
    cell.number_format = "#,##0.00"


def _results_sheet(sheet: Any, entries: list[dict[str, Any]]) -> None:
    headers = [label for _, label in COLUMNS] + ["说明"]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row, e in enumerate(entries, start=2):
        if "error" in e:
            sheet.append([str(e["id"])] + [None] * 7 + [e["error"]["code"], e["error"]["message"]])
            continue
        sheet.append([e["id"], e["policy"], e["beneficiary"]])
        values = [e["entitlement"], e["awarded"], e["waitlisted"], e["split"]["city"],
                  e["split"]["district"]]
        for col, text in enumerate(values, start=4):
            _money_cell(sheet, row, col, text)
        sheet.cell(row=row, column=9, value=", ".join(e["reasons"]))
        sheet.cell(row=row, column=10, value=e["explanation"]).alignment = Alignment(wrap_text=True)
    for letter, width in zip("ABCDEFGHIJ", (14, 16, 14, 16, 16, 14, 16, 16, 24, 100), strict=True):
        sheet.column_dimensions[letter].width = width


def _trace_sheet(sheet: Any, entries: list[dict[str, Any]]) -> None:
    sheet.append(["编号", "步骤", "内容"])
    for e in entries:
        for step in e.get("trace", []):
            data = {k: v for k, v in step.items() if k != "step"}
            sheet.append([e["id"], step["step"], json.dumps(data, ensure_ascii=False)])


def _summary_sheet(sheet: Any, summary: dict[str, Any]) -> None:
    sheet.append(["类别", "项目", "指标", "值"])
    for code, totals in summary["per_policy"].items():
        for key, value in totals.items():
            sheet.append(["政策", code, key, value])
    for party, value in summary["per_party"].items():
        sheet.append(["出资方", party, "amount", value])
    for name, pool in summary["pools"].items():
        for key, value in pool.items():
            sheet.append(["资金池", name, key, value])
    for row in sheet.iter_rows(min_row=2):
        value = row[3].value
        if isinstance(value, str) and row[2].value not in ("mode",):
            try:
                row[3].value = Decimal(value)
                row[3].number_format = "#,##0.00"
            except ArithmeticError:
                pass


def workbook(entries: list[dict[str, Any]], out: Path, summary: dict[str, Any] | None) -> Path:
    """Write 测算结果 (+ 汇总) + 计算步骤 sheets; money cells are exact decimals, 0.00 format."""
    book = Workbook()
    _results_sheet(book.active, entries)
    book.active.title = "测算结果"
    if summary is not None:
        _summary_sheet(book.create_sheet("汇总"), summary)
    _trace_sheet(book.create_sheet("计算步骤"), entries)
    book.save(out)
    return out
