"""Scripted calls that hear their orders and cancel one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.orders.models import Order
from core.orders.services import place_order
from tests.builders import World
from tests.integration.ivr.conftest import Dial
from tests.integration.ivr.test_ordering_calls import heard, orders_of


@pytest.fixture
def wang_with_orders(world: World):  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    world.deal("赵县雪花梨", price_fen=3500, min_units=10)
    world.deal("沁州黄小米", price_fen=1550, unit="袋", min_units=1)
    for number, quantity in ((1, 2), (2, 1)):
        place_order(
            world.core,
            community_id=world.community_id,
            phone=wang.phone,
            deal_number=number,
            quantity=quantity,
            channel="sms",
        )
    return wang


def test_my_orders_reads_each_with_total_progress_and_pickup(
    world: World, dial: Dial, wang_with_orders
):  # type: ignore[no-untyped-def]
    call = dial(wang_with_orders.phone)
    call.press("2")

    said = heard(call)
    assert said.startswith("您有2个订单。")
    assert (
        "1号赵县雪花梨，两箱，一共七十元。还差八箱成团。周六上午9点到11点，在社区服务站取货。"
        in said
    )
    assert "2号沁州黄小米，一袋，一共十五元五角。已经成团。" in said
    assert said.endswith("重听，请按9。回主菜单，请按井号键。")
    call.press("9")
    assert heard(call).startswith("您有2个订单。")
    call.press("#")
    assert "听本周的团购，请按1" in heard(call)


def test_no_orders_says_so(world: World, dial: Dial):
    wang = world.resident("王芳")
    call = dial(wang.phone)
    call.press("2")
    assert heard(call).startswith("您现在没有订单。")
    call.press("3")
    assert heard(call).startswith("您现在没有可以取消的订单。")


def test_cancel_by_number_confirmed_with_1(world: World, dial: Dial, wang_with_orders):  # type: ignore[no-untyped-def]
    call = dial(wang_with_orders.phone)
    call.press("3")
    assert heard(call) == (
        "可以取消的订单有：1号赵县雪花梨，两箱。2号沁州黄小米，一袋。"
        "请按要取消的订单号码，再按井号键。"
    )
    call.press("1#")
    assert heard(call) == "要取消1号赵县雪花梨，两箱。确认取消，请按1。不取消，请按2。"
    call.press("1")

    assert heard(call).startswith("已经为您取消了1号赵县雪花梨。")
    assert orders_of(world, wang_with_orders.phone) == [
        (1, 2, "cancelled", "sms"),
        (2, 1, "placed", "sms"),
    ]


def test_cancel_kept_with_2_and_unknown_number_asks_again(
    world: World, dial: Dial, wang_with_orders
):  # type: ignore[no-untyped-def]
    call = dial(wang_with_orders.phone)
    call.press("3")
    call.press("7#")
    assert heard(call).startswith("对不起，没有找到7号的订单。可以取消的订单有：")
    call.press("2#")
    call.press("2")

    assert heard(call).startswith("好的，订单保留，没有取消。")
    assert [o[2] for o in orders_of(world, wang_with_orders.phone)] == ["placed", "placed"]


def test_a_retried_cancel_step_cancels_once(world: World, dial: Dial, app, wang_with_orders):  # type: ignore[no-untyped-def]
    call = dial(wang_with_orders.phone)
    for keys in ("3", "2#", "1"):
        call.press(keys)
    step = call.posted[-1]
    again = app.test_client().post(
        step.url.removeprefix("https://mianhua.example.org"), data=step.params, headers=step.headers
    )
    assert "已经为您取消了2号沁州黄小米" in again.get_data(as_text=True)
    assert [o[2] for o in orders_of(world, wang_with_orders.phone)] == ["placed", "cancelled"]


def test_cancelling_after_the_deadline_is_refused_politely(
    world: World, dial: Dial, clock, wang_with_orders
):  # type: ignore[no-untyped-def]
    call = dial(wang_with_orders.phone)
    call.press("3")
    call.press("1#")
    clock.advance(days=4)  # both deals close while the caller listens
    call.press("1")

    assert heard(call).startswith("对不起，1号已经截止，不能取消了。需要帮助，请找工作人员。")
    assert [o[2] for o in orders_of(world, wang_with_orders.phone)] == ["placed", "placed"]


def test_my_orders_reads_the_pickup_code_digit_by_digit_one_code_for_the_day(
    world: World, dial: Dial, wang_with_orders
):  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        codes = set(session.scalars(select(Order.pickup_code)))
    [code] = codes  # both deals are collected on the same Saturday: one code to remember
    call = dial(wang_with_orders.phone)
    call.press("2")
    said = heard(call)
    assert said.count(f"取货码是：{' '.join(code)}。") == 2
