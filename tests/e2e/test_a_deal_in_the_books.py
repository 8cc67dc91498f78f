"""The whole life of a deal in the committee's books, walked as a committee member walks it.

Staff open a pear deal in the console; three households order, two by text (signed
webhooks, read by the real worker process) and one by keypad (the IVR webhooks, played
by the scripted caller); at its deadline the worker closes it and it goes ahead. The
farm base brings 7 boxes for 9 ordered: staff share the shortfall pro rata on the
ledger page (preview, then apply) and the two households who get less are texted. On
pickup day the desk checks one household off by its pickup code and one by its room,
undoes a tap and makes it again; the cash box is counted; pickup is over. A month later
the next pear deal holds the short number 1 again, and the finished deal is still
reached from the history list, with the figures this run produced.

The web app and the worker keep real clocks: "pickup day" and "a month later" move the
deal's own dates, as the desk's browser test does. Screenshots of the desk and the
ledger are saved (docs/screenshots/desk.png and ledger.png with
MIANHUA_PUBLISH_SCREENSHOTS=1).
"""

from __future__ import annotations

import itertools
import re
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from core import formatting
from core.db import utcnow
from core.deals.models import Deal
from core.i18n import t
from core.messages.models import Direction, Message
from tests.e2e.conftest import E2E_TWILIO_TOKEN, Live, screenshot
from tests.e2e.test_group_buy_in_a_browser import log_in
from tests.support.twilio_signing import twilio_signature
from tests.support.twiml_caller import ScriptedCall, http_post

pytestmark = pytest.mark.slow(reason="a browser, the web app and a worker process, ~30 s")

COMMUNITY_PHONE = "+8631188886666"  # tests.builders.World's community
SHANGHAI = ZoneInfo("Asia/Shanghai")
PEARS = "赵县雪花梨"
_sids = itertools.count(1)


# --- the residents' side: texts and calls through the real webhooks ----------------------


def text_the_committee(live: Live, phone: str, body: str) -> None:
    """A text as Twilio delivers it: a signed POST to the SMS webhook; the worker reads it."""
    sid = f"SM{next(_sids):032x}"
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "To": COMMUNITY_PHONE,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "FromCountry": "CN",
    }
    url = f"{live.base_url}/sms/inbound"
    signature = twilio_signature(url, params, E2E_TWILIO_TOKEN)
    answer = requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=15)
    assert answer.status_code == 200, answer.text


def call_the_committee(live: Live, phone: str) -> ScriptedCall:
    """An inbound call as Twilio places it, waiting at the first menu."""
    call = ScriptedCall(
        http_post(live.base_url),
        from_=phone,
        to=COMMUNITY_PHONE,
        auth_token=E2E_TWILIO_TOKEN,
        base_url=live.base_url,
    )
    return call.start()


def texts_to(live: Live, phone: str) -> list[str]:
    """Every text the outbox holds for this phone, oldest first."""
    with live.world.core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message.body)
                .where(Message.phone == phone, Message.direction == Direction.OUTBOUND)
                .order_by(Message.id)
            )
        )


