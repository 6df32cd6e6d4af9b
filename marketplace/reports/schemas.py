"""Output shapes of the open-data and dashboard APIs."""

from __future__ import annotations

from datetime import date

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


class DashboardFilterOut(BaseModel):
    year: int | None
    industry: str | None
    district: str | None
    start: date | None
    end: date | None
    described: str


class HeadlineOut(BaseModel):
    label: str
    value: str


class PanelOut(BaseModel):
    """One panel: exactly the table the page shows under its chart (cells as the page prints them: counts as
    integers, 万元 and percentages as exact decimal strings, never floats)."""

    key: str
    title: str
    chart: str
    unit: str
    columns: list[str]
    rows: list[list[int | str]]
    note: str


class DashboardOut(BaseModel):
    filter: DashboardFilterOut
    headline: list[HeadlineOut]
    panels: list[PanelOut]
