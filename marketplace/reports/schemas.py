"""Output shapes of the open-data API."""

from __future__ import annotations

from pydantic import BaseModel


class OpenDataOut(BaseModel):
    items: list[dict]
    page: int
    page_size: int
    total: int
    updated_at: str | None
    licence: str
    publisher: str
    schema_url: str
