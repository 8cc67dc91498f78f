"""The console's menu in Chromium with scripts off: one row at 1280 px in both languages,
and a group's other pages open from its ▾ and are reached by a click."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ADMIN, Live

pytestmark = pytest.mark.slow  # a real server, a worker process and the browser


def _rows(page) -> int:  # type: ignore[no-untyped-def]
    tops = page.eval_on_selector_all(
        "nav.main > ul > li", "items => items.map(li => Math.round(li.getBoundingClientRect().top))"
    )
    return len(set(tops))


def test_the_menu_is_one_row_at_1280_px_and_works_without_javascript(browser, live: Live):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live.base_url}/staff/login")
        page.fill("#username", ADMIN[0])
        page.fill("#password", ADMIN[1])
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_contain_text("今日概况")
        assert _rows(page) == 1  # every entry of an admin's menu on one row
        assert page.locator("nav.main").bounding_box()["height"] < 60

        past = page.locator("nav.main a", has_text="往期团购")
        expect(past).to_be_hidden()
        page.click("nav.main li.group:has(> a:text('账目')) summary")
        expect(past).to_be_visible()
        past.click()
        expect(page.locator("h1")).to_contain_text("往期团购")
        expect(page.locator("nav.main a.here").first).to_have_text("账目")

        page.goto(f"{live.base_url}/staff/?lang=en")
        assert _rows(page) == 1
    finally:
        context.close()
