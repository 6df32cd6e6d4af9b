"""load: scheduler lease (one scheduler per deployment)

Revision ID: 7c1e2d9a4b10
Revises: a7c3e91d2b40
Create Date: 2026-12-03 09:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import marketplace.types

revision: str = '7c1e2d9a4b10'
down_revision: str | None = 'a7c3e91d2b40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('schedulerlease',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('expires_at', marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_schedulerlease'))
    )


def downgrade() -> None:
    op.drop_table('schedulerlease')
