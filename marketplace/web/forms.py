"""Reading HTML forms into the shared input schemas."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import FormData

LIST_SUFFIX = "[]"


async def form_data(request: Request) -> FormData:
    """The submitted form (async, so that handlers can stay sync)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def form_dict(form: FormData, *, lists: tuple[str, ...] = (), bools: tuple[str, ...] = (),
              lines: tuple[str, ...] = ()) -> dict[str, Any]:
    """Plain dict from a form: `lists` via getlist, `bools` as checkbox presence, `lines` split by line."""
    data: dict[str, Any] = {}
    for key in form.keys():
        if key == "csrf_token" or key in lists or key in bools or key in lines:
            continue
        value = form.get(key)
        data[key] = value if isinstance(value, str) else value
    for key in lists:
        data[key] = [v for v in form.getlist(key) if isinstance(v, str) and v.strip()]
    for key in bools:
        data[key] = form.get(key) in ("on", "true", "1", "yes")
    for key in lines:
        raw = form.get(key)
        raw = raw if isinstance(raw, str) else ""
        data[key] = [line.strip() for line in raw.splitlines() if line.strip()]
    return data
