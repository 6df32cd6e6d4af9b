"""challenge snapshots (diff between submissions); join requests; organisation evidence (licence, legal rep.)

Revision ID: g13e0c0de001
Revises: f12a0c0de001
Create Date: 2026-12-03 16:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import marketplace.types

revision: str = "g13e0c0de001"
down_revision: str | None = "f12a0c0de001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_T = marketplace.types.UTCDateTime


def upgrade() -> None:
    op.create_table("challengesnapshot",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("challenge_id", sa.Integer(), nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("fields", sa.JSON(), nullable=False),
    sa.Column("submitted_by", sa.Integer(), nullable=True),
    sa.Column("submitted_at", _T(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"], ),
    sa.ForeignKeyConstraint(["submitted_by"], ["user.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("challenge_id", "number"),
    )
    with op.batch_alter_table("challengesnapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challengesnapshot_challenge_id"), ["challenge_id"], unique=False)
    op.create_table("joinrequest",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("organisation_id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("status", _S(length=20), nullable=False),
    sa.Column("note", _S(length=200), nullable=False),
    sa.Column("decided_by", sa.Integer(), nullable=True),
    sa.Column("decided_at", _T(timezone=True), nullable=True),
    sa.Column("reason", _S(length=200), nullable=False),
    sa.Column("created_at", _T(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ),
    sa.ForeignKeyConstraint(["user_id"], ["user.id"], ),
    sa.ForeignKeyConstraint(["decided_by"], ["user.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("user_id"),
    )
    with op.batch_alter_table("joinrequest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_joinrequest_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_joinrequest_status"), ["status"], unique=False)
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_representative", _S(length=50), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("licence_filename", _S(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("licence_storage_key", _S(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("licence_sha256", _S(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("licence_size", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("licence_uploaded_at", _T(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        for name in ("licence_uploaded_at", "licence_size", "licence_sha256", "licence_storage_key",
                     "licence_filename", "legal_representative"):
            batch_op.drop_column(name)
    with op.batch_alter_table("joinrequest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_joinrequest_status"))
        batch_op.drop_index(batch_op.f("ix_joinrequest_organisation_id"))
    op.drop_table("joinrequest")
    with op.batch_alter_table("challengesnapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challengesnapshot_challenge_id"))
    op.drop_table("challengesnapshot")
