"""team workflow: consortium partner confirmations, bid attachments, 补正 window on bids

Revision ID: g13d0c0de001
Revises: g13a0c0de001
Create Date: 2026-12-03 16:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import marketplace.types

revision: str = 'g13d0c0de001'
down_revision: str | None = 'g13a0c0de001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('partnerconfirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('share_percent', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', marketplace.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bid.id'], name=op.f('fk_partnerconfirmation_bid_id_bid')),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], name=op.f('fk_partnerconfirmation_decided_by_user')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                            name=op.f('fk_partnerconfirmation_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnerconfirmation')),
    sa.UniqueConstraint('bid_id', 'organisation_id', name=op.f('uq_partnerconfirmation_bid_id_organisation_id'))
    )
    with op.batch_alter_table('partnerconfirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partnerconfirmation_bid_id'), ['bid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnerconfirmation_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnerconfirmation_status'), ['status'], unique=False)
    op.create_table('bidattachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('supplement', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', marketplace.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bid.id'], name=op.f('fk_bidattachment_bid_id_bid')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['user.id'], name=op.f('fk_bidattachment_uploaded_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bidattachment')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_bidattachment_storage_key'))
    )
    with op.batch_alter_table('bidattachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bidattachment_bid_id'), ['bid_id'], unique=False)
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supplement_deadline', marketplace.types.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('supplement_note', sa.String(length=1000), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.drop_column('supplement_note')
        batch_op.drop_column('supplement_deadline')
    with op.batch_alter_table('bidattachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bidattachment_bid_id'))
    op.drop_table('bidattachment')
    with op.batch_alter_table('partnerconfirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partnerconfirmation_status'))
        batch_op.drop_index(batch_op.f('ix_partnerconfirmation_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_partnerconfirmation_bid_id'))
    op.drop_table('partnerconfirmation')
