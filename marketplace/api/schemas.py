"""Envelope shapes shared by every /api/v1 route (the error body). Each domain's own input and output
shapes live beside it, in marketplace/<domain>/schemas.py."""

from __future__ import annotations

from pydantic import BaseModel


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(BaseModel):
    error: ErrorBody
