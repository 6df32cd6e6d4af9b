"""backfill consortium partner confirmations for bids handed in before partners confirmed

Bids handed in before g13d0c0de001 name their consortium partners but have no `partnerconfirmation` rows,
so they show 待确认 for ever and nobody can confirm them (the partner-request page lists rows, and `sync`
only creates rows when a bid is submitted again, which a closed challenge no longer allows).

For every handed-in bid (submitted_at set, not a draft) this creates the missing row of each named partner
as **confirmed** (decided_at = the bid's submission time, decided_by NULL, reason saying it was recorded by
the migration). Why confirmed and not pending: before the feature a bid's partners were accepted as the
consortium on the lead's own declaration — that is what the formal review, the expert panel and any award
were based on; asking now would demote bids already reviewed, ranked or awarded as consortium bids to
待确认, with no way for a partner to take back what was handed in with its agreement at the time. Drafts
get no rows: `sync` asks their partners when they are submitted. No audit events are written here (the
audit chain is signed by the running application; the migration's rows carry their own reason instead).

Revision ID: h13a0c0de001
Revises: g13d0c0de001
Create Date: 2026-12-03 19:30:00
"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from marketplace.types import UTCDateTime

revision: str = 'h13a0c0de001'
down_revision: str | None = 'h11a0c0de001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REASON = "合作确认功能上线前提交的方案，按牵头单位提交时的声明记为已确认（数据迁移补录）"

bid = sa.table("bid", sa.column("id", sa.Integer), sa.column("status", sa.String),
               sa.column("partners", sa.JSON), sa.column("submitted_at", UTCDateTime()))
confirmation = sa.table(
    "partnerconfirmation", sa.column("id", sa.Integer), sa.column("bid_id", sa.Integer),
    sa.column("organisation_id", sa.Integer), sa.column("share_percent", sa.Integer),
    sa.column("role", sa.String), sa.column("status", sa.String), sa.column("reason", sa.String),
    sa.column("decided_by", sa.Integer), sa.column("decided_at", UTCDateTime()),
    sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()))


def upgrade() -> None:
    conn = op.get_bind()
    existing = {(b, o) for b, o in conn.execute(sa.select(confirmation.c.bid_id, confirmation.c.organisation_id))}
    handed_in = conn.execute(sa.select(bid.c.id, bid.c.partners, bid.c.submitted_at).where(
        bid.c.submitted_at.is_not(None), bid.c.status != "draft")).all()
    now = datetime.now(UTC)
    rows = []
    for bid_id, partners, submitted_at in handed_in:
        for partner in partners or []:
            org_id = int(partner["organisation_id"])
            if (bid_id, org_id) in existing:
                continue
            existing.add((bid_id, org_id))
            rows.append({"bid_id": bid_id, "organisation_id": org_id,
                         "share_percent": int(partner.get("share_percent") or 0),
                         "role": str(partner.get("role") or "")[:200], "status": "confirmed", "reason": REASON,
                         "decided_by": None, "decided_at": submitted_at, "created_at": now, "updated_at": now})
    if rows:
        op.bulk_insert(confirmation, rows)


def downgrade() -> None:
    op.execute(confirmation.delete().where(confirmation.c.reason == REASON))
