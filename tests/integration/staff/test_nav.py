"""The console's menu: every page one click from the bar or its group, the group of the
page shown marked, the admin's pages for admins only, and no script needed."""

from __future__ import annotations

import re


def _nav(page: str) -> str:
    return page[page.index('<nav class="main"') : page.index("</nav>")]


def _bar(nav: str) -> list[str]:
    """The top-level entries, as the bar shows them."""
    top = re.sub(r'<details class="more">.*?</details>', "", nav, flags=re.S)
    return [re.sub(r"<[^>]+>", "", a).strip() for a in re.findall(r"<a [^>]*>.*?</a>", top)]


def test_the_bar_holds_the_daily_pages_and_groups_the_rest(admin):
    nav = _nav(admin.page("/staff/"))
    assert _bar(nav) == [
        "首页",
        "求助",
        "团购",
        "取货台",
        "居民",
        "短信",
        "价格与节省",
        "账目",
        "居民团队",
        "管理",
    ]
    assert "<script" not in nav and nav.count('<details class="more">') == 4
    for path in (
        "/staff/messages",
        "/staff/templates",
        "/staff/books/cash-count",
        "/staff/history",
        "/staff/suppliers",
        "/staff/books/suppliers",
        "/staff/teams",
        "/staff/announcements",
        "/staff/accounts",
        "/staff/audit",
        "/staff/settings",
    ):
        assert f'href="{path}"' in nav, path
    assert 'title="Desk"' in nav  # the English as the bar's tooltip


def test_the_group_of_the_page_shown_is_marked(staff):
    nav = _nav(staff.page("/staff/history"))
    assert re.search(r'<a href="/staff/books/cash-count" class="here"[^>]*>账目', nav)
    assert re.search(r'<a href="/staff/history" class="here">往期团购', nav)
    assert "管理" not in _bar(nav)  # a staff member has no admin pages


def test_the_english_bar_is_english_only(staff):
    nav = _nav(staff.page("/staff/?lang=en"))
    assert _bar(nav)[:4] == ["Home", "Help", "Deals", "Desk"]
