"""The anonymous public-page cache (web/pagecache.py, issue 8 item 12).

Two app instances on one committed database stand for two workers: a change made anywhere (here
through the service layer, as a third process would) must reach both at once, a logged-in visitor
must never see a stored page, and every visitor keeps their own CSRF token.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from marketplace import db, migrate
from marketplace.actor import Role
from marketplace.challenges import service
from marketplace.challenges.schemas import ChallengeIn, PublishIn, WithdrawIn
from marketplace.config import get_settings
from marketplace.web.pagecache import PLACEHOLDER
from tests import factories
from tests.conftest import BACKENDS, drop_pg_database, fresh_database_url

TITLE = "页面缓存测试碳化硅模块封装"


@pytest.fixture(params=BACKENDS)
def committed(request, tmp_path_factory):
    """A migrated database whose rows are really committed (no rolled-back outer transaction)."""
    url = fresh_database_url(request.param, tmp_path_factory)
    migrate.upgrade(url)
    engine = db.make_engine(url)
    yield engine
    engine.dispose()
    if request.param == "postgres":
        drop_pg_database(url)


def make_app(url):
    from marketplace.app import create_app

    settings = get_settings().model_copy(update={"page_cache_seconds": 600.0})
    return create_app(settings=settings, engine=db.make_engine(url))


@pytest.fixture
def world(committed):
    """(engine, company user, officer user, a published challenge's id, worker A, worker B)."""
    with Session(committed, expire_on_commit=False) as s:
        company = factories.user(s, role=Role.COMPANY)
        officer = factories.user(s, role=Role.OFFICER)
        s.commit()
        draft = service.create_draft(session=s, actor=factories.actor(s, company),
                                     data=ChallengeIn(**factories.challenge_data(title=TITLE)))
        service.submit(session=s, actor=factories.actor(s, company), challenge_id=draft.id)
        service.publish(session=s, actor=factories.actor(s, officer), challenge_id=draft.id, data=PublishIn())
        s.commit()
        cid = draft.id
    url = committed.url.render_as_string(hide_password=False)
    with TestClient(make_app(url)) as a, TestClient(make_app(url)) as b:
        yield committed, company, officer, cid, a, b


def rename_behind_the_platforms_back(engine, cid: int, title: str) -> None:
    """A change no audit event records: only a stored page can still show the old title."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE challenge SET title = :t WHERE id = :id"), {"t": title, "id": cid})


def test_a_public_page_is_served_from_memory_until_something_changes(world):
    engine, company, _officer, cid, a, b = world
    assert TITLE in a.get("/challenges").text and TITLE in a.get(f"/challenges/{cid}").text
    rename_behind_the_platforms_back(engine, cid, "改名后的标题")
    # Nothing recorded a change: worker A answers from memory; worker B has stored nothing yet.
    assert TITLE in a.get("/challenges").text
    assert TITLE in a.get(f"/challenges/{cid}").text
    assert "改名后的标题" in b.get("/challenges").text
    # Another query string is another page (rendered now, so it shows the new title).
    assert "改名后的标题" in a.get("/challenges?sort=newest").text


def test_a_withdrawal_reaches_every_worker_at_once(world):
    engine, company, _officer, cid, a, b = world
    for worker in (a, b):
        assert "badge-withdrawn" not in worker.get("/challenges").text
        assert "badge-withdrawn" not in worker.get(f"/challenges/{cid}").text
    with Session(engine, expire_on_commit=False) as s:  # a third process: the withdrawal
        service.withdraw(session=s, actor=factories.actor(s, company), challenge_id=cid,
                         data=WithdrawIn(reason="需求调整，暂不发布"))
        s.commit()
    for worker in (a, b):  # the hall and the page show it withdrawn (the hall keeps it, marked)
        assert "badge-withdrawn" in worker.get("/challenges").text
        assert "badge-withdrawn" in worker.get(f"/challenges/{cid}").text


def test_a_publication_reaches_a_worker_that_stored_the_hall(world):
    engine, company, officer, _cid, a, _b = world
    assert "第二个缓存榜单" not in a.get("/challenges").text
    with Session(engine, expire_on_commit=False) as s:
        c = service.create_draft(session=s, actor=factories.actor(s, company),
                                 data=ChallengeIn(**factories.challenge_data(title="第二个缓存榜单钙钛矿组件")))
        service.submit(session=s, actor=factories.actor(s, company), challenge_id=c.id)
        service.publish(session=s, actor=factories.actor(s, officer), challenge_id=c.id, data=PublishIn())
        s.commit()
    assert "第二个缓存榜单" in a.get("/challenges").text


def test_logged_in_pages_are_never_stored_nor_served_from_memory(world):
    engine, company, officer, cid, a, _b = world
    with Session(engine, expire_on_commit=False) as s:
        for u, name in ((company, "缓存企业用户"), (officer, "缓存科技局用户")):
            u.display_name = name
            s.add(u)
        s.commit()
        company_client = factories.login(TestClient(a.app), s, company)
        officer_client = factories.login(TestClient(a.app), s, officer)
    anonymous = a.get(f"/challenges/{cid}").text  # stored
    assert "缓存企业用户" not in anonymous
    mine = company_client.get(f"/challenges/{cid}").text
    assert "缓存企业用户" in mine and "缓存科技局用户" not in mine
    theirs = officer_client.get(f"/challenges/{cid}").text
    assert "缓存科技局用户" in theirs and "缓存企业用户" not in theirs
    rename_behind_the_platforms_back(engine, cid, "登录用户看到的新标题")
    assert "登录用户看到的新标题" in company_client.get(f"/challenges/{cid}").text  # rendered, not stored
    assert "登录用户看到的新标题" not in a.get(f"/challenges/{cid}").text  # the anonymous copy
    for page in (a.get("/challenges").text, a.get(f"/challenges/{cid}").text):
        assert "缓存企业用户" not in page and "缓存科技局用户" not in page


def test_every_visitor_gets_their_own_csrf_token(world):
    *_, cid, a, _b = world
    first = TestClient(a.app)
    page = first.get(f"/challenges/{cid}")
    token = first.cookies.get("jb_csrf")
    assert token and len(token) == 43 and token in page.text and PLACEHOLDER not in page.text
    second = TestClient(a.app)  # served from memory now
    again = second.get(f"/challenges/{cid}")
    other = second.get(f"/challenges/{cid}")  # with the cookie it was just given
    assert second.cookies.get("jb_csrf") not in ("", None, token)
    assert second.cookies.get("jb_csrf") in again.text and token not in again.text
    assert second.cookies.get("jb_csrf") in other.text and "set-cookie" not in other.headers
    assert PLACEHOLDER not in again.text + other.text
    # The security headers of the rendered page come with the stored copy.
    assert again.headers["content-security-policy"] == page.headers["content-security-policy"]
    assert again.headers["cache-control"] == "no-store"


def test_the_anonymous_api_list_is_stored_and_a_bearer_caller_always_gets_it_fresh(world):
    engine, company, _officer, cid, a, b = world
    assert a.get("/api/v1/challenges").json()["items"][0]["title"] == TITLE
    rename_behind_the_platforms_back(engine, cid, "接口改名后的标题")
    assert a.get("/api/v1/challenges").json()["items"][0]["title"] == TITLE  # from memory
    assert b.get("/api/v1/challenges").json()["items"][0]["title"] == "接口改名后的标题"
    r = a.post("/api/v1/auth/token", json={"account": company.email, "password": factories.PASSWORD})
    token = r.json()["token"]  # a script's token: its list is never stored nor served from memory
    fresh = a.get("/api/v1/challenges", headers={"Authorization": f"Bearer {token}"}).json()
    assert fresh["items"][0]["title"] == "接口改名后的标题"
    # A withdrawal (an audited change) reaches the stored anonymous list at once.
    with Session(engine, expire_on_commit=False) as s:
        service.withdraw(session=s, actor=factories.actor(s, company), challenge_id=cid,
                         data=WithdrawIn(reason="需求调整，暂不发布"))
        s.commit()
    assert a.get("/api/v1/challenges").json()["items"][0]["status"] == "withdrawn"
