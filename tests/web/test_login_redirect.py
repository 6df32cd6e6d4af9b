"""After login a user goes to a page of this site only: known open-redirect bypasses all land on '/'."""

import pytest

from marketplace.actor import Role
from marketplace.web.redirect_target import same_site_path
from tests import factories as f

BYPASSES = [
    "//evil.example", "///evil.example", "////evil.example/", "/\\evil.example", "\\\\evil.example",
    "\\/evil.example", "/\\/evil.example", "/\t/evil.example/", "/\n/evil.example/", "/\r\n/evil.example",
    "/\r/evil.example", "/ /evil.example", "/\u3000/evil.example", "/\u00a0/evil.example",
    "/\u202e/elpmaxe.live", "/\u200b/evil.example", "/\x00/evil.example", "/\x7f/evil.example",
    "/%09/evil.example/", "/%0A/evil.example/", "/%0d%0a/evil.example", "/%2F/evil.example",
    "/%2f%2fevil.example", "/%5Cevil.example", "/%5C%5Cevil.example", "/%252F/evil.example",
    "/%25252F%25252F/evil.example", "/%E2%80%AE/evil", "/%ff/evil", "http://evil.example",
    "https:evil.example", "https:/evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    "data:text/html,x", "evil.example", "@evil.example", " /dashboard", "/dashboard ", "",
    "/" + "a" * 3000,
]

ALLOWED = [
    ("/dashboard", "/dashboard"), ("/challenges/3?tab=bids#qa", "/challenges/3?tab=bids#qa"),
    ("/challenges?q=%E6%B5%8B%E8%AF%95", "/challenges?q=%E6%B5%8B%E8%AF%95"),
    ("/challenges?q=测试", "/challenges?q=%E6%B5%8B%E8%AF%95"), ("/@me", "/@me"), ("/", "/"),
]


@pytest.mark.parametrize("target", BYPASSES)
def test_a_target_that_could_leave_the_site_becomes_the_home_page(target):
    assert same_site_path(target) == "/"


@pytest.mark.parametrize(("target", "expected"), ALLOWED)
def test_a_path_on_this_site_is_kept_as_ascii(target, expected):
    assert same_site_path(target) == expected


@pytest.mark.parametrize("query", ["/%09/evil.example/", "/%0A/evil.example/", "//evil.example", "/%5Cevil"])
def test_the_login_page_never_carries_a_foreign_target(client, query):
    page = client.get(f"/login?next={query}")
    assert page.status_code == 200
    assert 'name="next" value="/"' in page.text


@pytest.mark.parametrize("target", ["/\t/evil.example/", "/\n/evil.example/", "/%09/evil.example/", "//evil.example"])
def test_login_redirects_to_the_home_page_instead_of_another_site(client, session, target):
    user = f.user(session, role=Role.COMPANY)
    response = client.post("/login", data={"csrf_token": f.csrf(client), "account": user.email,
                                           "password": f.PASSWORD, "next": target}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_login_goes_on_to_the_requested_page(client, session):
    user = f.user(session, role=Role.COMPANY)
    response = client.post("/login", data={"csrf_token": f.csrf(client), "account": user.email,
                                           "password": f.PASSWORD, "next": "/challenges/mine?x=1"},
                           follow_redirects=False)
    assert response.headers["location"] == "/challenges/mine?x=1"
