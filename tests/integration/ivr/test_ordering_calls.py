"""Scripted calls that browse group buys and order by keypad."""

from __future__ import annotations

from sqlalchemy import func, select

from core.messages.models import Message, MessageKind
from core.orders.models import Order
from core.orders.services import place_order, resident_orders
from tests.builders import World
from tests.integration.ivr.conftest import Dial
from tests.support.twiml_caller import ScriptedCall


def orders_of(world: World, phone: str) -> list[tuple[int, int, str, str]]:
    """(deal number, quantity, status, channel) of every order the resident has."""
    from core.deals.models import Deal
    from core.residents.models import Resident

    with world.core.db.transaction() as session:
        rows = session.execute(
            select(Deal.number, Order.quantity, Order.status, Order.channel)
            .join(Deal, Deal.id == Order.deal_id)
            .join(Resident, Resident.id == Order.resident_id)
            .where(Resident.phone == phone)
            .order_by(Deal.number)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def confirmations_to(world: World, phone: str) -> list[str]:
    with world.core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message.body).where(
                    Message.phone == phone, Message.kind == MessageKind.CONFIRMATION
                )
            )
        )


def heard(call: ScriptedCall) -> str:
    return " ".join(call.said_since_last_input())


def test_greeting_by_name_then_main_menu_with_options_before_keys(world: World, dial: Dial):
    wang = world.resident("王芳")
    call = dial(wang.phone)

    assert call.said[0].startswith("王芳您好，欢迎致电幸福里社区团购热线。")
    assert (
        "听本周的团购，请按1。查我的订单，请按2。取消订单，请按3。找工作人员，请按0。"
        in call.said[0]
    )
    assert (call.spoken[0].language, call.spoken[0].voice) == ("cmn-CN", "Polly.Zhiyu")
    assert call.gather is not None and call.gather["numDigits"] == "1"
    assert call.gather["timeout"] == "8"


def test_a_known_caller_orders_one_unit_of_the_first_deal_in_three_presses(
    world: World, dial: Dial
):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨", price_fen=3550, market_price_fen=5800, limit=3)
    world.deal("沁州黄小米", price_fen=1505, unit="袋")
    call = dial(wang.phone)

    call.press("1")  # this week's group buys: the first one is read out
    assert "1号，赵县雪花梨。每箱三十五元五角。比市场价便宜二十二元五角。" in heard(call)
    assert "周四晚上8点截止订货。周六上午9点到11点，在社区服务站取货。" in heard(call)
    assert heard(call).endswith("订购，请按1。下一个，请按2。上一个，请按3。回主菜单，请按井号键。")
    call.press("1")  # order it
    assert "每户最多订三箱。要订多少箱？请按数量，再按井号键。" in heard(call)
    call.press("1#")
    assert "您要订1号赵县雪花梨，一箱，一共三十五元五角。" in heard(call)
    call.press("1")  # confirm

    assert "好了，订单已经确认：1号赵县雪花梨，一箱，一共三十五元五角。" in heard(call)
    assert "我们也会发短信给您确认。" in heard(call)
    assert "听本周的团购，请按1" in heard(call)  # back at the main menu
    keys = [p.params["Digits"] for p in call.posted if "Digits" in p.params]
    assert keys == ["1", "1", "1", "1"]  # three menu keys plus the number (and #)
    assert orders_of(world, wang.phone) == [(1, 1, "placed", "voice")]
    assert len(confirmations_to(world, wang.phone)) == 1  # the SMS confirmation, via the outbox


