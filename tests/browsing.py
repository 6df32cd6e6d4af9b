"""What every browser test shares: Debian Chromium through Playwright, a live demo site per test module,
and logging in as a demo account the way a person does (the login form).

Use it as::

    from tests.browsing import BROWSER_MARKS, demo_site, log_in
    pytestmark = BROWSER_MARKS
    base_url = demo_site("review-walk")          # a module-scoped fixture: (base URL, engine)

The `browser` fixture itself lives in tests/conftest.py (one Chromium per test module).
"""

import os
import shutil

import pytest

from marketplace import db
from tests.servers import prepare_demo_database, uvicorn_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "jiebang-demo-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BROWSER_MARKS = [pytest.mark.browser, pytest.mark.slow,
                 pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")]


def demo_site(name: str):
    """A module-scoped fixture serving a fresh copy of the demo data; it yields a `Site` (base URL, engine)."""

    @pytest.fixture(scope="module")
    def site(tmp_path_factory):
        folder = tmp_path_factory.mktemp(name)
        url = f"sqlite:///{folder / 'site.db'}"
        prepare_demo_database(url)
        engine = db.make_engine(url)
        with uvicorn_server(url, folder) as base:
            yield Site(base, engine, url)
        engine.dispose()

    return site


class Site:
    """A running demo site: its base URL, an engine on its database (to read what a user would read in
    their own inbox) and the database URL."""

    def __init__(self, base: str, engine, url: str) -> None:
        self.base, self.engine, self.url = base, engine, url

    def read(self, fn):
        with db.new_session(self.engine) as session:
            return fn(session)


def open_page(browser, base: str, *, viewport=None, javascript: bool = True, trap_dialogs: bool = True, **context):
    """A new anonymous page in its own context (cookies of its own); `context` goes to Playwright
    (`is_mobile`, `has_touch`, ...)."""
    context = browser.new_context(base_url=base, locale="zh-CN", viewport=viewport or DESKTOP,
                                  java_script_enabled=javascript, **context)
    page = context.new_page()
    if trap_dialogs:  # an alert() means a script ran that nobody wrote
        page.on("dialog", lambda d: pytest.fail(f"a script ran: {d.message}"))
    return page


def log_in(browser, base: str, account: str, *, viewport=None, javascript: bool = True, trap_dialogs: bool = True,
           **context):
    """A page logged in as a demo account through the login form, standing on its /dashboard."""
    page = open_page(browser, base, viewport=viewport, javascript=javascript, trap_dialogs=trap_dialogs, **context)
    page.goto("/login")
    page.fill("#f-account", account)
    page.fill("#f-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/dashboard")
    return page
