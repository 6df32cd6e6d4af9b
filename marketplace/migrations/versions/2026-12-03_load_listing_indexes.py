"""load: indexes for the public challenge list (count and order without reading whole rows)

Revision ID: 3f6a0c5e8d21
Revises: 7c1e2d9a4b10
Create Date: 2026-12-03 09:30:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '3f6a0c5e8d21'
down_revision: str | None = '7c1e2d9a4b10'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_challenge_status_published_at', 'challenge', ['status', 'published_at'], unique=False)
    op.create_index(op.f('ix_challenge_offered_fen'), 'challenge', ['offered_fen'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_challenge_offered_fen'), table_name='challenge')
    op.drop_index('ix_challenge_status_published_at', table_name='challenge')
