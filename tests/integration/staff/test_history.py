"""The committee's history: finished deals stay reachable by their id, are listed by month
with their figures, and their not-collected list reminds, on the pickup day only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.books.cash import collect_at_pickup
from core.deals.editing import call_off_deal
from core.deals.pickup_over import fulfil_deal
from core.deals.services import close_deal
from core.messages.models import Message
from core.orders.services import mark_picked_up, place_order

DEAL_PAGES = (
    "",
    "/orders",
    "/pickup-list/print",
    "/pickup-list.csv",
    "/pickup-list.xlsx",
    "/supplier-sheet.csv",
    "/supplier-sheet.xlsx",
    "/not-collected",
)


def _order(world, resident, deal, quantity):  # type: ignore[no-untyped-def]
    placed = place_order(
        world.core,
        community_id=world.community_id,
        phone=resident.phone,
        deal_number=deal.number,
        quantity=quantity,
        channel="sms",
    )
    assert placed, placed
    return placed.order


def _gone_ahead(world, *, min_units=1):  # type: ignore[no-untyped-def]
    """A deal with 王芳 (2) and 李秀英 (3) ordered, closed and going ahead."""
    deal = world.deal(min_units=min_units)
    wang = world.resident("王芳", building="10", unit="1", room="201")
    li = world.resident("李秀英", building="2", unit="1", room="101")
    orders = {"wang": _order(world, wang, deal, 2), "li": _order(world, li, deal, 3)}
    orders["wang_phone"] = wang.phone
    close_deal(world.core, community_id=world.community_id, number=deal.number)
    return deal, orders


def _pickup_over(world, deal) -> None:  # type: ignore[no-untyped-def]
    """Pickup over, which is allowed only once pickup has started."""
    world.clock.set(deal.pickup_start)
    fulfil_deal(world.core, community_id=world.community_id, deal_id=deal.id)


def test_a_called_off_deal_keeps_its_pages_and_exports_after_its_number_is_reused(admin, app_world):
    old = app_world.deal("赵县雪花梨")
    wang = app_world.resident("王芳")
    _order(app_world, wang, old, 2)
    response = admin.post(f"/staff/deals/{old.id}/call-off")
    # Under the success message the deal's own page, not a 404.
    assert response.headers["Location"].endswith(f"/staff/deals/{old.id}")
    assert "团购已取消" in admin.page(response.headers["Location"])
    new = app_world.deal("黄小米", unit="袋")
    assert new.number == old.number and new.id != old.id  # the short number is reused

    for tail in DEAL_PAGES:
        answer = admin.get(f"/staff/deals/{old.id}{tail}")
        assert answer.status_code == 200, (tail, answer.status_code)
    assert "赵县雪花梨" in admin.page(f"/staff/deals/{old.id}")
    assert "黄小米" not in admin.page(f"/staff/deals/{old.id}/orders")
    assert "黄小米" in admin.page(f"/staff/deals/{new.id}")
    # The finished deal takes no orders: its number now names 黄小米.
    path = f"/staff/deals/{old.id}/orders"
    refused = admin.post(path, {"phone": wang.phone, "quantity": "1"}, form_on=path)
    assert refused.status_code == 422 and "已经结束" in refused.get_data(as_text=True)
    assert "黄小米" not in admin.page(f"/staff/residents/{wang.id}").split("resident-history")[0]


def test_console_links_name_deals_by_id_never_by_number(staff, app_world):
    app_world.deal("占位")  # takes number 1 and id n, so number and id differ below
    deal = app_world.deal("赵县雪花梨")
    page = staff.page(f"/staff/deals/{deal.id}")
    assert f"/staff/deals/{deal.id}/orders" in page
    assert f"/staff/deals/{deal.number}/" not in page or deal.number == deal.id
    assert staff.get("/staff/deals/999999").status_code == 404


def test_finished_deals_are_listed_by_month_with_their_figures(staff, app_world):
    deal, orders = _gone_ahead(app_world)
    collect_at_pickup(
        app_world.core,
        community_id=app_world.community_id,
        order_id=orders["li"].id,
        amount_fen=10500,
        method="cash",
        by="xiaoli",
    )
    _pickup_over(app_world, deal)
    page = staff.page("/staff/history")
    assert "2026年11月" in page
    row = page.split(f'id="deal-{deal.id}"')[1].split("</tr>")[0]
    cells = [c.split("</td>")[0].split(">")[-1].strip() for c in row.split('<td class="num">')[1:]]
    # ordered 5, delivered 5 (none recorded), collected 3, not collected 2; 175 yuan
    # expected and 105 yuan taken, as the ledger has it
    assert cells[:3] == ["5 箱", "5 箱", "3 箱"], cells
    assert "2 箱" in row and "175元" in row and "105元" in row
    assert f"/staff/deals/{deal.id}" in row


def test_the_not_collected_list_is_kept_in_room_order_after_pickup_is_over(staff, app_world):
    deal, _ = _gone_ahead(app_world)
    _pickup_over(app_world, deal)
    page = staff.page(f"/staff/deals/{deal.id}/not-collected")
    assert page.index("2号楼1单元101室") < page.index("10号楼1单元201室")
    assert "李秀英" in page and "王芳" in page


def _reminders(world) -> list[Message]:  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return list(
            session.scalars(select(Message).where(Message.dedupe_key.like("uncollected:%")))
        )


def test_one_click_reminds_those_still_missing_on_the_pickup_day_once(staff, app_world):
    deal, orders = _gone_ahead(app_world)
    mark_picked_up(
        app_world.core, order_id=orders["li"].id, by="xiaoli", community_id=app_world.community_id
    )
    app_world.clock.set(deal.pickup_start + timedelta(minutes=30))
    path = f"/staff/deals/{deal.id}/not-collected"
    assert "一键提醒未取货的居民" in staff.page(path)
    sent = staff.post(f"{path}/remind", form_on=path)
    assert "已提醒1户" in staff.page(sent.headers["Location"])
    [reminder] = _reminders(app_world)
    assert "1号赵县雪花梨（2箱）还没取" in reminder.body
    assert reminder.phone == orders["wang_phone"]  # 李秀英 has collected: not reminded
    again = staff.post(f"{path}/remind", form_on=path)
    assert "没有重复发送" in staff.page(again.headers["Location"])
    assert len(_reminders(app_world)) == 1


def test_the_reminder_is_refused_outside_the_pickup_day(staff, app_world):
    deal, _ = _gone_ahead(app_world)
    path = f"/staff/deals/{deal.id}/not-collected"
    assert "只能在取货当天" in staff.page(path)  # two days before: no button
    refused = staff.post(f"{path}/remind", form_on=path)
    assert "不是取货日" in staff.page(refused.headers["Location"])
    app_world.clock.set(deal.pickup_end + timedelta(days=1))
    staff.post(f"{path}/remind", form_on=path)
    assert _reminders(app_world) == []


def test_a_residents_page_shows_orders_and_pickups_over_time(staff, app_world):
    called_off = app_world.deal("黄小米", unit="袋")
    li = app_world.resident("李秀英")
    _order(app_world, li, called_off, 1)
    call_off_deal(
        app_world.core, community_id=app_world.community_id, by="t", deal_id=called_off.id
    )
    deal = app_world.deal("赵县雪花梨")
    order = _order(app_world, li, deal, 2)
    close_deal(app_world.core, community_id=app_world.community_id, number=deal.number)
    mark_picked_up(app_world.core, order_id=order.id, by="x", community_id=app_world.community_id)
    history = staff.page(f"/staff/residents/{li.id}").split('id="resident-history"')[1]
    assert history.index("赵县雪花梨") < history.index("黄小米")  # newest first
    assert "已取" in history and "已取消" in history
    assert f"/staff/deals/{called_off.id}/orders" in history


def test_the_history_exports_as_csv_and_xlsx_without_running_formulas(staff, app_world):
    import io

    from openpyxl import load_workbook

    poisoned = app_world.deal("=1+2", min_units=1)
    wang = app_world.resident("王芳")
    _order(app_world, wang, poisoned, 2)
    close_deal(app_world.core, community_id=app_world.community_id, number=poisoned.number)
    _pickup_over(app_world, poisoned)
    csv_text = staff.get("/staff/history.csv").data.decode("utf-8-sig")
    assert "月份" in csv_text and "2026-11" in csv_text and "'=1+2" in csv_text
    sheet = load_workbook(io.BytesIO(staff.get("/staff/history.xlsx").data)).active
    assert sheet["A1"].value == "月份" and sheet["J1"].value == "订单金额（元）"
    assert sheet["C2"].value == "=1+2" and sheet["C2"].data_type == "s"  # text, never run
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert [sheet[c].value for c in ("F2", "G2", "H2", "I2")] == [2, 2, 0, 2]


def test_the_residents_list_sorts_flats_naturally_and_finds_them_however_written(
    staff, app_world
):
    app_world.resident("十楼", building="10", unit="1", room="201")
    app_world.resident("二楼", building="2", unit="1", room="101")
    app_world.resident("李秀英", building="3号楼/二单元/401室", unit="", room="")
    page = staff.page("/staff/residents")
    assert page.index("二楼") < page.index("李秀英") < page.index("十楼")
    for written in ("三号楼二单元401", "3号楼2单元401室", "3-2-401"):
        assert "李秀英" in staff.page(f"/staff/residents?q={written}"), written