def wait_for_text(live: Live, phone: str, containing: str, timeout: float = 30) -> str:
    """The first text to `phone` containing `containing`, once the worker has written it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [body for body in texts_to(live, phone) if containing in body]
        if found:
            return found[0]
        time.sleep(0.2)
    pytest.fail(f"no text to {phone} with {containing!r}: {texts_to(live, phone)}")


def pickup_code(confirmation: str) -> str:
    found = re.search(r"取货码(\d{4})", confirmation)
    assert found, confirmation
    return found.group(1)


# --- the committee's side: moving the deal's own dates -----------------------------------


def deal_dates(live: Live, deal_id: int, **values: object) -> None:
    with live.world.core.db.transaction() as session:
        session.execute(update(Deal).where(Deal.id == deal_id).values(**values))


def deal_id_from(page: Page) -> int:
    found = re.search(r"/staff/deals/(\d+)$", page.url)
    assert found, page.url
    return int(found.group(1))


def open_the_pear_deal(page: Page) -> int:
    page.click("nav.main >> text=团购")
    page.click("text=新建团购")
    page.fill("#title_zh", PEARS)
    page.fill("#title_en", "Snow pears")
    page.fill("#unit", "箱")
    page.fill("#price", "35")
    page.fill("#market_price", "58")
    page.fill("#min_units", "5")
    page.fill("#limit", "5")
    page.fill("#supplier", "赵县梨园合作社")
    page.check("input[name=open_now]")
    page.click("button:has-text('保存')")
    expect(page.locator(".flash")).to_contain_text(f"已建好1号团购：{PEARS}")
    expect(page.locator("h1 .status")).to_have_text("订购中")
    return deal_id_from(page)


def figure(page: Page, table: str, label: str) -> str:
    """The amount beside a heading in one of the figures tables (the ledger, the cash box)."""
    return (
        page.locator(f"{table} tr", has=page.locator("th", has_text=label))
        .locator("td")
        .inner_text()
    )


def test_a_deal_from_its_opening_to_the_books_a_month_later(page: Page, live: Live) -> None:
    world = live.world
    wang = world.resident("王芳", phone="+8613800138001", building="3", unit="2", room="401")
    li = world.resident("李秀英", phone="+8613800138002", building="1", unit="1", room="302")
    zhang = world.resident("张建国", phone="+8613800138003", building="5", unit="1", room="101")
    page.on("dialog", lambda dialog: dialog.accept())  # the console's "are you sure?" asks
    log_in(page, live)

    # Staff open the deal in the console.
    deal_id = open_the_pear_deal(page)

    # Residents order: 王芳 and 张建国 by text, 李秀英 on the phone's keypad.
    text_the_committee(live, wang.phone, "订1号 4份")
    wang_confirmed = wait_for_text(live, wang.phone, f"已订1号{PEARS}4箱")
    text_the_committee(live, zhang.phone, "我要两箱梨")
    wait_for_text(live, zhang.phone, f"已订1号{PEARS}2箱")
    call = call_the_committee(live, li.phone)
    assert call.said[0].startswith("李秀英您好")
    call.press("1")  # this week's group buys: the pears are read out
    call.press("1")  # order them
    call.press("3#")  # three boxes
    call.press("1")  # that is right
    assert "订单已经确认" in " ".join(call.said_since_last_input()), call.transcript()
    call.hangup()
    li_confirmed = wait_for_text(live, li.phone, f"已订1号{PEARS}3箱")
    page.reload()
    expect(page.locator(".figures")).to_contain_text("9 箱")
    expect(page.locator("p", has_text="短信 2")).to_contain_text("短信 2 · 电话 1 · 代订 0")

    # Its deadline passes: the worker closes it, and with 9 of 5 boxes it goes ahead.
    deal_dates(live, deal_id, closes_at=utcnow() - timedelta(seconds=1))
    wait_for_text(live, wang.phone, "已成团")
    page.reload()
    expect(page.locator("h1 .status")).to_have_text("已成团")

    # The farm base brings 7 boxes: shared pro rata, seen first, then applied.
    page.click("a.button:has-text('账本')")
    page.fill("#delivered", "7")
    page.select_option("#rule", "pro_rata")
    page.click("#preview-shortfall")
    preview = page.locator("#shortfall-preview")
    expect(preview.locator("tr.short")).to_have_count(2)
    for name, ordered, given in (("王芳", 4, 3), ("李秀英", 3, 2), ("张建国", 2, 2)):
        row = preview.locator("tbody tr", has_text=name)
        expect(row.locator("td").nth(1)).to_have_text(f"{ordered} 箱")
        expect(row.locator("td").nth(2)).to_have_text(f"{given} 箱")
    page.click("#apply-shortfall")
    expect(page.locator(".flash")).to_contain_text("已记下到货7箱：改了2户订单，发了2条短信")
    expect(page.locator("#delivery-recorded")).to_contain_text("到货已记下：订了9箱，到了7箱")
    for resident, ordered, given in ((wang, 4, 3), (li, 3, 2)):
        wording = t(
            "zh",
            "sms.shortfall.changed",
            title=PEARS,
            old=ordered,
            new=given,
            unit="箱",
            less=formatting.money(3500, "zh"),
        )
        assert wording.startswith("这次到货少了")
        assert wait_for_text(live, resident.phone, "这次到货少了") == wording
    assert not [body for body in texts_to(live, zhang.phone) if "这次到货少了" in body]
    expect(page.locator("#ledger-figures")).to_contain_text("245元")  # 7 boxes at 35

    # Pickup day: the window opened ten minutes ago.
    started = utcnow() - timedelta(minutes=10)
    deal_dates(live, deal_id, pickup_start=started, pickup_end=started + timedelta(hours=3))
    page.click("nav.main >> text=取货台")

    # 李秀英 gives her pickup code from the confirmation: two boxes, 70 yuan in cash.
    page.fill("input[name=q]", pickup_code(li_confirmed))
    page.click("button:has-text('查找')")
    household = page.locator(".desk-household")
    expect(household).to_have_count(1)
    expect(household.locator("h2")).to_contain_text("李秀英")
    expect(household.locator(".desk-amount strong")).to_have_text("70元")
    household.locator("button.desk-tap").click()
    expect(page.locator(".flash")).to_contain_text("李秀英已取货1单，收70元（现金）")

    # 王芳 gives her room: three boxes, 105 yuan by WeChat.
    page.fill("input[name=q]", "3-2-401")
    page.click("button:has-text('查找')")
    expect(page.locator(".desk-household h2")).to_contain_text("王芳")
    expect(page.locator(".desk-amount strong")).to_have_text("105元")
    assert pickup_code(wang_confirmed) in page.locator(".desk-household").inner_text()
    screenshot(page, "desk", publish=True)
    page.check("input[name=method][value=wechat]")
    page.click("button.desk-tap")
    expect(page.locator(".flash")).to_contain_text("王芳已取货1单，收105元（微信）")

    # She paid in cash after all: undo, and check her off again.
    page.locator("tr", has_text=PEARS).locator("button:has-text('撤销取货')").click()
    expect(page.locator(".flash")).to_contain_text(f"已撤销王芳的1号{PEARS}取货，收款已冲回")
    expect(page.locator(".desk-amount strong")).to_have_text("105元")
    page.check("input[name=method][value=cash]")
    page.click("button.desk-tap")
    expect(page.locator(".flash")).to_contain_text("王芳已取货1单，收105元（现金）")

    # That afternoon 王芳 texts that a pear was bad: the help inbox has her collected
    # order, and staff give her 10 yuan back in cash.
    text_the_committee(live, wang.phone, "梨坏了1个")
    wait_for_text(live, wang.phone, "已转给居委会工作人员")  # a person will follow it up
    page.click("nav.main >> text=求助")
    page.locator("tr", has_text="梨坏了1个").locator("a.button").click()
    complaint = page.locator(".complaint", has_text=PEARS)
    complaint.locator("input[name=amount]").fill("10")
    complaint.locator("select[name=method]").select_option("cash")
    complaint.locator("button[value=refunded]").click()
    expect(page.locator(".flash")).to_contain_text("已退款10元，已发短信告诉居民")
    refunded = t(
        "zh",
        "sms.quality.refunded",
        title=PEARS,
        amount=formatting.money(1000, "zh"),
        method=t("zh", "sms.pay_method.cash"),
    )
    assert wait_for_text(live, wang.phone, "您反映的") == refunded

    # The end of the day: 175 yuan taken in cash, 10 given back; 160 are counted.
    page.click("nav.main >> text=账目")
    assert figure(page, "#cash-box", "当日现金收款") == "175元"
    assert figure(page, "#cash-box", "钱箱应有") == "165元"
    page.fill("#counted", "160")
    page.fill("#note", "少5元，明天再点")
    page.click("#keep-count")
    expect(page.locator(".flash")).to_contain_text("点钞已记下，差额-5元")
    kept = page.locator("#cash-counts tbody tr").first
    expect(kept).to_contain_text("160元")
    expect(kept).to_contain_text("-5元")

    # The deal's books at the end of the day: 张建国's two boxes still owed.
    page.goto(f"{live.base_url}/staff/deals/{deal_id}")
    page.click("a.button:has-text('账本')")
    books = "#ledger-figures"
    assert figure(page, books, "应收") == "245元"  # 7 boxes at 35
    assert figure(page, books, "已收") == "175元"
    assert figure(page, books, "未收") == "70元"
    assert figure(page, books, "已退款") == "10元"
    assert figure(page, books, "调整") == "-70元"  # the two boxes that did not come
    assert figure(page, books, "结余") == "165元"
    expect(page.locator("p.muted", has_text="账目平衡")).to_be_visible()
    screenshot(page, "ledger", publish=True)

    # Pickup is over: the deal is closed in the books; what was not collected is owed no
    # more (the not-collected list keeps it).
    page.goto(f"{live.base_url}/staff/deals/{deal_id}")
    page.click("button:has-text('取货结束')")
    expect(page.locator(".flash")).to_contain_text("1号团购取货结束")
    expect(page.locator("h1 .status")).to_have_text("已取完")
    page.click("a.button:has-text('账本')")
    assert figure(page, books, "应收") == "175元"
    assert figure(page, books, "已收") == "175元"
    assert figure(page, books, "未收") == "0元"
    expect(page.locator("p.muted", has_text="账目平衡")).to_be_visible()

    # A month later: the deal's dates a month back, and next month's pears hold number 1.
    month = timedelta(days=31)
    with live.world.core.db.transaction() as session:
        finished = session.get_one(Deal, deal_id)
        for column in ("opens_at", "closes_at", "pickup_start", "pickup_end"):
            if getattr(finished, column) is not None:
                setattr(finished, column, getattr(finished, column) - month)
    next_pears = open_the_pear_deal(page)
    assert next_pears != deal_id

    page.click("nav.main >> text=团购")
    page.click("a.button:has-text('往期团购')")
    picked_up_in = (started - month).astimezone(SHANGHAI)
    heading = page.locator(f"#month-{picked_up_in:%Y-%m}")
    expect(heading).to_have_text(f"{picked_up_in.year}年{picked_up_in.month}月")
    row = page.locator(f"#deal-{deal_id}")
    cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
    assert cells[0] == "1" and cells[1] == PEARS and cells[2] == "已取完", cells
    assert cells[4:] == ["9 箱", "7 箱", "5 箱", "2 箱", "245元", "175元"], cells
    row.locator("a", has_text="2 箱").click()  # who never collected
    missing = page.locator("table.wide tbody tr")
    expect(missing).to_have_count(1)
    expect(missing).to_contain_text("张建国")
    expect(missing).to_contain_text("70元")
    expect(page.locator("#remind-closed")).to_be_visible()  # no reminder a month late
    page.go_back()
    page.locator(f"#deal-{deal_id}").locator("a", has_text=PEARS).click()
    expect(page).to_have_url(f"{live.base_url}/staff/deals/{deal_id}")
    expect(page.locator("h1 .status")).to_have_text("已取完")
    expect(page.locator(".figures")).to_contain_text("7 箱")
    page.click("a.button:has-text('账本')")
    assert figure(page, books, "已收") == "175元"
    assert figure(page, books, "未收") == "0元"
