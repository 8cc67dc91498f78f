"""A deal as the books see it: ordered, gone ahead, and the households who ordered."""

from __future__ import annotations

from sqlalchemy import select

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
