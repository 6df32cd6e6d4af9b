"""查重 is kept per challenge while the compared bids are unchanged (issue 8): a view does not refit the index,
and any change to one of those bids (its text with its time stamp, its status) or a newly opened bid shows
on the next view. Nothing is written on GET (tests/web/test_get_never_writes.py covers the page)."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from marketplace.bids.models import Bid
from marketplace.clock import utcnow
from marketplace.config import get_settings
from marketplace.reviews import similarity
from tests import factories as f
from tests.reviews.test_similarity import COPY, ORIGINAL, _world

# A third text, like neither of the others.
FRESH = ("构建基于数字孪生的轨道交通制动系统健康管理平台，融合车载传感器数据与维修履历，"
         "训练剩余寿命预测模型并在三条线路开展为期一年的示范运行，形成可推广的运维规范。")


@pytest.fixture
def cached(monkeypatch):
    monkeypatch.setattr(get_settings(), "page_cache_seconds", 600.0)
    similarity._RESULTS.clear()  # noqa: SLF001
    yield
    similarity._RESULTS.clear()  # noqa: SLF001


def pairs(session, scene):
    flags = similarity.check(session=session, actor=f.actor(session, scene.officer), challenge_id=scene.challenge.id)
    return [(fl.bid_id, fl.other_bid_id) for fl in flags]


def rewrite(session, bid, text, *, stamp: bool):
    values = {"technical_route": text, **({"updated_at": utcnow() + timedelta(seconds=1)} if stamp else {})}
    session.exec(update(Bid).where(Bid.id == bid.id).values(**values))
    session.commit()
    session.expire_all()  # as the next request's fresh session would read them


def test_a_view_reuses_the_result_until_a_bid_changes(session, cached):
    scene, original, copy, other = _world(session)
    assert pairs(session, scene) == [(copy.id, original.id)]
    rewrite(session, copy, FRESH, stamp=False)  # behind the platform's back: no stamp moved
    assert pairs(session, scene) == [(copy.id, original.id)]  # so the kept result is shown
    rewrite(session, copy, FRESH, stamp=True)  # as every command does: the change shows at once
    assert pairs(session, scene) == []
    rewrite(session, other, COPY, stamp=True)
    assert pairs(session, scene) == [(other.id, original.id)]


def test_a_status_change_and_a_newly_opened_bid_show(session, cached):
    scene, original, copy, _other = _world(session)
    assert pairs(session, scene) == [(copy.id, original.id)]
    session.exec(update(Bid).where(Bid.id == original.id).values(status="withdrawn"))  # no longer opened
    session.commit()
    session.expire_all()
    assert pairs(session, scene) == []
    # Another earlier bid with the same text opens (its challenge closed long ago): it is compared now.
    earlier = f.challenge(session, status="awarded", deadline_days=-30, title="另一个早先的榜单")
    again = f.bid(session, challenge=earlier, status="qualified", technical_route=ORIGINAL)
    again.submitted_at = utcnow() - timedelta(days=40)
    session.commit()
    assert pairs(session, scene) == [(copy.id, again.id)]

