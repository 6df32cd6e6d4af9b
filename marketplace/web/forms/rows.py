"""Forms with a variable number of rows (milestones, members, partners, indicators).

Rows are added and removed by ordinary submit buttons ("添加一行", "删除"), so the form works without
JavaScript: the POST re-renders the form with everything typed so far, one row more or one fewer, and
saves nothing. With HTMX the same buttons swap the form in place (the clicked button's value is sent).
A hidden `<prefix>-blank` field carries how many empty rows the form shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData

ADD, REMOVE = "add", "remove"


@dataclass(frozen=True)
class RowEdit:
    kind: str  # ADD or REMOVE
    prefix: str
    index: int = -1


def parse_action(action: object, prefixes) -> RowEdit | None:  # noqa: ANN001
    """`add:<prefix>` or `remove:<prefix>:<n>` from the pressed button, else None (a real save)."""
    if not isinstance(action, str):
        return None
    kind, _, rest = action.partition(":")
    prefix, _, number = rest.partition(":")
    if kind not in (ADD, REMOVE) or prefix not in prefixes:
        return None
    if kind == REMOVE:
        if not number.isdigit():
            return None
        return RowEdit(REMOVE, prefix, int(number))
    return RowEdit(ADD, prefix)


def blank_count(form: FormData, prefix: str, default: int, max_rows: int, filled: int | None = None) -> int:
    """How many empty rows to show again. With `filled` (the rows the person typed into): the rows the
    posted form showed minus those, since typing into an empty row makes it a filled one (the hidden count
    still said blank, and 添加一行 then added two rows, 删除 of an empty row seemed to do nothing)."""
    shown = {key.split("-")[1] for key in form.keys()
             if key.startswith(f"{prefix}-") and key.count("-") >= 2 and key.split("-")[1].isdigit()}
    if filled is not None and len(shown) > filled:  # a browser posts every row shown, empty ones too
        return min(len(shown) - filled, max_rows)
    raw = form.get(f"{prefix}-blank")
    if not isinstance(raw, str) or not raw.strip().isdigit():
        return default
    return min(int(raw), max_rows)


def apply(edit: RowEdit, indexed: list[tuple[int, dict]], blanks: int, max_rows: int
          ) -> tuple[list[dict], int, str]:
    """The rows and blank count after one edit, and a message when the edit cannot be made."""
    rows = [row for _, row in indexed]
    if edit.kind == ADD:
        if len(rows) + blanks >= max_rows:
            return rows, blanks, f"最多 {max_rows} 行"
        return rows, blanks + 1, ""
    positions = [n for n, _ in indexed]
    if edit.index in positions:
        del rows[positions.index(edit.index)]
        return rows, blanks, ""
    return rows, max(0, blanks - 1), ""  # an empty row: one blank fewer
