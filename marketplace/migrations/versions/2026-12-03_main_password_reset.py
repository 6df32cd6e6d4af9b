"""Password reset tokens.

Revision ID: 7c1e2a9d4b10
Revises: b2805c12eecc
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import marketplace.types

revision: str = "7c1e2a9d4b10"
down_revision: str | None = "b2805c12eecc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passwordreset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", marketplace.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", marketplace.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", marketplace.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_passwordreset_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passwordreset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_passwordreset_token_hash")),
    )
    with op.batch_alter_table("passwordreset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_passwordreset_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_passwordreset_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_passwordreset_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("passwordreset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passwordreset_user_id"))
        batch_op.drop_index(batch_op.f("ix_passwordreset_created_at"))
        batch_op.drop_index(batch_op.f("ix_passwordreset_address"))
    op.drop_table("passwordreset")
