"""The books in the console: a short delivery shared out and texted, cash at pickup and
the day's count, a complaint by text made good from the help inbox, the printed list."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.accounts.models import AuditLog
from core.books.ledger import deal_ledger
from core.books.models import QualityReport
from core.deals.services import close_deal
from core.helpdesk.models import HelpRequest
from core.orders.models import Order
from tests.builders import World
from tests.support.phone import Sms


def _ordered_by_text(app, world: World, *quantities: int):  # type: ignore[no-untyped-def]
    """Households order pears by text, then the deal goes ahead."""
    sms = Sms(app.test_client(), world.core)
    deal = world.deal("赵县雪花梨", price_fen=1500, unit="份", min_units=1)
    people = []
    for i, quantity in enumerate(quantities):
        resident = world.resident(f"住户{i + 1}", room=f"{201 + i}")
        sms.send(resident.phone, f"订{deal.number}号 {quantity}份")
        world.clock.advance(minutes=5)
        people.append(resident)
    for resident in people:
        sms.new_replies(resident.phone)
    close_deal(world.core, community_id=world.community_id, number=deal.number)
    for resident in people:
        sms.new_replies(resident.phone)  # the 成团 text
    return sms, deal, people


def test_a_short_delivery_is_previewed_applied_and_texted(app, staff, app_world):  # type: ignore[no-untyped-def]
    sms, deal, (wang, li, zhao) = _ordered_by_text(app, app_world, 3, 3, 2)
    ledger = f"/staff/deals/{deal.id}/ledger"
    page = staff.page(ledger)
    assert "实际到货" in page and "120元" in page  # 8 份 at 15 yuan expected

    preview = staff.post(
        f"{ledger}/delivery",
        {"delivered": "6", "rule": "pro_rata", "action": "preview"},
        form_on=ledger,
    )
    shown = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="shortfall-preview"' in shown
    assert "订了8份，到货6份，少2份" in shown
    assert sms.new_replies(wang.phone) == []  # a preview changes nothing

    applied = staff.post(
        f"{ledger}/delivery",
        {"delivered": "6", "rule": "pro_rata", "action": "apply"},
        form_on=ledger,
    )
    assert applied.status_code == 302
    assert sms.new_replies(wang.phone) == ["这次到货少了，您的赵县雪花梨从3份改为2份，少付15元。"]
    assert sms.new_replies(li.phone) == ["这次到货少了，您的赵县雪花梨从3份改为2份，少付15元。"]
    assert sms.new_replies(zhao.phone) == []  # 2 of 8 of 6 is 1.5, and the remainder was theirs
    books = deal_ledger(app_world.core, community_id=app_world.community_id, deal_id=deal.id)
    assert (books.expected_fen, books.adjusted_fen, books.balances) == (9000, -3000, True)
    page = staff.page(ledger)
    assert "已记下到货6份" in page and "-30元" in page
    again = staff.post(
        f"{ledger}/delivery",
        {"delivered": "5", "rule": "first_come", "action": "apply"},
        form_on=ledger,
    )
    assert again.status_code == 422 and "已经记过了" in again.get_data(as_text=True)
    with app_world.core.db.transaction() as session:
        logged = session.scalars(select(AuditLog).where(AuditLog.action == "deal.short_delivery"))
        assert [e.actor for e in logged] == ["xiaoli"]


def test_cash_taken_at_pickup_and_counted_at_the_end_of_the_day(app, staff, app_world):  # type: ignore[no-untyped-def]
    _, deal, (wang, li) = _ordered_by_text(app, app_world, 2, 1)
    orders = f"/staff/deals/{deal.number}/orders"
    with app_world.core.db.transaction() as session:
        ids = {o.resident_id: o.id for o in session.scalars(select(Order))}
    page = staff.page(orders)
    assert 'name="amount"' in page and 'value="30"' in page  # the amount to pay, prefilled
    staff.post(
        f"{orders}/{ids[wang.id]}/picked-up", {"amount": "30", "method": "cash"}, form_on=orders
    )
    assert "住户1已取货（2份），收30元（现金）" in staff.page(orders)
    staff.post(
        f"{orders}/{ids[li.id]}/picked-up", {"amount": "15", "method": "wechat"}, form_on=orders
    )
    bad = staff.post(
        f"{orders}/{ids[li.id]}/picked-up", {"amount": "1.234", "method": "cash"}, form_on=orders
    )
    assert bad.status_code == 302  # told politely, nothing recorded
    books = deal_ledger(app_world.core, community_id=app_world.community_id, deal_id=deal.id)
    assert (books.collected_fen, books.outstanding_fen) == (4500, 0)

    count = "/staff/books/cash-count"
    assert "30元" in staff.page(count)  # only the cash is in the box, not the WeChat payment
    kept = staff.post(count, {"counted": "28.5"}, form_on=count)
    assert kept.status_code == 302
    page = staff.page(kept.headers["Location"])
    assert "差额-1.5元" in page and "xiaoli" in page
    wrong = staff.post(count, {"counted": "lots"}, form_on=count)
    assert wrong.status_code == 422


def test_a_complaint_by_text_reaches_the_inbox_with_its_order_and_is_refunded(
    app, staff, app_world
):  # type: ignore[no-untyped-def]
    sms, deal, (wang,) = _ordered_by_text(app, app_world, 3)
    with app_world.core.db.transaction() as session:
        order_id = session.scalar(select(Order.id))
    orders = f"/staff/deals/{deal.number}/orders"
    staff.post(f"{orders}/{order_id}/picked-up", {"amount": "45", "method": "cash"}, form_on=orders)
    app_world.clock.advance(hours=3)
    sms.send(wang.phone, "梨坏了3个")
    assert sms.new_replies(wang.phone)  # told a person will follow it up
    with app_world.core.db.transaction() as session:
        item = session.scalar(select(HelpRequest).where(HelpRequest.phone == wang.phone))
        assert item.reason == "complaint"
    page = staff.page(f"/staff/inbox/{item.id}")
    assert f'id="complaint-order-{order_id}"' in page and "1号赵县雪花梨 3份，货款45元" in page
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page[page.index("make-good") :])
    form = {
        "order_id": str(order_id),
        "kind": "refunded",
        "amount": "15",
        "method": "cash",
        "token": token.group(1),
        "help_item": str(item.id),
    }
    done = staff.post(f"/staff/deals/{deal.id}/ledger/make-good", form, form_on="/staff/inbox")
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/staff/inbox/{item.id}")
    staff.post(f"/staff/deals/{deal.id}/ledger/make-good", form, form_on="/staff/inbox")  # twice
    assert sms.new_replies(wang.phone) == [
        "您反映的赵县雪花梨问题，居委会退您15元（现金）。给您添麻烦了。"
    ]
    books = deal_ledger(app_world.core, community_id=app_world.community_id, deal_id=deal.id)
    assert (books.collected_fen, books.refunded_fen, books.cash_in_hand_fen) == (4500, 1500, 3000)
    assert "已退款或抵用15元" in staff.page(f"/staff/inbox/{item.id}")


def test_the_printed_list_shows_what_each_household_pays_and_page_totals(app, staff, app_world):  # type: ignore[no-untyped-def]
    _, deal, people = _ordered_by_text(app, app_world, *([1] * 23), 2)
    with app_world.core.db.transaction() as session:
        first = session.scalar(select(Order.id).where(Order.resident_id == people[0].id))
    orders = f"/staff/deals/{deal.number}/orders"
    staff.post(f"{orders}/{first}/picked-up", {"amount": "15", "method": "cash"}, form_on=orders)
    page = staff.page(f"/staff/deals/{deal.number}/pickup-list/print")
    assert page.count('class="print-page"') == 2
    assert "第1/2页小计" in page and "第2/2页小计" in page
    assert "合计：25份，应收360元" in page  # 25 份 at 15 yuan, less the 15 already paid


def test_another_communitys_ledger_is_not_found(app, staff, app_world):  # type: ignore[no-untyped-def]
    other = World(app_world.core, app_world.clock, phone="+8631100001111", name="别的社区")
    deal = other.deal()
    assert staff.get(f"/staff/deals/{deal.id}/ledger").status_code == 404
    assert staff.get("/staff/deals/99999/ledger").status_code == 404


def test_a_complaint_naming_a_product_is_tied_to_that_order(app, staff, app_world):  # type: ignore[no-untyped-def]
    sms, pears, (wang,) = _ordered_by_text(app, app_world, 2)
    millet = app_world.deal("沁州黄小米", price_fen=1550, unit="袋", min_units=1)
    sms.send(wang.phone, f"订{millet.number}号 1袋")
    close_deal(app_world.core, community_id=app_world.community_id, number=millet.number)
    with app_world.core.db.transaction() as session:
        ids = {o.deal_id: o.id for o in session.scalars(select(Order))}
    for deal in (pears, millet):  # the millet collected last
        orders = f"/staff/deals/{deal.number}/orders"
        staff.post(f"{orders}/{ids[deal.id]}/picked-up", form_on=orders)
        app_world.clock.advance(minutes=10)
    app_world.clock.advance(minutes=1)
    sms.send(wang.phone, "梨坏了3个")
    with app_world.core.db.transaction() as session:
        assert session.scalar(select(QualityReport.order_id)) == ids[pears.id]
