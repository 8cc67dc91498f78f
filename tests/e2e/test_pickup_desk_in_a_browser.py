"""The pickup desk in a browser, on the office PC and on a phone: households found by
pickup code and by room, handed over in one tap with the way of paying, one undo.
The desk's screenshots are saved under tests/artifacts/e2e; the README's copy
(docs/screenshots/desk.png) is published by tests/e2e/test_a_deal_in_the_books.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from core.db import utcnow
from core.deals.models import Deal
from core.deals.services import close_deal
from core.orders.models import Order
from core.orders.services import place_order
from tests.e2e.conftest import Live, screenshot
from tests.e2e.test_group_buy_in_a_browser import log_in

pytestmark = pytest.mark.slow


def _pickup_under_way(live: Live) -> dict[str, str]:
    """Two deals gone ahead, their pickup started ten minutes ago; the residents' codes."""
    world = live.world
    pears = world.deal("赵县雪花梨", min_units=1)
    millet = world.deal("蔚县小米", min_units=1, price_fen=1250, unit="袋")
    people = {
        "王芳": world.resident("王芳", phone="+8613800138001", building="3", unit="2", room="401"),
        "李秀英": world.resident(
            "李秀英", phone="+8613800138002", building="1", unit="1", room="302"
        ),
    }
    for name, deal, quantity in (("王芳", pears, 2), ("王芳", millet, 1), ("李秀英", pears, 1)):
        place_order(
            world.core,
            community_id=world.community_id,
            phone=people[name].phone,
            deal_number=deal.number,
            quantity=quantity,
            channel="sms",
        )
    for deal in (pears, millet):
        close_deal(world.core, community_id=world.community_id, number=deal.number)
    started = utcnow() - timedelta(minutes=10)
    with world.core.db.transaction() as session:
        session.execute(
            update(Deal).values(pickup_start=started, pickup_end=started + timedelta(hours=3))
        )
        return {
            name: session.query(Order.pickup_code).filter_by(resident_id=person.id).first()[0]
            for name, person in people.items()
        }


def test_the_pickup_desk_in_the_rush(page: Page, live: Live) -> None:
    codes = _pickup_under_way(live)
    log_in(page, live)
    page.click("nav.main >> text=取货台")

    # 李秀英 says her code: one box of pears, 35 yuan, paid in cash.
    page.fill("input[name=q]", codes["李秀英"])
    page.click("button:has-text('查找')")
    household = page.locator(".desk-household")
    expect(household).to_have_count(1)
    expect(household.locator(".desk-amount strong")).to_have_text("35元")
    household.locator("button.desk-tap").click()
    expect(page.locator(".flash")).to_contain_text("李秀英已取货1单，收35元（现金）")

    # 王芳 gives her room: pears and millet in one tap, 82.5 yuan by WeChat.
    page.fill("input[name=q]", "三号楼二单元401")
    page.click("button:has-text('查找')")
    expect(page.locator(".desk-amount strong")).to_have_text("82.5元")
    screenshot(page, "desk-two-deals")
    page.check("input[name=method][value=wechat]")
    page.click("button.desk-tap")
    expect(page.locator(".flash")).to_contain_text("王芳已取货2单，收82.5元（微信）")

    # The millet was handed over by mistake: one undo, and it waits again.
    page.locator("tr", has_text="蔚县小米").locator("button:has-text('撤销取货')").click()
    expect(page.locator(".flash")).to_contain_text("收款已冲回")
    expect(page.locator(".desk-amount strong")).to_have_text("12.5元")

    # On a phone the same page, one household per card and a full-width button.
    phone = page.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{live.base_url}/staff/desk?q=3-2-401")
    expect(phone.locator("button.desk-tap")).to_be_visible()
    width = phone.locator("button.desk-tap").bounding_box()["width"]
    assert width > 300, width  # a thumb-sized target across the screen
    screenshot(phone, "desk-phone")
    phone.close()
