"""The search index's version, stored in the database so that every worker can tell it moved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from marketplace.clock import utcnow
from marketplace.types import UTCDateTime


class IndexState(SQLModel, table=True):
    name: str = Field(primary_key=True, max_length=30)
    # A counter in the high bits and a random salt in the low 20 bits: a version that a rolled-back
    # transaction used is never mistaken for the committed one that later reaches the same count.
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
