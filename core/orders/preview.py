"""Read-only order checks, made before anything is written: what an order would do.

A caller on the phone menu hears "how many?" and then their order read back before pressing 1, so
the menu must know in advance what the core would refuse: the per-resident limit,
what stock is left for them, whether they already have an order to change. These
checks use the same rules as `place_order`, which still decides for real when
the caller confirms (stock may run out in between).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.context import Core
from core.deals.models import Deal, DealStatus
from core.orders.models import Order, OrderStatus
from core.orders.rules import find_deal, most_allowed, refuse_over_limit, refuse_unorderable
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
        if deal.units_left is not None and deal.units_left + previous == 0:
            return Refusal(RefusalReason.SOLD_OUT, deal_number=deal_number, units_left=0)
        return OrderableDeal(DealView.of(deal), previous, most_allowed(deal, previous))


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
        over = refuse_over_limit(deal, deal_number, quantity)
        if over is not None:
            return over
        previous = _previous_quantity(session, deal, resident)
        if deal.units_left is not None and quantity - previous > deal.units_left:
            left = deal.units_left + previous
            return Refusal(RefusalReason.SOLD_OUT, deal_number=deal_number, units_left=left)
        return OrderPreview(DealView.of(deal), quantity, previous, quantity * deal.price_fen)


def why_not_orderable(core: Core, *, community_id: int, deal_number: int) -> Refusal | None:
    """Why this deal takes no order now (unknown, not open yet, closed), or None if it does."""
    with core.db.transaction() as session:
        deal = find_deal(session, community_id, deal_number)
        return refuse_unorderable(deal, deal_number, core.now())


def cancellable_orders(core: Core, *, community_id: int, phone: str) -> list[OrderView] | Refusal:
    """The resident's orders that can still be cancelled: on deals still taking orders."""
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return Refusal(RefusalReason.NOT_REGISTERED)
        return cancellable_in(session, resident.id, core.now())


def cancellable_in(session: Session, resident_id: int, now: datetime) -> list[OrderView]:
    """`cancellable_orders` inside a transaction a use case already holds."""
    rows = session.execute(
        select(Order, Deal)
        .join(Deal, Deal.id == Order.deal_id)
        .where(
            Order.resident_id == resident_id,
            Order.status == OrderStatus.PLACED,
            Deal.status == DealStatus.OPEN,
        )
        .order_by(Deal.number)
    ).all()
    return [OrderView.of(order, deal) for order, deal in rows if is_cancellable(order, deal, now)]


def is_cancellable(order: Order, deal: Deal, now: datetime) -> bool:
    """The rule itself: a placed order on a deal still taking orders may change."""
    return (
        order.status == OrderStatus.PLACED
        and deal.status == DealStatus.OPEN
        and deal.is_taking_orders(now)
    )


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
