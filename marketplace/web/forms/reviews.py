"""Form fields → expert-review inputs: the panel and its scorecard, assignments, declarations, score
sheets and the expert pool. Numbers that are not positive integers are named in `errors` (in Chinese)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from starlette.datastructures import FormData

from marketplace.reviews import service

MAX_CRITERIA = 10


def _int(value: object, field: str, label: str, errors: dict[str, str]) -> int | None:
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 9:
        errors[field] = f"{label}须为正整数"
        return None
    return int(text)


def panel_spec(form: FormData) -> tuple[service.PanelSpec, dict, dict]:
    """(the panel to create, the fields as typed, errors by field)."""
    errors: dict[str, str] = {}
    values = {k: str(form.get(k) or "").strip() for k in ("reviewers_per_bid", "max_load", "due_on")}
    values["blind"] = form.get("blind") in ("on", "1", "true")
    criteria = []
    for n in range(MAX_CRITERIA):
        name, weight = str(form.get(f"crit-{n}-name") or "").strip(), str(form.get(f"crit-{n}-weight") or "").strip()
        if name or weight:
            criteria.append((name[:50], weight[:10]))
    values["criteria"] = criteria
    r = _int(values["reviewers_per_bid"], "reviewers_per_bid", "每个方案的评审专家数", errors)
    load = _int(values["max_load"], "max_load", "每位专家评审上限", errors)
    due_at = None
    if values["due_on"]:
        try:
            day = date.fromisoformat(values["due_on"])
            due_at = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)  # 17:00 Beijing time
        except ValueError:
            errors["due_on"] = "请按 年-月-日 填写评审截止日期"
    spec = service.PanelSpec(reviewers_per_bid=r or 0, max_load=load or 0, criteria=criteria or None,
                             blind=values["blind"], due_at=due_at)
    return spec, values, errors


def text(form: FormData, name: str) -> str:
    return str(form.get(name) or "")


def int_field(form: FormData, name: str, label: str, errors: dict[str, str]) -> int | None:
    return _int(form.get(name), name, label, errors)


def replacement_expert(form: FormData, errors: dict[str, str]) -> int | None:
    """The expert to put in instead (None: withdraw without a replacement)."""
    raw = text(form, "expert_id").strip()
    return _int(raw, "expert_id", "替换专家", errors) if raw else None


def declaration(form: FormData) -> dict[str, Any]:
    """{"conflict": "no" | "yes" | anything else (refused), "statement": …}."""
    return {"conflict": form.get("conflict"), "statement": text(form, "statement")}


def score_sheet(form: FormData, criteria: list) -> tuple[dict[str, object], dict[str, str], dict[str, str]]:
    """(scores by criterion — digits as int, anything else as typed for the service to refuse —,
    comments by criterion, the fields as typed to show again)."""
    scores: dict[str, object] = {}
    comments: dict[str, str] = {}
    values: dict[str, str] = {"overall_comment": text(form, "overall_comment")}
    for i, c in enumerate(criteria):
        raw = text(form, f"score_{i}").strip()
        values[f"score_{i}"], values[f"comment_{i}"] = raw, text(form, f"comment_{i}")
        if raw:
            scores[c.name] = int(raw) if raw.isdigit() and len(raw) <= 4 else raw
        comments[c.name] = values[f"comment_{i}"]
    return scores, comments, values


def expert_update(form: FormData) -> dict[str, Any]:
    """tier, active and note of one expert in the pool."""
    return {"tier": text(form, "tier"), "active": form.get("active") in ("1", "on", "true"),
            "note": text(form, "note")}


SLOT_FIELDS = ("day", "start", "end", "place", "online_link")


def slot(form: FormData) -> dict[str, str]:
    """A 答辩 time slot: date, start, end (Beijing time), place or online link."""
    return {k: str(form.get(k) or "") for k in SLOT_FIELDS}
