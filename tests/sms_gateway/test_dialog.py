"""The conversation residents have with the committee's number, text by text."""

from __future__ import annotations

from core.orders.services import resident_orders
from core.sms_segments import count_segments


def orders_of(world, phone):  # type: ignore[no-untyped-def]
    found = resident_orders(world.core, community_id=world.community_id, phone=phone)
    return {o.deal.number: o.quantity for o in found if o.status == "placed"}


def test_a_bare_deal_number_asks_how_many_then_a_bare_number_orders(sms, app_world):
    pears = app_world.deal(limit=3)
    wang = app_world.resident("王芳")
    question = sms.reply(wang.phone, str(pears.number))
    assert "赵县雪花梨" in question and "35元" in question and "省23元" in question
    assert "要几箱？回1-3" in question
    assert "社区服务站" in question  # where to pick up
    confirmation = sms.reply(wang.phone, "２")
    assert confirmation.startswith(f"已订{pears.number}号赵县雪花梨2箱")
    assert orders_of(app_world, wang.phone) == {pears.number: 2}


def test_the_question_lapses_after_thirty_minutes(sms, app_world, clock):
    pears = app_world.deal(limit=3)
    app_world.deal("东北大米", unit="袋")
    wang = app_world.resident("王芳")
    sms.reply(wang.phone, str(pears.number))
    clock.advance(minutes=31)
    answer = sms.reply(wang.phone, "2")  # now read afresh: deal 2, not "2 boxes of deal 1"
    assert "东北大米" in answer and "要几袋" in answer
    assert orders_of(app_world, wang.phone) == {}


def test_a_typed_order_places_it_at_once(sms, app_world):
    pears = app_world.deal()
    wang = app_world.resident("王芳")
    assert sms.reply(wang.phone, f"订{pears.number}号 三份 谢谢").startswith("已订1号")
    assert orders_of(app_world, wang.phone) == {1: 3}
    assert count_segments(sms.outbound(wang.phone)[-1].body) <= 2
