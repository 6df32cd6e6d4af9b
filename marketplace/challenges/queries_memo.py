"""Counts over every challenge, kept while the data they count is unchanged (issue 8, item 12).

Counting the public challenges, or the open ones, reads an index entry (or a row) per challenge: 2–3 ms
of CPU at 10,000 challenges for the hall's and the API's total, ≈15 ms for the officer's "open for
bids" figure, which must read each row's deadline. The answer is the same for every request until a
challenge changes state, and every state change appends to the audit chain in its own transaction (in
any worker or process). So a count is kept with the chain's head (`audit.queries.content_version`, one
lookup on a unique index) and reused while the head is unchanged:

* at most `page_cache_seconds` (the public page cache's setting; 0, as in the tests, turns this off);
* and, for a count that depends on the clock (a deadline passing turns "published" into "closed"
  without any write), only until the next deadline it could cross — given by the caller — so the
  count is exact, not merely recent.

Keyed by the database too: one process may serve several (tests, the CLI).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session

from marketplace.audit.queries import content_version
from marketplace.clock import as_utc
from marketplace.config import get_settings

T = TypeVar("T")
MAX_ENTRIES = 512

_entries: OrderedDict[tuple, tuple[int, float, datetime | None, object]] = OrderedDict()
_lock = threading.Lock()


def remember(session: Session, key: tuple, now: datetime, compute: Callable[[], tuple[T, datetime | None]]) -> T:
    """`compute()` → (value, valid_until or None), reused at the same audit head before `valid_until`."""
    seconds = get_settings().page_cache_seconds
    if seconds <= 0:
        return compute()[0]
    full_key = (repr(session.get_bind().engine.url), *key)
    version = content_version(session)
    with _lock:
        hit = _entries.get(full_key)
        if hit is not None and hit[0] == version and time.monotonic() < hit[1] and (
                hit[2] is None or as_utc(now) < hit[2]):
            _entries.move_to_end(full_key)
            return hit[3]  # type: ignore[return-value]
    value, valid_until = compute()
    with _lock:
        _entries[full_key] = (version, time.monotonic() + seconds,
                              None if valid_until is None else as_utc(valid_until), value)
        _entries.move_to_end(full_key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every kept count (tests)."""
    with _lock:
        _entries.clear()
