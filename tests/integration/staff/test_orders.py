"""Orders for a deal: walk-in orders, the pickup list on screen, on A4 and as CSV, pickup ticks."""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import AuditLog
from core.messages.models import Message
from core.orders.services import place_order, resident_orders


def test_a_walk_in_order_is_placed_confirmed_and_audited_with_the_staff_name(staff, app_world):
    deal = app_world.deal(limit=3)
    wang = app_world.resident("王芳")
    path = f"/staff/deals/{deal.id}/orders"
    response = staff.post(path, {"phone": wang.phone, "quantity": "2"}, form_on=path)
    assert response.status_code == 302
    assert "已为居民订1号2箱" in staff.page(path)
    [order] = resident_orders(app_world.core, community_id=app_world.community_id, phone=wang.phone)
    assert (order.quantity, order.channel) == (2, "staff")
    with app_world.core.db.transaction() as session:
        entry = session.scalars(
            select(AuditLog).where(AuditLog.action == "order.place_for_resident")
        ).one()
        assert entry.actor == "xiaoli" and entry.detail["quantity"] == 2
        confirmation = session.scalars(select(Message).where(Message.kind == "confirmation")).one()
        assert confirmation.phone == wang.phone and "已订1号赵县雪花梨2箱" in confirmation.body


def test_changing_and_cancelling_for_a_resident(staff, app_world):
    deal = app_world.deal(limit=3)
    wang = app_world.resident("王芳")
    path = f"/staff/deals/{deal.id}/orders"
    staff.post(path, {"phone": wang.phone, "quantity": "2"}, form_on=path)
    staff.post(path, {"phone": wang.phone, "quantity": "3"}, form_on=path)
    assert "已改为1号3箱" in staff.page(path)
    over = staff.post(path, {"phone": wang.phone, "quantity": "4"}, form_on=path)
    assert over.status_code == 422 and "每户最多订3箱" in over.get_data(as_text=True)
    staff.post(path, {"phone": wang.phone, "quantity": "0"}, form_on=path)
    assert (
        resident_orders(app_world.core, community_id=app_world.community_id, phone=wang.phone) == []
    )


def test_an_unregistered_phone_is_told_to_be_added_first(staff, app_world):
    deal = app_world.deal()
    path = f"/staff/deals/{deal.id}/orders"
    response = staff.post(path, {"phone": "13900000000", "quantity": "1"}, form_on=path)
    assert response.status_code == 422
    assert "这个电话号码还没登记" in response.get_data(as_text=True)
    bad = staff.post(path, {"phone": "13900000000", "quantity": "两"}, form_on=path)
    assert "请填写整数" in bad.get_data(as_text=True)


def order(world, name, building, unit, room, quantity, deal):  # type: ignore[no-untyped-def]
    person = world.resident(name, building=building, unit=unit, room=room)
    placed = place_order(
        world.core,
        community_id=world.community_id,
        phone=person.phone,
        deal_number=deal.number,
        quantity=quantity,
        channel="sms",
    )
    assert placed
    return placed.order.id


def test_the_pickup_list_groups_by_building_in_natural_order_with_a_tick_column(staff, app_world):
    deal = app_world.deal()
    order(app_world, "高明", "10", "2", "1201", 1, deal)
    order(app_world, "王芳", "3", "2", "401", 3, deal)
    order(app_world, "李秀英", "3", "1", "302", 2, deal)
    page = staff.page(f"/staff/deals/{deal.id}/pickup-list/print")
    assert page.index("3号楼") < page.index("李秀英") < page.index("王芳") < page.index("10号楼")
    assert page.index("10号楼") < page.index("高明")
    assert "打勾" in page and page.count('class="tick-box"') == 3
    assert "3户，共6箱" in page
    assert "data-print" in page  # staff.js prints: no inline script under the CSP


def test_csv_exports_open_in_chinese_excel(staff, app_world):
    deal = app_world.deal()
    order(app_world, "王芳", "3", "2", "401", 3, deal)
    pickup = staff.get(f"/staff/deals/{deal.id}/pickup-list.csv")
    assert pickup.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in pickup.headers["Content-Disposition"]
    assert pickup.data.startswith(b"\xef\xbb\xbf")
    lines = pickup.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("楼,单元,门牌,姓名,电话,数量")
    assert lines[1].startswith("3,2,401,王芳,") and ",3,105," in lines[1]
    sheet = staff.get(f"/staff/deals/{deal.id}/supplier-sheet.csv").data.decode("utf-8-sig")
    assert "1,赵县雪花梨,箱,35,1,3,105,69" in sheet
    residents = staff.get("/staff/residents.csv").data
    assert residents.startswith(b"\xef\xbb\xbfphone,name,building,unit,room,language,landline")


def test_marking_picked_up(staff, app_world):
    deal = app_world.deal()
    order_id = order(app_world, "王芳", "3", "2", "401", 3, deal)
    path = f"/staff/deals/{deal.id}/orders"
    response = staff.post(f"{path}/{order_id}/picked-up", form_on=path)
    assert response.status_code == 302
    page = staff.page(path)
    assert "王芳已取货" in page and "已取" in page
    print_page = staff.page(f"/staff/deals/{deal.id}/pickup-list/print")
    assert "✔" in print_page and 'class="tick-box"' not in print_page
    assert staff.post(f"{path}/999/picked-up", form_on=path).status_code == 404
