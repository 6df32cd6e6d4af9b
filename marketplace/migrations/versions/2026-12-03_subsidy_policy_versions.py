"""subsidy policy versions loaded in the platform (maker-checker)

Revision ID: h11a0c0de001
Revises: g13d0c0de001
Create Date: 2026-12-03 19:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import marketplace.types

revision: str = 'h11a0c0de001'
down_revision: str | None = 'g13d0c0de001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('policyversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('document', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('document_title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('clause', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('clause_text', sa.Text(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('drafted_by', sa.Integer(), nullable=True),
    sa.Column('approved_by', sa.Integer(), nullable=True),
    sa.Column('drafted_at', marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_at', marketplace.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by'], ['user.id'], name=op.f('fk_policyversion_approved_by_user')),
    sa.ForeignKeyConstraint(['drafted_by'], ['user.id'], name=op.f('fk_policyversion_drafted_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policyversion'))
    )
    with op.batch_alter_table('policyversion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policyversion_policy_code'), ['policy_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_policyversion_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('policyversion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policyversion_status'))
        batch_op.drop_index(batch_op.f('ix_policyversion_policy_code'))
    op.drop_table('policyversion')
