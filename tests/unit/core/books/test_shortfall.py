"""A short delivery shared out: orders, the deal's total, the ledger and the texts."""

from __future__ import annotations

from sqlalchemy import select

from core.books.ledger import deal_ledger
from core.books.models import EntryKind, ShareRule
from core.books.shortfall import ShortfallRefusal, apply_shortfall, preview_shortfall
from core.deals.models import Deal
from core.messages.models import MessageKind
from core.orders.models import Order, OrderStatus
from tests.builders import World
from tests.unit.core.books.helpers import gone_ahead, ordered, texts_to


def test_the_preview_changes_nothing(world: World):
    deal = world.deal("赵县雪花梨", price_fen=1500, unit="份", min_units=1)
    ordered(world, deal, 3, 3)
    gone_ahead(world, deal)
    plan = preview_shortfall(
        world.core,
        community_id=world.community_id,
        deal_id=deal.id,
        delivered=4,
        rule=ShareRule.FIRST_COME,
    )
    assert [(line.ordered, line.given) for line in plan.lines] == [(3, 3), (3, 1)]
    assert (plan.short, plan.less_fen) == (2, 3000)
    with world.core.db.transaction() as session:
        assert [o.quantity for o in session.scalars(select(Order).order_by(Order.id))] == [3, 3]


def test_applying_adjusts_orders_books_and_texts_each_household(world: World):
    deal = world.deal("赵县雪花梨", price_fen=1500, unit="份", min_units=1)
    (wang, _first), (_li, _second), (zhao, third) = ordered(world, deal, 3, 3, 2)
    english = world.resident("Anna", language="en", room="909")
    from core.orders.services import place_order

    place_order(
        world.core,
        community_id=world.community_id,
        phone=english.phone,
        deal_number=deal.number,
        quantity=1,
        channel="sms",
    )
    gone_ahead(world, deal)
    done = apply_shortfall(
        world.core,
        community_id=world.community_id,
        deal_id=deal.id,
        delivered=6,
        rule=ShareRule.PRO_RATA,
        by="李会计",
    )
    # 9 ordered, 6 came: 2, 2, 1.33, 0.67 -> whole units 2, 2, 1, 0; one left for 0.67.
    assert [(line.ordered, line.given) for line in done.plan.lines] == [
        (3, 2),
        (3, 2),
        (2, 1),
        (1, 1),
    ]
    assert done.texts == 3
    assert texts_to(world, wang.phone, MessageKind.DEAL_UPDATE)[-1] == (
        "这次到货少了，您的赵县雪花梨从3份改为2份，少付15元。"
    )
    assert texts_to(world, zhao.phone, MessageKind.DEAL_UPDATE)[-1] == (
        "这次到货少了，您的赵县雪花梨从2份改为1份，少付15元。"
    )
    assert not any("Less came" in body for body in texts_to(world, english.phone))
    with world.core.db.transaction() as session:
        assert session.get_one(Deal, deal.id).units_ordered == 6
        assert session.get_one(Order, third).quantity == 1
    books = deal_ledger(world.core, community_id=world.community_id, deal_id=deal.id)
    assert books.adjusted_fen == -4500
    assert books.expected_fen == 6 * 1500
    assert {e.kind for e in books.entries} == {EntryKind.ADJUSTED}
    again = apply_shortfall(
        world.core,
        community_id=world.community_id,
        deal_id=deal.id,
        delivered=5,
        rule=ShareRule.PRO_RATA,
        by="李会计",
    )
    assert again == ShortfallRefusal.ALREADY_APPLIED


def test_nothing_for_the_last_and_their_units_carried_into_the_next_deal(world: World):
    deal = world.deal("赵县雪花梨", price_fen=1500, unit="份", min_units=1)
    (_wang, _), (li, li_order) = ordered(world, deal, 2, 2)
    gone_ahead(world, deal)
    following = world.deal("赵县雪花梨", price_fen=1600, unit="份", min_units=1)
    done = apply_shortfall(
        world.core,
        community_id=world.community_id,
        deal_id=deal.id,
        delivered=2,
        rule=ShareRule.FIRST_COME,
        carry_over=True,
        by="李会计",
    )
    assert done.carried == {li_order: 2}
    assert texts_to(world, li.phone, MessageKind.DEAL_UPDATE)[-1] == (
        "这次到货少了，很抱歉您订的赵县雪花梨2份没有到，不用付钱了。"
        f"没到的2份已为您订在{following.number}号赵县雪花梨里。"
    )
    with world.core.db.transaction() as session:
        assert session.get_one(Order, li_order).status == OrderStatus.CANCELLED
        carried = session.scalar(select(Order).where(Order.deal_id == following.id))
        assert (carried.quantity, carried.resident_id, carried.status) == (2, li.id, "placed")
        assert session.get_one(Deal, following.id).units_ordered == 2


def test_an_open_deal_takes_no_delivery(world: World):
    deal = world.deal(min_units=1)
    ordered(world, deal, 1)
    refused = preview_shortfall(
        world.core,
        community_id=world.community_id,
        deal_id=deal.id,
        delivered=0,
        rule=ShareRule.PRO_RATA,
    )
    assert refused == ShortfallRefusal.NOT_SHAREABLE
