"""A deal as the books see it: ordered, gone ahead, and the households who ordered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.books.cash import collect_at_pickup
from core.books.models import EntryKind, PayMethod
from core.books.quality import make_good
from core.deals.models import Deal, DealStatus
from core.deals.services import close_deal
from core.messages.models import Direction, Message, MessageKind
from core.orders.services import place_order
from core.results import DealView
from tests.builders import World


def ordered(world: World, deal: DealView, *quantities: int, advance_minutes: int = 1):  # type: ignore[no-untyped-def]
    """One household per quantity orders, a minute apart; returns (resident, order id) pairs."""
    placed = []
    for i, quantity in enumerate(quantities):
        resident = world.resident(f"住户{i + 1}", room=f"{101 + i}")
        result = place_order(
            world.core,
            community_id=world.community_id,
            phone=resident.phone,
            deal_number=deal.number,
            quantity=quantity,
            channel="sms",
        )
        placed.append((resident, result.order.id))
        world.clock.advance(minutes=advance_minutes)
    return placed


def gone_ahead(world: World, deal: DealView) -> None:
    outcome = close_deal(world.core, community_id=world.community_id, number=deal.number)
    assert outcome.deal.status == DealStatus.CONFIRMED


def finish(world: World, deal_id: int) -> None:
    """Free the deal's number (a long property test opens many deals)."""
    with world.core.db.transaction() as session:
        session.get_one(Deal, deal_id).status = DealStatus.FULFILLED


def texts_to(world: World, phone: str, kind: MessageKind | None = None) -> list[str]:
    with world.core.db.transaction() as session:
        query = select(Message.body).where(
            Message.phone == phone, Message.direction == Direction.OUTBOUND
        )
        if kind is not None:
            query = query.where(Message.kind == kind)
        return list(session.scalars(query.order_by(Message.id)))


def credited_and_buying_again(world: World, *, bad_units: int, credit_fen: int):  # type: ignore[no-untyped-def]
    """住户1 collects millet at 25 yuan a bag and is credited for bad bags; pears at 25
    yuan a box, ordered meanwhile, are still to collect."""
    millet = world.deal("沁州黄小米", price_fen=2500, unit="袋", min_units=1)
    pears = world.deal("赵县雪花梨", price_fen=2500, min_units=1)
    [(resident, millet_order)] = ordered(world, millet, bad_units)
    pear_order = place_order(
        world.core,
        community_id=world.community_id,
        phone=resident.phone,
        deal_number=pears.number,
        quantity=1,
        channel="sms",
    ).order.id
    gone_ahead(world, millet)
    gone_ahead(world, pears)
    world.clock.set(millet.pickup_start + timedelta(minutes=10))
    collect_at_pickup(
        world.core,
        community_id=world.community_id,
        order_id=millet_order,
        amount_fen=bad_units * 2500,
        method=PayMethod.CASH,
        by="张阿姨",
    )
    made = make_good(
        world.core,
        community_id=world.community_id,
        order_id=millet_order,
        kind=EntryKind.CREDITED,
        amount_fen=credit_fen,
        form_token="bad-millet",
        by="李会计",
    )
    assert made.entry_id is not None
    return resident, millet, pears, pear_order
