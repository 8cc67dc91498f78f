"""A problem with collected goods reported from the phone menu's "my orders": key 3."""

from __future__ import annotations

from sqlalchemy import select

from core.books.cash import collect_at_pickup
from core.books.models import PayMethod, QualityReport
from core.deals.models import Deal, DealStatus
from core.deals.services import close_deal
from core.helpdesk.models import HelpReason, HelpRequest
from core.orders.services import place_order
from tests.builders import World
from tests.integration.ivr.conftest import Dial
from tests.integration.ivr.test_ordering_calls import heard


def _collected(world: World, *, finished: bool):  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    deal = world.deal("赵县雪花梨", price_fen=1500, unit="份", min_units=1)
    placed = place_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=deal.number,
        quantity=2,
        channel="voice",
    )
    close_deal(world.core, community_id=world.community_id, number=deal.number)
    collect_at_pickup(
        world.core,
        community_id=world.community_id,
        order_id=placed.order.id,
        amount_fen=3000,
        method=PayMethod.CASH,
        by="张阿姨",
    )
    if finished:  # pickup is over: the order is no longer a "current" one
        with world.core.db.transaction() as session:
            session.get_one(Deal, deal.id).status = DealStatus.FULFILLED
    return wang, placed.order.id


def test_key_3_puts_the_collected_order_in_the_help_inbox(world: World, dial: Dial):
    wang, order_id = _collected(world, finished=False)
    call = dial(wang.phone)
    call.press("2")
    said = heard(call)
    assert "取到的东西有问题，请按3。" in said
    call.press("3")
    assert heard(call).startswith("已经记下了，工作人员会给您回电话处理。")
    with world.core.db.transaction() as session:
        item = session.scalar(select(HelpRequest).where(HelpRequest.phone == wang.phone))
        assert item.reason == HelpReason.COMPLAINT
        report = session.scalar(select(QualityReport))
        assert (report.help_request_id, report.order_id, report.channel) == (
            item.id,
            order_id,
            "voice",
        )


def test_the_key_is_offered_after_pickup_is_over_too(world: World, dial: Dial):
    wang, order_id = _collected(world, finished=True)
    call = dial(wang.phone)
    call.press("2")
    said = heard(call)
    assert said.startswith("您现在没有订单。") and "请按3" in said
    call.press("3")
    with world.core.db.transaction() as session:
        assert session.scalar(select(QualityReport.order_id)) == order_id


def test_no_key_for_someone_who_collected_nothing(world: World, dial: Dial):
    wang = world.resident("王芳")
    call = dial(wang.phone)
    call.press("2")
    assert heard(call).startswith("您现在没有订单。")
    call.press("3")  # the main menu's 3: cancel
    assert heard(call).startswith("您现在没有可以取消的订单。")
