"""The bureau dashboard's aggregates are reused while the audit chain's head is unchanged (issue 8 item 12)."""

import pytest

from marketplace.actor import Actor, Role
from marketplace.audit import service as audit
from marketplace.challenges.stats import StatsFilter
from marketplace.errors import Forbidden
from marketplace.reports import dashboard
from tests import factories as f

ALL = StatsFilter()


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch):
    monkeypatch.setattr(dashboard, "_CACHE", {})


def submitted(board) -> str:
    return dict(board.headline)["已提交榜单"]


def officer(session):
    u = f.user(session, role=Role.OFFICER)
    return Actor(u.id, Role.OFFICER, u.organisation_id)


def test_a_recorded_change_rebuilds_the_panels_and_nothing_else_does(session):
    actor = officer(session)
    f.challenge(session, status="submitted")
    first = dashboard.build(session=session, actor=actor, flt=ALL, cache_seconds=600)
    f.challenge(session, status="submitted")  # written without an audit event: the copy stays
    assert dashboard.build(session=session, actor=actor, flt=ALL, cache_seconds=600) is first
    assert int(submitted(dashboard.build(session=session, actor=actor, flt=ALL))) == int(submitted(first)) + 1
    audit.record(session=session, actor=actor, action="challenge.submit", subject_type="challenge", subject_id=1)
    again = dashboard.build(session=session, actor=actor, flt=ALL, cache_seconds=600)
    assert again is not first and int(submitted(again)) == int(submitted(first)) + 1


def test_other_filters_and_no_cache_are_built_afresh(session):
    actor = officer(session)
    first = dashboard.build(session=session, actor=actor, flt=ALL, cache_seconds=600)
    assert dashboard.build(session=session, actor=actor, flt=StatsFilter(industry="区块链"),
                           cache_seconds=600) is not first
    assert dashboard.build(session=session, actor=actor, flt=ALL) is not first


def test_a_cached_dashboard_is_still_refused_to_a_company(session):
    dashboard.build(session=session, actor=officer(session), flt=ALL, cache_seconds=600)
    company = f.user(session, role=Role.COMPANY)
    with pytest.raises(Forbidden):
        dashboard.build(session=session, actor=Actor(company.id, Role.COMPANY, company.organisation_id), flt=ALL,
                        cache_seconds=600)
