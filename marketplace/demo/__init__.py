"""The demo data (seeds/demo/*.yaml), loaded in dependency order. Idempotent: loading twice duplicates nothing.

One package for every loader, so that no domain package imports the demo and the demo imports only
the domain (it used to import bids/demo.py, which imported it back).
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from marketplace.actor import SYSTEM
from marketplace.audit import service as audit
from marketplace.config import SEEDS_DIR
from marketplace.db import atomic
from marketplace.demo.accounts import load_accounts
from marketplace.demo.bids import load_bids
from marketplace.demo.challenges import load_challenges
from marketplace.demo.contracts import load_contracts
from marketplace.demo.reviews import load_reviews
from marketplace.demo.seeds import DEMO_PASSWORD, DemoReport, read
from marketplace.demo.subsidies import load_subsidies
from marketplace.search import index as search_index

__all__ = ["DEMO_PASSWORD", "DemoReport", "load", "read"]


def load(*, session: Session, seeds_dir: Path = SEEDS_DIR) -> DemoReport:
    """Load organisations, users, teams and experts, then challenges, bids, review states, contracts and
    the subsidies of the ended contracts; commits once."""
    report = DemoReport()
    with atomic(session):
        orgs, users = load_accounts(session=session, seeds_dir=seeds_dir, report=report)
        for loader in (load_challenges, load_bids, load_reviews, load_contracts, load_subsidies):
            loader(session=session, seeds_dir=seeds_dir, orgs=orgs, users=users, report=report)
        search_index.rebuild_in(session)
        audit.record(session=session, actor=SYSTEM, action="demo.loaded", subject_type="system",
                     subject_id="demo", summary={"created": report.created})
    return report
