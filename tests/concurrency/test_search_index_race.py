"""Every read and change of the shared in-memory search index holds the index lock (issue 8, `make load`).

Under 100 clients a publication grew the index (PostingLists.add extends the per-term buffers) while
a search held views of the same buffers (np.frombuffer in PostingLists.scores): BufferError, a 500 on
SQLite. The fix runs searches and changes under `search.index.LOCK`. A thread race is too rare to
catch in a test, so this checks the rule itself: each call into the index's search, add, update or
remove must come from a thread that holds the lock.
"""

from __future__ import annotations

import pytest

from marketplace import documents
from marketplace.search import index as search_index
from marketplace.search import recommend
from matching import SearchIndex
from tests import factories as f

TEXT = "车规级碳化硅功率模块低热阻封装与可靠性验证，焊料层热阻与功率循环寿命"


@pytest.fixture
def calls(monkeypatch):
    """Wrap the index's methods: record each call and whether this thread held the lock."""
    seen: list[tuple[str, bool]] = []
    for name in ("search", "add", "update", "remove"):
        original = getattr(SearchIndex, name)

        def wrapped(self, *args, _original=original, _name=name, **kwargs):
            seen.append((_name, search_index.LOCK._is_owned()))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(SearchIndex, name, wrapped)
    return seen


def test_searches_and_changes_of_the_index_hold_its_lock(session, calls):
    company = f.user(session)
    team = f.team(session, profile=TEXT)
    documents.document_changed(session=session, kind="challenge", doc_id=1, text=TEXT)
    documents.document_changed(session=session, kind="challenge", doc_id=1, text=TEXT + "更新")
    documents.document_changed(session=session, kind="challenge", doc_id=2, text=TEXT)
    documents.document_changed(session=session, kind="challenge", doc_id=2, text=None)
    documents.matching_ids(session=session, kind="challenge", query="碳化硅功率模块")
    recommend.search_challenge_ids(session=session, query="碳化硅功率模块")
    recommend.search_teams(session=session, query="碳化硅")
    challenge = f.challenge(session, company=company, background=TEXT)
    recommend.teams_for_challenge(session=session, challenge=challenge, k=3)
    recommend.challenges_for_team(session=session, team=team, k=3)
    kinds = {name for name, _ in calls}
    assert {"search", "add", "remove"} <= kinds, calls
    assert [c for c in calls if not c[1]] == []
