"""The per-process search index over matching/, kept fresh across workers.

Every worker holds the index in memory. The database stores its version: a change made here
updates this worker's index at once and bumps the version in the caller's transaction; a worker
that sees another version rebuilds (from the saved file when it matches, else from the rows).
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from marketplace.accounts.documents import expert_text, team_text
from marketplace.accounts.models import ExpertProfile, TeamProfile
from marketplace.challenges import permissions as challenge_permissions
from marketplace.challenges.documents import challenge_text
from marketplace.challenges.models import Challenge
from marketplace.config import get_settings
from marketplace.db import atomic
from marketplace.search.models import IndexState
from matching import IndexCorrupt, SearchIndex

log = logging.getLogger("jiebang.search")
INDEX_NAME = "main"
SALT = 1 << 20
LOCK = threading.RLock()


@dataclass
class _Local:
    index: SearchIndex | None = None
    version: int | None = None
    # While a change made here waits for its transaction to commit, other transactions still read the
    # version it replaced: `base`. The index serves both (no rebuild on every read in that window).
    base: int | None = None


_locals: dict[str, _Local] = {}  # one index per database (tests use several)


def _db_key(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


database_key = _db_key  # which database an in-process cache entry belongs to (tests use several)


def _local_for(session: Session) -> _Local:
    return _locals.setdefault(_db_key(session), _Local())


# ---------------------------------------------------------------- documents
def _documents(session: Session) -> list[tuple[str, str]]:
    docs: list[tuple[str, str]] = []
    for c in session.exec(select(Challenge)).all():
        if challenge_permissions.is_public(c):
            docs.append((f"challenge:{c.id}", challenge_text(c)))
    docs += [(f"team:{t.id}", team_text(t)) for t in session.exec(select(TeamProfile)).all()]
    docs += [(f"expert:{e.id}", expert_text(e)) for e in session.exec(select(ExpertProfile)).all()]
    return docs


# ---------------------------------------------------------------- freshness
def _stored_version(session: Session) -> int | None:
    row = session.get(IndexState, INDEX_NAME)
    return row.version if row else None


def _index_path() -> Path:
    path = get_settings().index_dir
    path.mkdir(parents=True, exist_ok=True)
    return path / f"{INDEX_NAME}.idx"


def _fingerprint_for(version: int, session: Session) -> str:
    return f"{_db_key(session)}#v{version}"


def index(session: Session) -> SearchIndex:
    """This worker's index, rebuilt if another worker (or a restart) moved the stored version."""
    version = _stored_version(session)
    with LOCK:
        _local = _local_for(session)
        if _local.index is not None and (version == _local.version or (version is not None and version == _local.base)):
            return _local.index
        wanted = _fingerprint_for(version, session)
        try:
            if version is None:  # nothing was ever versioned: build from the rows, trust no file
                raise IndexCorrupt("no stored version")
            idx = SearchIndex.load(_index_path(), fingerprint=wanted)
        except IndexCorrupt:
            idx = SearchIndex().fit(_documents(session) or [("empty:0", "")])
            idx.set_fingerprint(wanted)
            if version is not None:
                _save(idx)
        _local.index, _local.version, _local.base = idx, version, None
        return idx


def _save(idx: SearchIndex) -> None:
    try:
        idx.save(_index_path())
    except OSError:
        log.warning("could not save the search index to disk")


def rebuild_in(session: Session) -> None:
    """Mark the index for a full rebuild inside the caller's transaction (every worker rebuilds)."""
    with LOCK:
        _local = _local_for(session)
        _local.index, _local.version, _local.base = None, None, None
        _bump(session)


def rebuild(session: Session) -> int:
    """Full rebuild now (refreshes the statistics); returns the number of documents. Commits."""
    with atomic(session):
        rebuild_in(session)
    return len(index(session))


def _bump(session: Session) -> int:
    """Move the stored version (inside the caller's transaction); returns the new version."""
    if session.get(IndexState, INDEX_NAME) is None:
        session.add(IndexState(name=INDEX_NAME, version=0))
        session.flush()
    session.execute(text("UPDATE indexstate SET version = (version / :s + 1) * :s + :salt WHERE name = :n"),
                    {"n": INDEX_NAME, "s": SALT, "salt": secrets.randbelow(SALT)})
    return session.exec(select(IndexState.version).where(IndexState.name == INDEX_NAME)).one()


def _changed(session: Session, doc_id: str, body: str | None) -> None:
    with LOCK:
        idx = index(session)
        _local = _local_for(session)
        previous = _local.version
        new_version = _bump(session)
        if body is None:
            if doc_id in idx:
                idx.remove(doc_id)
        elif doc_id in idx:
            idx.update(doc_id, body)
        else:
            idx.add(doc_id, body)
        # Only current if nobody else moved the version in between; else rebuild on next use.
        current = previous is not None and previous // SALT == new_version // SALT - 1
        _local.version = new_version if current else None
        if _local.base is None:  # the committed version under this transaction's first change
            _local.base = previous if current else None
        idx.set_fingerprint(_fingerprint_for(new_version, session))
        session.info.setdefault(_PENDING, set()).add(_db_key(session))


_PENDING = "search_index_changes"


@event.listens_for(OrmSession, "after_commit")
def _committed(session: OrmSession) -> None:
    """The change is everyone's now: the version it replaced is no longer served."""
    for key in session.info.pop(_PENDING, ()):
        with LOCK:
            _locals.setdefault(key, _Local()).base = None


@event.listens_for(OrmSession, "after_rollback")
def _rolled_back(session: OrmSession) -> None:
    """The index holds a change the database never got: rebuild it on next use."""
    for key in session.info.pop(_PENDING, ()):
        with LOCK:
            _locals[key] = _Local()


def document_changed(*, session: Session, kind: str, doc_id: int, text: str | None) -> None:
    """The domain's notification (marketplace/documents.py): index, re-index or drop one document."""
    _changed(session, f"{kind}:{doc_id}", text)


# The search box returns a document only when it contains this share of the query's units
# (character pairs, whole Latin terms): "量子" no longer finds every text with 量 or 子.
SEARCH_MIN_SHOULD_MATCH = 0.75


def matching_ids(*, session: Session, kind: str, query: str, k: int = 500) -> list[int]:
    """Ids of the documents of a kind by relevance to a query (Traditional script welcome)."""
    with LOCK:
        idx = index(session)
        prefix = f"{kind}:"
        share = SEARCH_MIN_SHOULD_MATCH if kind == "challenge" else 0.0
        hits = idx.search(query, k=k, allowed=idx.doc_ids(prefix), min_should_match=share)
        return [int(h.doc_id.split(":", 1)[1]) for h in hits if h.doc_id.startswith(prefix)]
