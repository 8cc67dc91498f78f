"""The savings page and its printable month in a browser: the plot drawn with no script,
each deal's market price with its evidence, and the committee's notice on A4.

Saves docs/screenshots/savings.png (with MIANHUA_PUBLISH_SCREENSHOTS=1) for the README.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import update

from core.orders.models import Channel, Order
from core.orders.services import place_order
from core.prices.membership import add_survey_member
from core.prices.services import PriceSeen, record_price_by_text
from tests.e2e.conftest import ADMIN, Live, screenshot

# product, deal title, unit, our price, surveyed prices (北国超市, 菜市场) in fen
DEALS = [
    ("梨", "赵县雪花梨", "箱", 3500, (6200, 5500)),
    ("小米", "井陉小米5斤", "袋", 2800, (4200, 3800)),
    ("花生油", "鲁花花生油5L", "桶", 9900, (13900, 12900)),
]


def _a_month_of_buying(live: Live) -> None:
    world = live.world
    surveyor = world.resident("李秀英", phone="+8613800138002")
    with world.core.db.transaction() as session:
        add_survey_member(session, community_id=world.community_id, resident_id=surveyor.id)
    buyers = [world.resident(name) for name in ("王芳", "张伟", "刘桂兰", "陈建国")]
    for product, title, unit, price, surveyed in DEALS:
        deal = world.deal(title, unit=unit, price_fen=price, market_price_fen=None)
        for place, fen in zip(("北国超市", "裕华路菜市场"), surveyed, strict=True):
            for days_ago in (1, 8, 15):
                record_price_by_text(
                    world.core, community_id=world.community_id, phone=surveyor.phone,
                    seen=PriceSeen(product, place, fen + 50 * days_ago,
                                   observed_on=world.local(-days_ago, 10).date()),
                    key=f"{title}{place}{days_ago}",
                )  # fmt: skip
        for index, buyer in enumerate(buyers):
            place_order(
                world.core, community_id=world.community_id, phone=buyer.phone,
                deal_number=deal.number, quantity=index % 2 + 1, channel=Channel.SMS,
            )  # fmt: skip
    # Earlier months' buys, so the plot has a history: the first buyers' orders, moved back.
    with world.core.db.transaction() as session:
        for back, order_id in ((62, 1), (31, 2), (31, 5)):
            moved = world.clock() - timedelta(days=back)
            session.execute(update(Order).where(Order.id == order_id).values(created_at=moved))


def test_the_savings_page_and_the_printed_month(page: Page, live: Live) -> None:
    _a_month_of_buying(live)
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(f"{live.base_url}/staff/login")
    page.fill("#username", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("今日概况")
    expect(page.locator("#savings-plot rect")).to_have_count(6)

    page.click("text=价格与节省")
    expect(page.locator("h1")).to_contain_text("居民节省")
    expect(page.locator("#month-saved")).to_have_text(re.compile(r"\d+(\.\d+)?元"))
    expect(page.locator("#deal-savings")).to_contain_text("北国超市")
    expect(page.locator("#deal-savings")).to_contain_text("近30天6条调查价格的中位数")
    screenshot(page, "savings", publish=True)

    page.click("text=打印本月公示")
    expect(page.locator("#headline")).to_contain_text("居民本月共节省")
    page.emulate_media(media="print")
    screenshot(page, "savings-print")
    assert page.pdf(format="A4").startswith(b"%PDF")
    assert refused == []