def test_next_and_previous_walk_the_deals_and_say_so_at_either_end(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨")
    world.deal("沁州黄小米", unit="袋")
    call = dial(wang.phone)
    call.press("1")

    call.press("3")
    assert heard(call).startswith("这已经是第一个了。")
    call.press("2")
    assert heard(call).startswith("2号，沁州黄小米。")
    call.press("2")
    assert heard(call).startswith("这已经是最后一个了。2号，沁州黄小米。")
    call.press("3")
    assert "1号，赵县雪花梨。" in heard(call)
    call.press("#")
    assert "听本周的团购，请按1" in heard(call)


def test_changing_the_number_before_confirming(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨", price_fen=3500, limit=5)
    call = dial(wang.phone)
    for keys in ("1", "1", "3#"):
        call.press(keys)
    assert "三箱，一共一百零五元" in heard(call)

    call.press("2")  # change the number
    assert "要订多少箱？" in heard(call)
    call.press("2#")
    assert "您要订1号赵县雪花梨，两箱，一共七十元。" in heard(call)
    call.press("1")

    assert orders_of(world, wang.phone) == [(1, 2, "placed", "voice")]


def test_over_the_limit_or_no_number_asks_again(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨", limit=3)
    call = dial(wang.phone)
    call.press("1")
    call.press("1")

    call.press("5#")
    assert heard(call).startswith("对不起，每户最多只能订三箱。")
    assert "要订多少箱？" in heard(call)
    call.press("#")  # only the finish key: Twilio treats it as silence
    assert "没有听到您按键" in heard(call)
    call.press("1*2#")
    assert "回主菜单" in heard(call) or "1号，赵县雪花梨" in heard(call)
    assert orders_of(world, wang.phone) == []


def test_a_resident_with_an_order_hears_it_and_changes_it(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨", price_fen=3500)
    place_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=1,
        quantity=2,
        channel="sms",
    )
    call = dial(wang.phone)
    call.press("1")
    assert "您已经订了两箱。" in heard(call)
    call.press("1")
    call.press("4#")
    assert "1号赵县雪花梨，您原来订了两箱，现在改成四箱，一共一百四十元。" in heard(call)
    call.press("1")

    assert orders_of(world, wang.phone) == [(1, 4, "placed", "voice")]


def test_a_landline_resident_hears_the_confirmation_twice_and_gets_no_text(
    world: World, dial: Dial
):
    li = world.resident("李桂兰", landline=True)
    world.deal("赵县雪花梨", price_fen=3500)
    call = dial(li.phone)
    for keys in ("1", "1", "2#", "1"):
        call.press(keys)

    done = "好了，订单已经确认：1号赵县雪花梨，两箱，一共七十元。"
    assert heard(call).count(done) == 2
    [order] = resident_orders(world.core, community_id=world.community_id, phone=li.phone)
    code = order.pickup_code
    assert heard(call).count(f"取货码是：{' '.join(code)}。") == 2  # no text carries it
    assert "我再说一遍：" in heard(call) and "取货前我们会打电话提醒您。" in heard(call)
    assert "短信" not in heard(call)
    assert confirmations_to(world, li.phone) == []
    assert orders_of(world, li.phone) == [(1, 2, "placed", "voice")]


def test_sold_out_while_listening_says_so_and_goes_back_to_the_list(world: World, dial: Dial):
    wang, zhang = world.resident("王芳"), world.resident("张伟")
    world.deal("赵县雪花梨", stock_cap=10)
    world.deal("沁州黄小米", unit="袋")
    call = dial(wang.phone)
    for keys in ("1", "1", "3#"):
        call.press(keys)
    assert "您要订1号赵县雪花梨，三箱" in heard(call)
    # Meanwhile someone else takes the lot.
    place_order(
        world.core,
        community_id=world.community_id,
        phone=zhang.phone,
        deal_number=1,
        quantity=10,
        channel="sms",
    )

    call.press("1")

    assert heard(call).startswith("对不起，这个团购刚刚卖完了，没有为您下单。")
    assert "这个已经卖完了。" in heard(call)  # the list, from the first deal
    assert orders_of(world, wang.phone) == []
    call.press("1")  # ordering the sold-out deal is not offered
    assert "这个已经卖完了" in heard(call)
    call.press("2")
    assert heard(call).startswith("2号，沁州黄小米。")


def test_fewer_left_than_typed_says_how_many_remain(world: World, dial: Dial):
    wang, zhang = world.resident("王芳"), world.resident("张伟")
    world.deal("赵县雪花梨", stock_cap=10)
    call = dial(wang.phone)
    for keys in ("1", "1", "5#"):
        call.press(keys)
    place_order(
        world.core,
        community_id=world.community_id,
        phone=zhang.phone,
        deal_number=1,
        quantity=8,
        channel="sms",
    )
    call.press("1")

    assert heard(call).startswith("对不起，现在只剩两箱了。")
    assert "要订多少箱？" in heard(call)
    call.press("2#")
    call.press("1")
    assert orders_of(world, wang.phone) == [(1, 2, "placed", "voice")]


def test_deadline_passing_mid_call_orders_nothing(world: World, dial: Dial, clock):  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    world.deal("赵县雪花梨", closes_at=world.local(0, 10, 5))
    world.deal("沁州黄小米", unit="袋")
    call = dial(wang.phone)
    for keys in ("1", "1", "2#"):
        call.press(keys)
    clock.advance(minutes=10)  # the deadline passes while the caller listens

    call.press("1")

    assert heard(call).startswith("对不起，这个团购刚刚截止了，没有为您下单。")
    assert "本周有1个团购。2号，沁州黄小米" in heard(call)  # the closed one is gone
    assert orders_of(world, wang.phone) == []


def test_hanging_up_mid_flow_leaves_no_order(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨")
    call = dial(wang.phone)
    for keys in ("1", "1", "2#"):
        call.press(keys)
    call.hangup()

    assert orders_of(world, wang.phone) == []
    assert call.posted[-1].url.endswith("/voice/status")


def test_a_retried_confirm_step_orders_once(world: World, dial: Dial, app):  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    world.deal("赵县雪花梨", price_fen=3500)
    call = dial(wang.phone)
    for keys in ("1", "1", "2#", "1"):
        call.press(keys)
    confirm = call.posted[-1]

    # Twilio did not get our answer in time and sends the very same request again.
    again = app.test_client().post(
        confirm.url.removeprefix("https://mianhua.example.org"),
        data=confirm.params,
        headers=confirm.headers,
    )

    assert again.status_code == 200
    assert "订单已经确认" in again.get_data(as_text=True)
    assert orders_of(world, wang.phone) == [(1, 2, "placed", "voice")]
    with world.core.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 1


def test_the_same_order_twice_in_one_call_is_two_steps_not_a_retry(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨")
    call = dial(wang.phone)
    for keys in ("1", "1", "2#", "1", "1", "1", "3#", "1"):
        call.press(keys)

    assert orders_of(world, wang.phone) == [(1, 3, "placed", "voice")]
    assert len(confirmations_to(world, wang.phone)) == 2


def test_no_open_deals_says_so_and_returns_to_the_main_menu(world: World, dial: Dial):
    wang = world.resident("王芳")
    call = dial(wang.phone)
    call.press("1")

    assert heard(call).startswith("这周暂时没有团购，请过几天再打来。")
    assert call.gather is not None and "s=main" in call.gather["action"]
