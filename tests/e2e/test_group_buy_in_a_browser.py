"""A whole group buy in a browser: the committee and two residents, one machine.

Staff log in, create and open a deal; one resident orders 3 by text in the simulator
and gets the confirmation; another orders by keypad; the dashboard bar moves; staff
print the pickup list on A4, send a bulk reminder and watch it finish; the simulator
shows the reminder. Screenshots of each key page are saved under tests/artifacts/e2e.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from core.deals.services import list_deals
from tests.e2e.conftest import ADMIN, ARTIFACTS, Live, screenshot


def log_in(page: Page, live: Live) -> None:
    page.goto(f"{live.base_url}/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login"))
    screenshot(page, "login")
    page.fill("#username", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("今日概况")


def create_and_open_a_deal(page: Page, live: Live) -> None:
    page.click("text=团购")
    page.click("text=新建团购")
    page.fill("#title_zh", "赵县雪花梨")
    page.fill("#title_en", "Snow pears")
    page.fill("#unit", "箱")
    page.fill("#price", "35")
    page.fill("#market_price", "58")
    page.fill("#min_units", "10")
    page.fill("#stock_cap", "80")
    page.fill("#limit", "5")
    page.fill("#supplier", "赵县梨园合作社")
    page.check("input[name=open_now]")
    screenshot(page, "deal-new")
    page.click("button:has-text('保存')")
    expect(page.locator(".flash")).to_contain_text("已建好1号团购：赵县雪花梨")
    expect(page.locator(".status.open")).to_be_visible()
    screenshot(page, "deal")


def dashboard_bar(page: Page, live: Live) -> str:
    page.goto(f"{live.base_url}/staff/")
    return page.locator("#deal-1 .bar-words").first.inner_text()


def a4_pages(pdf: bytes) -> tuple[float, float]:
    """The size in points of a PDF's pages (all the same here)."""
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes, "no pages in the PDF"
    return float(boxes[0][0]), float(boxes[0][1])


def pick(page: Page, name: str) -> None:
    option = page.locator("#resident option", has_text=name).first
    page.select_option("#resident", value=option.get_attribute("value"))


def test_a_group_buy_end_to_end(page: Page, live: Live) -> None:
    live.world.resident("王芳", phone="+8613800138001", building="3", unit="2", room="401")
    live.world.resident("李秀英", phone="+8613800138002", building="1", unit="1", room="302")
    # Under the Content-Security-Policy, nothing the pages need may be refused.
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    log_in(page, live)
    create_and_open_a_deal(page, live)
    assert "还差10箱成团" in dashboard_bar(page, live)

    # A resident texts an order in the simulator and reads the confirmation.
    page.goto(f"{live.base_url}/simulator/")
    pick(page, "王芳")
    page.fill("#sms-body", "订1号 3份")
    page.click("#sms-send")
    confirmation = page.locator(".bubble.out", has_text="已订1号赵县雪花梨3箱")
    expect(confirmation).to_have_attribute("data-status", "sent", timeout=20_000)
    expect(page.locator(".bubble.in", has_text="订1号 3份")).to_be_visible()

    # Another orders by keypad: deals (1), order (1), two boxes (2 #), confirm (1).
    pick(page, "李秀英")
    page.click("#call")
    expect(page.locator("#screen")).to_contain_text("李秀英您好")
    for key in ["1", "1", "2", "#", "1"]:
        expect(page.locator("#screen")).to_have_attribute("data-listening", "yes")
        page.click(f".key[data-key='{key}']")
    expect(page.locator("#screen")).to_contain_text("订单已经确认")
    screenshot(page, "simulator-call")
    page.click("#hangup")
    expect(page.locator("#screen")).to_contain_text("您挂断了")

    # The dashboard's bar moved: 5 of 10 boxes.
    bar = dashboard_bar(page, live)
    assert "还差5箱成团（已订5，要10）" in bar, bar
    expect(page.locator("#deal-1 .fill").first).to_have_attribute("style", "width: 50%;")
    expect(page.locator("#deal-1")).to_contain_text("短信 1 · 电话 1 · 代订 0")
    screenshot(page, "dashboard", publish=True)
    phone = page.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{live.base_url}/staff/")
    screenshot(phone, "dashboard-phone")
    phone.close()

    # The pickup list, printed on A4 with a tick column.
    [deal] = list_deals(live.world.core, community_id=live.world.community_id)
    page.goto(f"{live.base_url}/staff/deals/{deal.id}/orders")  # by its id, not its number
    screenshot(page, "orders")
    page.click("text=打印取货单")
    expect(page.locator("h1")).to_contain_text("取货单")
    expect(page.locator(".tick-box")).to_have_count(2)
    page.emulate_media(media="print")
    screenshot(page, "pickup-list-print")
    pdf = page.pdf(path=str(ARTIFACTS / "pickup-list.pdf"), format="A4")
    width, height = a4_pages(pdf)
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 is 595 x 842 points
    page.emulate_media(media="screen")

    # A bulk reminder: preview, send, progress until done, without reloading.
    page.goto(f"{live.base_url}/staff/deals/{deal.id}/remind")
    expect(page.locator("#recipients")).to_have_text("2")
    expect(page.locator(".preview-text").first).to_contain_text("取货提醒：1号赵县雪花梨")
    screenshot(page, "remind-preview")
    page.click("#send-reminder")
    progress = page.locator("#reminder-progress")
    expect(progress).to_have_attribute("data-finished", "yes", timeout=30_000)
    expect(progress.locator("[data-field=sent]")).to_have_text("2")
    expect(progress.locator(".done-text")).to_be_visible()
    screenshot(page, "reminder-progress")

    # The resident's phone shows the reminder.
    page.goto(f"{live.base_url}/simulator/")
    pick(page, "王芳")
    reminder = page.locator(".bubble.out", has_text="取货提醒：1号赵县雪花梨")
    expect(reminder).to_have_attribute("data-status", "sent", timeout=20_000)
    expect(reminder).to_contain_text("CONSOLE-")
    screenshot(page, "simulator", publish=True)
    assert refused == []
