"""credit memory; organisation region (HK/Macao share); indexes for the bureau's queues and the dashboard's bid counts

Revision ID: f12a0c0de001
Revises: 6367441b0c51
Create Date: 2026-12-03 13:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import marketplace.types

revision: str = "f12a0c0de001"
down_revision: str | None = "d11b0c0de001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("creditrecord",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("organisation_id", sa.Integer(), nullable=False),
    sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column("occurred_on", marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("subject_type", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column("subject_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column("recorded_by", sa.Integer(), nullable=True),
    sa.Column("created_at", marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ),
    sa.ForeignKeyConstraint(["recorded_by"], ["user.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("creditrecord", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_creditrecord_organisation_id"), ["organisation_id"], unique=False)
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                      server_default="mainland"))
        batch_op.create_index(batch_op.f("ix_organisation_region"), ["region"], unique=False)
    with op.batch_alter_table("challenge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_change_requested_at"), ["change_requested_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_challenge_withdrawal_requested_at"), ["withdrawal_requested_at"],
                              unique=False)
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.create_index("ix_bid_challenge_status", ["challenge_id", "status", "organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("creditrecord", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_creditrecord_organisation_id"))
    op.drop_table("creditrecord")
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.drop_index("ix_bid_challenge_status")
    with op.batch_alter_table("challenge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_withdrawal_requested_at"))
        batch_op.drop_index(batch_op.f("ix_challenge_change_requested_at"))
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_region"))
        batch_op.drop_column("region")
