"""Browser fixtures: one headless Chromium per run (Debian's, at /usr/bin/chromium), a fresh context per test.

Browser journeys run on SQLite only: `database_url` is overridden here without the PostgreSQL
parameter, so these tests run once and never create a PostgreSQL database. What the pages do on
PostgreSQL is covered by the API and integration tests, which run on both backends.

When Chromium is missing the tests are skipped with a clear message, unless
AFTERCARE_REQUIRE_BROWSER=1 (CI), in which case they fail.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.db import make_session_factory
from core.migrate import upgrade

CHROMIUM = os.environ.get("AFTERCARE_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("AFTERCARE_REQUIRE_BROWSER") == "1"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
SCREENSHOT_ATTEMPTS = 3
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Overrides the two-backend fixture of tests/conftest.py: browser journeys use SQLite only."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'aftercare.db'}"
    upgrade(url)
    return url


def _unavailable(message: str):
    if REQUIRE_BROWSER:
        pytest.fail(message.replace("skipped", "REQUIRED but unavailable"), pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("browser tests skipped: the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        except Exception as error:  # noqa: BLE001 - any launch failure means "no usable browser here"
            _unavailable(f"browser tests skipped: Chromium at {CHROMIUM} did not start ({error})")
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """Factory for browser contexts (closed after the test): new_context(locale="zh-CN", **PHONE)."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "en-US")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone_page(new_context):
    """A page in an English phone-sized browser (390x844, touch)."""
    return new_context(**PHONE).new_page()


@pytest.fixture
def screenshot():
    """screenshot(page, "name.png"): saves a full-page screenshot to out/screenshots/."""
    from playwright.sync_api import Error as PlaywrightError

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / name
        for attempt in range(SCREENSHOT_ATTEMPTS):
            try:
                page.screenshot(path=str(path), full_page=True)
                return path
            except PlaywrightError as error:
                # Headless Chromium now and then has no frame to give a full-page capture on a loaded
                # machine ("Unable to capture screenshot"); the page itself is fine, so ask again.
                if "Unable to capture screenshot" not in str(error) or attempt == SCREENSHOT_ATTEMPTS - 1:
                    raise
                page.wait_for_timeout(250)
        return path

    return take


@pytest.fixture
def fresh_session(engine):
    """fresh_session() opens a new session, to be used as a context manager, so reads see what the live
    server committed. Close it before the browser writes again: on SQLite every transaction takes the
    write lock (BEGIN IMMEDIATE, see core/db.py), so an open session stalls the server's next write."""
    factory = make_session_factory(engine)
    return factory
