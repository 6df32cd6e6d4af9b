"""review expert pool: tier and active flag per expert

Revision ID: b10a0c0de001
Revises: 6367441b0c51
Create Date: 2026-12-03 13:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import marketplace.types

revision: str = 'b10a0c0de001'
down_revision: str | None = '6367441b0c51'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('expertpoolentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('tier', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['expertprofile.id'], name=op.f('fk_expertpoolentry_expert_id_expertprofile')),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], name=op.f('fk_expertpoolentry_updated_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expertpoolentry')),
    sa.UniqueConstraint('expert_id', name=op.f('uq_expertpoolentry_expert_id'))
    )
    with op.batch_alter_table('expertpoolentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expertpoolentry_active'), ['active'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('expertpoolentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expertpoolentry_active'))
    op.drop_table('expertpoolentry')
