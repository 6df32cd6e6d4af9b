"""guard: audit checkpoints beside the chain; TRUNCATE refused on PostgreSQL

Revision ID: 9a3c51d0e7b2
Revises: 7c1e2a9d4b10
Create Date: 2026-12-03 08:30:00

The chain's UPDATE/DELETE triggers did not cover TRUNCATE (a statement, not a row event, on
PostgreSQL). A statement-level BEFORE TRUNCATE trigger closes that. The checkpoint table is
append-only in the same way.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import marketplace.types

revision: str = '9a3c51d0e7b2'
down_revision: str | None = '7c1e2a9d4b10'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER auditcheckpoint_no_update BEFORE UPDATE ON auditcheckpoint "
    "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END",
    "CREATE TRIGGER auditcheckpoint_no_delete BEFORE DELETE ON auditcheckpoint "
    "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END",
)
# auditevent_append_only() comes from the first migration; it raises for any event.
APPEND_ONLY_PG = (
    "CREATE TRIGGER auditevent_no_truncate BEFORE TRUNCATE ON auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION auditevent_append_only()",
    "CREATE TRIGGER auditcheckpoint_no_change BEFORE UPDATE OR DELETE ON auditcheckpoint "
    "FOR EACH ROW EXECUTE FUNCTION auditevent_append_only()",
    "CREATE TRIGGER auditcheckpoint_no_truncate BEFORE TRUNCATE ON auditcheckpoint "
    "FOR EACH STATEMENT EXECUTE FUNCTION auditevent_append_only()",
)


def upgrade() -> None:
    op.create_table('auditcheckpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('head_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signature', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auditcheckpoint'))
    )
    with op.batch_alter_table('auditcheckpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditcheckpoint_seq'), ['seq'], unique=False)
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in APPEND_ONLY_PG if postgres else APPEND_ONLY_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS auditevent_no_truncate ON auditevent")
    with op.batch_alter_table('auditcheckpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditcheckpoint_seq'))
    op.drop_table('auditcheckpoint')
