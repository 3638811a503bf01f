"""Real-browser tests: Playwright's sync API driving Debian's chromium against live_server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kefu.cases.reference_data import ensure_reference_data

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        default=False,
        help="save PNGs of the main pages to docs/screenshots/",
    )


@pytest.fixture(autouse=True)
def _tasks_inline() -> Iterator[None]:
    """The browser flows run the worker's tasks inline also when the suite runs on Redis
    (magic links, imports, replies by email): the live server has no consumer beside it.
    The worker itself is tested for real in the `worker` tests."""
    from huey.contrib.djhuey import HUEY

    saved = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = saved


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make system-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # for their setup are still plain synchronous calls, so Django's guard is lifted meanwhile.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    # Transactional tests flush every table, including the rows migrations shipped.
    ensure_reference_data()


@pytest.fixture
def new_page(browser, live_server):  # type: ignore[no-untyped-def]
    """Open a fresh browser context (its own cookies) with a Chinese browser language."""
    contexts = []

    def make(locale: str = "zh-CN", width: int = 1366, height: int = 900):  # type: ignore[no-untyped-def]
        context = browser.new_context(
            locale=locale, viewport={"width": width, "height": height}, base_url=live_server.url
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, username: str, password: str = "kefu-test") -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/queues/mine/")
