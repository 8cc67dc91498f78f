"""Read-only order checks for the phone menu, made before anything is written.

A caller hears "how many?" and then their order read back before pressing 1, so
the menu must know in advance what the core would refuse: the per-resident limit,
what stock is left for them, whether they already have an order to change. These
checks use the same rules as `place_order`, which still decides for real when
the caller confirms (stock may run out in between).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.context import Core
from core.deals.models import Deal, DealStatus
from core.orders.models import Order, OrderStatus
from core.orders.services import find_deal, refuse_unorderable
from core.residents.models import Resident
from core.residents.services import resident_by_phone
from core.results import DealView, OrderView, Refusal, RefusalReason


@dataclass(frozen=True)
class OrderableDeal:
    """A deal this resident may order now, and how many they may have in all."""

    deal: DealView
    previous_quantity: int  # their current order on it, 0 if none
    max_quantity: int | None  # None: no limit and no stock cap


@dataclass(frozen=True)
class OrderPreview:
    deal: DealView
    quantity: int
    previous_quantity: int
    total_fen: int


def orderable_deal(
    core: Core, *, community_id: int, phone: str, deal_number: int
) -> OrderableDeal | Refusal:
    """Whether the resident can order any of this deal now (SOLD_OUT when nothing is left)."""
    with core.db.transaction() as session:
        found = _check(session, core, community_id, phone, deal_number)
        if isinstance(found, Refusal):
            return found
        resident, deal = found
        previous = _previous_quantity(session, deal, resident)
        left = None if deal.units_left is None else deal.units_left + previous
        if left == 0:
            return Refusal(RefusalReason.SOLD_OUT, deal_number=deal_number, units_left=0)
        caps = [c for c in (deal.per_resident_limit, left) if c is not None]
        return OrderableDeal(DealView.of(deal), previous, min(caps) if caps else None)


def preview_order(
    core: Core, *, community_id: int, phone: str, deal_number: int, quantity: int
) -> OrderPreview | Refusal:
    """What `place_order` would do with this quantity right now, without doing it."""
    with core.db.transaction() as session:
        found = _check(session, core, community_id, phone, deal_number)
        if isinstance(found, Refusal):
            return found
        resident, deal = found
        if quantity < 1:
            return Refusal(RefusalReason.BAD_QUANTITY, deal_number=deal_number)
        limit = deal.per_resident_limit
        if limit is not None and quantity > limit:
            return Refusal(RefusalReason.OVER_LIMIT, deal_number=deal_number, limit=limit)
        previous = _previous_quantity(session, deal, resident)
        if deal.units_left is not None and quantity - previous > deal.units_left:
            left = deal.units_left + previous
            return Refusal(RefusalReason.SOLD_OUT, deal_number=deal_number, units_left=left)
        return OrderPreview(DealView.of(deal), quantity, previous, quantity * deal.price_fen)


def cancellable_orders(core: Core, *, community_id: int, phone: str) -> list[OrderView] | Refusal:
    """The resident's orders that can still be cancelled: on deals still taking orders."""
    now = core.now()
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return Refusal(RefusalReason.NOT_REGISTERED)
        rows = session.execute(
            select(Order, Deal)
            .join(Deal, Deal.id == Order.deal_id)
            .where(
                Order.resident_id == resident.id,
                Order.status == OrderStatus.PLACED,
                Deal.status == DealStatus.OPEN,
            )
            .order_by(Deal.number)
        ).all()
        return [OrderView.of(order, deal) for order, deal in rows if deal.is_taking_orders(now)]


def _check(
    session: Session, core: Core, community_id: int, phone: str, number: int
) -> tuple[Resident, Deal] | Refusal:
    resident = resident_by_phone(session, community_id, phone)
    if resident is None:
        return Refusal(RefusalReason.NOT_REGISTERED, deal_number=number)
    deal = find_deal(session, community_id, number)
    refusal = refuse_unorderable(deal, number, core.now())
    if refusal is not None:
        return refusal
    assert deal is not None
    return resident, deal


def _previous_quantity(session: Session, deal: Deal, resident: Resident) -> int:
    quantity = session.scalar(
        select(Order.quantity).where(
            Order.deal_id == deal.id,
            Order.resident_id == resident.id,
            Order.status == OrderStatus.PLACED,
        )
    )
    return quantity or 0
