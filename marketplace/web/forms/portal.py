"""Form fields → portal inputs: the display mode (适老化)."""

from __future__ import annotations

from starlette.datastructures import FormData


def display(form: FormData) -> tuple[object, str]:
    """(the chosen mode as sent — unknown ones fall back to standard —, where to go back to)."""
    return form.get("mode"), str(form.get("next", "/"))
