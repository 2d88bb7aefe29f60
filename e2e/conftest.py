"""Browser tests: Playwright (Python) driving Debian's /usr/bin/chromium against
pytest-django's live server. Every test here is marked ``e2e``."""

from __future__ import annotations

import contextlib
import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made
# by fixtures there are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The page walk photographs every page on SQLite only, to keep the PostgreSQL run
# short; there it is not collected at all.
if os.environ.get("YICHUANG_DATABASE_URL", "").startswith("postgres"):
    collect_ignore = ["test_screens.py"]

CHROMIUM = os.environ.get("YICHUANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


# What the browser refused under the site's Content-Security-Policy, in any page
# of any context the tests open; a test whose pages break the policy fails.
CSP_VIOLATIONS: list[str] = []


def _watch(target) -> None:
    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            CSP_VIOLATIONS.append(message.text)

    target.on("console", on_console)


class WatchedBrowser:
    """The browser, with every context and page it opens watched for CSP
    refusals, and closed when the test ends (a page left open, such as a rating
    pad polling its state, would keep calling the live server after its test)."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.opened: list = []
        self.lasting: list = []

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        _watch(context)
        self.opened.append(context)
        return context

    def new_page(self, **kwargs):
        page = self._browser.new_page(**kwargs)
        _watch(page)
        self.opened.append(page.context)
        return page

    def new_lasting_context(self, **kwargs):
        """A watched context kept across tests; whoever opens one closes it
        with ``close_lasting``."""
        context = self._browser.new_context(**kwargs)
        _watch(context)
        self.lasting.append(context)
        return context

    def close_lasting(self) -> None:
        while self.lasting:
            with contextlib.suppress(Exception):
                self.lasting.pop().close()

    def close_opened(self) -> None:
        while self.opened:
            with contextlib.suppress(Exception):  # already closed by the test
                self.opened.pop().close()

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield WatchedBrowser(browser)
        browser.close()


@pytest.fixture(autouse=True)
def _pages_keep_the_csp(request):
    CSP_VIOLATIONS.clear()
    yield
    if "browser" in request.fixturenames:
        request.getfixturevalue("browser").close_opened()
    assert CSP_VIOLATIONS == [], "the page broke the Content-Security-Policy"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def live_county(transactional_db, live_server):
    """The demo organisation in the live server's database, with personas."""
    from tests.conftest import PASSWORD, ensure_county

    ensure_county()
    return live_server, PASSWORD
