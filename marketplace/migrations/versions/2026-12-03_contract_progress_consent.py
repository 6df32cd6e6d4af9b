"""contract progress consent (public project progress pages, issue 12)

Revision ID: g13c0c0de001
Revises: g13e0c0de001
Create Date: 2026-12-03 16:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import marketplace.types

revision: str = "g13c0c0de001"
down_revision: str | None = "g13e0c0de001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("progressconsent",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("contract_id", sa.Integer(), nullable=False),
    sa.Column("party", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column("agreed_by", sa.Integer(), nullable=False),
    sa.Column("agreed_at", marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["agreed_by"], ["user.id"], ),
    sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("contract_id", "party"),
    )
    op.create_index(op.f("ix_progressconsent_contract_id"), "progressconsent", ["contract_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_progressconsent_contract_id"), table_name="progressconsent")
    op.drop_table("progressconsent")
