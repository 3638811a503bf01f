"""`make screenshots`: PNGs of the main pages, in Chinese and in English, for README.md."""

from __future__ import annotations

import pytest

from tests.e2e import scenario
from tests.e2e.conftest import SCREENSHOT_DIR, sign_in

pytestmark = [pytest.mark.e2e]

LANGUAGES = {"zh": "zh-CN", "en": "en-US"}


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_screenshots_of_the_main_pages(request, reference_data, new_page, lang) -> None:  # type: ignore[no-untyped-def]
    if not request.config.getoption("--screenshots", default=False):
        pytest.skip("only with --screenshots (make screenshots)")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    world = scenario.build()
    complaint = world.cases[1]

    page = new_page(locale=LANGUAGES[lang])
    sign_in(page, world.org.agent.username)
    page.goto("/queues/team/")
    page.screenshot(path=SCREENSHOT_DIR / f"queue-{lang}.png", full_page=True)
    page.goto(f"/cases/{complaint.number}/")
    page.screenshot(path=SCREENSHOT_DIR / f"case-{lang}.png", full_page=True)
    page.goto("/cases/new/")
    page.fill("#customer-q", "138001")
    page.wait_for_selector(".pick-list .pick")
    page.screenshot(path=SCREENSHOT_DIR / f"new-case-{lang}.png", full_page=True)

    board = new_page(locale=LANGUAGES[lang])
    sign_in(board, world.org.supervisor.username)
    board.goto("/board/")
    board.screenshot(path=SCREENSHOT_DIR / f"board-{lang}.png", full_page=True)
