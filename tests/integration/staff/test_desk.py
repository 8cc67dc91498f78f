"""The pickup desk: find a household each way, hand over in one tap, take the money,
undo the same day and not after; and "pickup over" only once pickup has started."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import select

from core.accounts.models import AuditLog
from core.books.ledger import deal_ledger
from core.deals.services import close_deal
from core.messages.models import Message
from core.orders.models import Order
from core.orders.services import place_order
from tests.builders import World


def _order(world, name, quantity, deal, **room):  # type: ignore[no-untyped-def]
    person = world.resident(name, **room)
    placed = place_order(
        world.core,
        community_id=world.community_id,
        phone=person.phone,
        deal_number=deal.number,
        quantity=quantity,
        channel="sms",
    )
    assert placed
    return person, placed.order


def _in_pickup(world, deal) -> None:  # type: ignore[no-untyped-def]
    close_deal(world.core, community_id=world.community_id, number=deal.number)
    world.clock.set(deal.pickup_start + timedelta(minutes=10))


def _code(world, order_id: int) -> str:  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return session.get_one(Order, order_id).pickup_code


def test_the_desk_finds_a_household_by_room_phone_name_and_code(staff, app_world):
    deal = app_world.deal(min_units=1)
    wang, order = _order(app_world, "王芳", 2, deal, building="3", unit="2", room="401")
    _order(app_world, "李秀英", 1, deal, building="5", unit="1", room="302")
    _in_pickup(app_world, deal)
    code = _code(app_world, order.id)
    for query in (
        "3-2-401",
        "3/2/401",
        "三号楼二单元401",
        "3号楼2单元401室",
        wang.phone[-4:],
        f"{wang.phone[3:6]} {wang.phone[6:10]} {wang.phone[10:]}",  # 139 0000 0001
        "王芳",
        code,
    ):
        page = staff.page(f"/staff/desk?q={quote(query)}")
        assert "王芳" in page and "李秀英" not in page, query
        assert "70元" in page, query  # 2 boxes at 35 yuan, to pay, large
    assert "没有找到" in staff.page("/staff/desk?q=9-9-999")


def test_one_tap_hands_over_the_household_and_records_the_cash_once(staff, app_world):
    pears = app_world.deal(min_units=1)
    millet = app_world.deal("蔚县小米", min_units=1, price_fen=1250, unit="袋")
    wang, pear_order = _order(app_world, "王芳", 2, pears)
    _, millet_order = _order(app_world, "张建国", 1, millet)  # the same room, 3-2-401
    close_deal(app_world.core, community_id=app_world.community_id, number=millet.number)
    _in_pickup(app_world, pears)
    page = staff.page("/staff/desk?q=3-2-401")
    assert "82.5元" in page  # 70 + 12.5, one household
    form = {"order": [str(pear_order.id), str(millet_order.id)], "method": "wechat", "q": "3-2-401"}
    tap = staff.post(f"/staff/desk/households/{wang.id}/pick-up", form, form_on="/staff/desk")
    assert tap.status_code == 302
    done = staff.page(tap.headers["Location"])
    assert "收82.5元（微信）" in done
    again = staff.post(f"/staff/desk/households/{wang.id}/pick-up", form, form_on="/staff/desk")
    assert "没有重复记账" in staff.page(again.headers["Location"])
    ledger = deal_ledger(app_world.core, community_id=app_world.community_id, deal_id=pears.id)
    assert ledger.collected_fen == 7000
    assert [(e.kind, e.amount_fen, e.method) for e in ledger.entries] == [
        ("collected", 7000, "wechat")
    ]
    with app_world.core.db.transaction() as session:
        entries = session.scalars(select(AuditLog).where(AuditLog.action == "desk.picked_up"))
        assert sorted((e.actor, e.detail["amount_fen"]) for e in entries) == [
            ("xiaoli", 1250),
            ("xiaoli", 7000),
        ]


def test_undo_within_the_day_reverses_the_money_and_not_the_next_day(staff, app_world):
    deal = app_world.deal(min_units=1)
    wang, order = _order(app_world, "王芳", 2, deal)
    other, second = _order(app_world, "李秀英", 1, deal, building="5", unit="1", room="302")
    _in_pickup(app_world, deal)
    for person, placed in ((wang, order), (other, second)):
        staff.post(
            f"/staff/desk/households/{person.id}/pick-up",
            {"order": str(placed.id), "method": "cash"},
            form_on="/staff/desk",
        )
    undo = staff.post(f"/staff/desk/orders/{order.id}/undo", {}, form_on="/staff/desk")
    assert "收款已冲回" in staff.page(undo.headers["Location"])
    ledger = deal_ledger(app_world.core, community_id=app_world.community_id, deal_id=deal.id)
    assert ledger.collected_fen == 3500  # 李秀英's box only: 王芳's 70 taken and reversed
    assert "全部取货（1单）" in staff.page("/staff/desk?q=王芳")
    app_world.clock.advance(days=1)
    late = staff.post(f"/staff/desk/orders/{second.id}/undo", {}, form_on="/staff/desk")
    assert "只能撤销当天的取货" in staff.page(late.headers["Location"])
    with app_world.core.db.transaction() as session:
        assert session.get_one(Order, second.id).status == "picked_up"
        assert session.scalars(select(AuditLog).where(AuditLog.action == "desk.undo")).one()


def test_the_desk_sees_only_the_acting_users_community(staff, app_world, app):
    deal = app_world.deal(min_units=1)
    _order(app_world, "王芳", 2, deal)
    _in_pickup(app_world, deal)
    elsewhere = World(app_world.core, app_world.clock, phone="+8631188887777", name="别的社区")
    their_deal = elsewhere.deal(min_units=1)
    stranger, their_order = _order(elsewhere, "赵大妈", 1, their_deal)
    close_deal(elsewhere.core, community_id=elsewhere.community_id, number=their_deal.number)
    page = staff.page("/staff/desk?q=赵大妈")
    assert "没有找到" in page and "household-" not in page
    desk = "/staff/desk"
    tap = staff.post(f"{desk}/households/{stranger.id}/pick-up", {"order": "1"}, form_on=desk)
    assert tap.status_code == 404
    undo = staff.post(f"{desk}/orders/{their_order.id}/undo", {}, form_on=desk)
    assert undo.status_code == 404


def test_the_order_text_and_the_orders_page_undo(staff, app_world):
    deal = app_world.deal(min_units=1)
    _, order = _order(app_world, "王芳", 2, deal)
    code = _code(app_world, order.id)
    assert re.fullmatch(r"[1-9]\d{3}", code)
    with app_world.core.db.transaction() as session:
        text = session.scalars(select(Message).where(Message.kind == "confirmation")).one().body
    assert f"取货码{code}" in text and len(text) <= 134  # two SMS segments at most
    _in_pickup(app_world, deal)
    path = f"/staff/deals/{deal.number}/orders"
    staff.post(f"{path}/{order.id}/picked-up", {}, form_on=path)
    assert "撤销" in staff.page(path)
    undo = staff.post(f"{path}/{order.id}/undo-pickup", {}, form_on=path)
    assert undo.status_code == 302 and "已撤销王芳的取货" in staff.page(path)


def test_pickup_over_is_refused_before_the_window_and_an_admin_gives_a_reason(admin, app_world):
    deal = app_world.deal(min_units=1)
    _order(app_world, "王芳", 1, deal)
    close_deal(app_world.core, community_id=app_world.community_id, number=deal.number)
    path = f"/staff/deals/{deal.number}"
    assert "提前结束取货（管理员）" in admin.page(path)
    refused = admin.post(f"{path}/fulfil", {}, form_on=path)
    assert "取货还没开始" in admin.page(refused.headers["Location"])
    no_reason = admin.post(f"{path}/fulfil-early", {"reason": " "}, form_on=path)
    assert "要写明原因" in admin.page(no_reason.headers["Location"])
    early = admin.post(f"{path}/fulfil-early", {"reason": "菜提前送到各户了"}, form_on=path)
    assert early.status_code == 302
    with app_world.core.db.transaction() as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "deal.fulfil")).one()
        assert entry.detail["reason"] == "菜提前送到各户了" and entry.detail["early"] is True


def test_pickup_over_is_allowed_once_pickup_started_and_staff_cannot_override(staff, app_world):
    deal = app_world.deal(min_units=1)
    _order(app_world, "王芳", 1, deal)
    close_deal(app_world.core, community_id=app_world.community_id, number=deal.number)
    path = f"/staff/deals/{deal.number}"
    assert "提前结束取货" not in staff.page(path)
    assert staff.post(f"{path}/fulfil-early", {"reason": "x"}, form_on=path).status_code == 403
    app_world.clock.set(deal.pickup_start)
    done = staff.post(f"{path}/fulfil", {}, form_on=path)
    assert done.headers["Location"].endswith(f"/staff/deals/{deal.id}")  # its page stays
