"""review stage: the no-award reason (无中选方案) and 答辩 time slots

Revision ID: g13a0c0de001
Revises: g13c0c0de001
Create Date: 2026-12-03 16:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import marketplace.types

revision: str = "g13a0c0de001"
down_revision: str | None = "g13c0c0de001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("noawarddecision",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("challenge_id", sa.Integer(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("decided_by", sa.Integer(), nullable=False),
    sa.Column("decided_at", marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"], name=op.f("fk_noawarddecision_challenge_id_challenge")),
    sa.ForeignKeyConstraint(["decided_by"], ["user.id"], name=op.f("fk_noawarddecision_decided_by_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_noawarddecision")),
    sa.UniqueConstraint("challenge_id", name=op.f("uq_noawarddecision_challenge_id")),
    )
    op.create_table("defenceslot",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("challenge_id", sa.Integer(), nullable=False),
    sa.Column("starts_at", marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column("ends_at", marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column("online_link", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column("bid_id", sa.Integer(), nullable=True),
    sa.Column("team_id", sa.Integer(), nullable=True),
    sa.Column("created_by", sa.Integer(), nullable=False),
    sa.Column("created_at", marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column("booked_at", marketplace.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["bid_id"], ["bid.id"], name=op.f("fk_defenceslot_bid_id_bid")),
    sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"], name=op.f("fk_defenceslot_challenge_id_challenge")),
    sa.ForeignKeyConstraint(["created_by"], ["user.id"], name=op.f("fk_defenceslot_created_by_user")),
    sa.ForeignKeyConstraint(["team_id"], ["teamprofile.id"], name=op.f("fk_defenceslot_team_id_teamprofile")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_defenceslot")),
    sa.UniqueConstraint("bid_id", name=op.f("uq_defenceslot_bid_id")),
    )
    with op.batch_alter_table("defenceslot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_defenceslot_challenge_id"), ["challenge_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_defenceslot_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("defenceslot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_defenceslot_team_id"))
        batch_op.drop_index(batch_op.f("ix_defenceslot_challenge_id"))
    op.drop_table("defenceslot")
    op.drop_table("noawarddecision")
