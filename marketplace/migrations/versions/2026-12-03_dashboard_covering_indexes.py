"""dashboard: covering indexes for the bureau dashboard's challenge aggregates

Every dashboard panel groups challenges by state, industry, weak link, company or month. The columns it
reads sit after the long text columns of a challenge row, so each aggregate read the whole table (≈215 ms
CPU for an unfiltered dashboard at 10k challenges / 50k bids on SQLite). Three covering indexes, one per
access path (all challenges by state and period; one industry; per company), make every aggregate an
index-only scan (≈83 ms with the merged queries).

Revision ID: h12a0c0de001
Revises: g13d0c0de001
Create Date: 2026-12-03 19:30:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'h12a0c0de001'
down_revision: str | None = 'h13a0c0de001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_challenge_stats": ["status", "created_at", "published_at", "industry", "weak_link", "organisation_id",
                           "committed_funds_fen", "offered_fen"],
    "ix_challenge_industry_stats": ["industry", "status", "created_at", "published_at", "weak_link",
                                    "organisation_id", "committed_funds_fen", "offered_fen"],
    "ix_challenge_company_stats": ["organisation_id", "status", "created_at", "published_at", "industry"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "challenge", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="challenge")
