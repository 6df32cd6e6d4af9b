"""The ledger and the disbursements are append-only in the database itself (triggers)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from marketplace import db
from marketplace.subsidies import service
from tests import factories as f
from tests.subsidies_ledger.conftest import contract, people

STATEMENTS = {
    "update": "UPDATE {table} SET amount_fen = amount_fen + 1",
    "delete": "DELETE FROM {table}",
    "truncate": "TRUNCATE {table} CASCADE",
}


@pytest.fixture
def paid(live_engine, source):
    with db.new_session(live_engine) as s:
        who = people(s)
        source.add(contract(company_org_id=who.org_id))
        sid = service.compute_all(session=s).computed[0]
        service.check(session=s, actor=f.actor(s, who.maker), subsidy_id=sid)
        service.approve(session=s, actor=f.actor(s, who.checker), subsidy_id=sid)
        service.disburse(session=s, actor=f.actor(s, who.checker), subsidy_id=sid, installment=1, key="imm")
    return live_engine


@pytest.mark.parametrize("table", ["ledgerentry", "disbursement"])
@pytest.mark.parametrize("verb", sorted(STATEMENTS))
def test_rows_cannot_be_changed_or_removed(paid, table, verb):
    if verb == "truncate" and paid.dialect.name == "sqlite":
        verb = "delete"  # SQLite has no TRUNCATE: `DELETE FROM t` is its truncate
    before = _count(paid, table)
    assert before > 0
    with paid.connect() as conn, pytest.raises(DatabaseError, match="append-only"):
        with conn.begin():
            conn.execute(text(STATEMENTS[verb].format(table=table)))
    assert _count(paid, table) == before


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
