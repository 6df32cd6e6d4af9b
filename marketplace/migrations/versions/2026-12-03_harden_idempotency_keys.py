"""harden: idempotency keys (Idempotency-Key header and one-time form tokens)

Revision ID: a7c3e91d2b40
Revises: 5ea1b1d0c0de
Create Date: 2026-12-03 09:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import marketplace.types

revision: str = 'a7c3e91d2b40'
down_revision: str | None = '5ea1b1d0c0de'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('created_at', marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', marketplace.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('owner', 'key', name='uq_idempotency_owner_key')
    )


def downgrade() -> None:
    op.drop_table('idempotency_key')
