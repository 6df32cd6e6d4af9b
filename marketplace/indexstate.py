"""The search index's version, stored in the database so that every worker can tell it moved."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from marketplace.clock import utcnow
from marketplace.types import UTCDateTime


class IndexState(SQLModel, table=True):
    name: str = Field(primary_key=True, max_length=30)
    version: int = Field(default=0)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
