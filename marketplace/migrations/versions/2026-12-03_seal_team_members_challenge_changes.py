"""seal: team members (a bid belongs to its team); pending changes of published challenges

Revision ID: 5ea1b1d0c0de
Revises: 4e7f0b9c2a61
Create Date: 2026-12-03 08:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import marketplace.types

revision: str = '5ea1b1d0c0de'
down_revision: str | None = '4e7f0b9c2a61'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('teammember',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=False),
    sa.Column('added_at', marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['user.id'], name=op.f('fk_teammember_added_by_user')),
    sa.ForeignKeyConstraint(['team_id'], ['teamprofile.id'], name=op.f('fk_teammember_team_id_teamprofile')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_teammember_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teammember')),
    sa.UniqueConstraint('team_id', 'user_id', name=op.f('uq_teammember_team_id_user_id'))
    )
    with op.batch_alter_table('teammember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teammember_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teammember_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_change', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('change_requested_at', marketplace.types.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.drop_column('change_requested_at')
        batch_op.drop_column('pending_change')
    with op.batch_alter_table('teammember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teammember_user_id'))
        batch_op.drop_index(batch_op.f('ix_teammember_team_id'))
    op.drop_table('teammember')
