"""A change of the search index waits for its transaction: readers meanwhile are served, not rebuilt.

`make load` (100 clients mixing publications and searches) spent a third of the server's time rebuilding
the whole index: a publication bumps the stored index version inside its transaction, and until it
committed every other request read the old version, found its in-memory index "newer" and rebuilt it
from all rows. Now the in-memory index serves the version its pending change replaced; a rollback drops
the change (rebuild on next use), a commit makes it everyone's.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from marketplace import db, documents
from marketplace.search import index as search_index
from matching import SearchIndex

TEXT = "钙钛矿叠层组件湿热老化与封装失效分析（索引待提交测试）"


@pytest.fixture
def fits(monkeypatch):
    """Count the times a worker's index is replaced: built from the rows or read from its file."""
    calls = []
    fit, load = SearchIndex.fit, SearchIndex.load.__func__

    def counted_fit(self, *args, **kwargs):
        calls.append("fit")
        return fit(self, *args, **kwargs)

    def counted_load(cls, *args, **kwargs):
        calls.append("load")
        return load(cls, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "fit", counted_fit)
    monkeypatch.setattr(SearchIndex, "load", classmethod(counted_load))
    return calls


@pytest.fixture
def versioned(engine):
    """The shared database's index gets a committed version for this test only: other tests build
    their index from their own rows, which they can do only while no version is stored."""
    with db.new_session(engine) as setup:
        search_index.rebuild(setup)
    yield
    with db.new_session(engine) as cleanup:
        cleanup.execute(text("DELETE FROM indexstate"))
        cleanup.commit()
    search_index._locals.clear()


def _found(session, doc_id: int) -> bool:
    return doc_id in documents.matching_ids(session=session, kind="challenge", query="钙钛矿叠层组件湿热老化")


@pytest.mark.parametrize("outcome", ["rollback", "commit"])
def test_readers_are_served_while_a_change_waits_and_a_rollback_drops_it(engine, versioned, fits, outcome):
    doc_id = 990_001 if outcome == "rollback" else 990_002
    with db.new_session(engine, write=False) as reader:
        search_index.index(reader)  # warm: this worker's index is current
        reader.rollback()
        built = len(fits)
        with db.new_session(engine) as writer:
            documents.document_changed(session=writer, kind="challenge", doc_id=doc_id, text=TEXT)
            writer.flush()
            # another request, its own transaction, while the change is not committed yet
            assert search_index.index(reader) is search_index.index(writer)
            reader.rollback()
            assert len(fits) == built, "a reader rebuilt the index while a change waited to commit"
            if outcome == "rollback":
                writer.rollback()
            else:
                writer.commit()
        if outcome == "rollback":
            assert not _found(reader, doc_id)  # the index forgot the change the database never got
            assert len(fits) == built + 1  # replaced once
        else:
            assert _found(reader, doc_id)
            assert len(fits) == built
