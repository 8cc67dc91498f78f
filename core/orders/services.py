"""Placing, changing and cancelling orders: the rules every channel shares.

Each function owns its transaction. The stock cap is enforced by one conditional
UPDATE on the deal's running total, which PostgreSQL serialises with a row lock
and SQLite with its write lock, so concurrent orders can never oversell.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core import formatting
from core.accounts.acting import acting
from core.accounts.services import audit
from core.community.models import Community
from core.context import Core
from core.deals.models import UNFINISHED, Deal, DealStatus
from core.i18n import t
from core.messages.models import MessageKind
from core.messages.outbox import queue_message
from core.orders.handover import hand_over
from core.orders.models import Channel, Order, OrderStatus
from core.orders.once import run_once
from core.orders.pickup_codes import assign_pickup_code
from core.orders.rules import find_deal, her_order, refuse_over_limit, refuse_unorderable
from core.residents.models import Resident
from core.residents.services import resident_by_phone
from core.results import (
    OrderCancelled,
    OrderPlaced,
    OrderView,
    Refusal,
    RefusalReason,
)

OrderResult = OrderPlaced | Refusal
CancelResult = OrderCancelled | Refusal


@acting(by="placed_by")
def place_order(
    core: Core,
    *,
    community_id: int,
    phone: str,
    deal_number: int,
    quantity: int,
    channel: Channel | str,
    idempotency_key: str | None = None,
    placed_by: str | None = None,
    confirm: bool = True,
) -> OrderResult:
    """Order `quantity` units, or change the resident's order on that deal to `quantity`.

    `placed_by` names the staff member or volunteer entering it for the resident;
    such orders are written to the audit log. `confirm=False` leaves the resident's
    confirmation to the caller: a text ordering several items gets one reply for all.
    """
    return run_once(
        core,
        community_id,
        idempotency_key,
        lambda session: _place(
            core,
            session,
            community_id,
            phone,
            deal_number,
            quantity,
            Channel(channel),
            placed_by,
            confirm,
        ),
    )


@acting(by="cancelled_by")
def cancel_order(
    core: Core,
    *,
    community_id: int,
    phone: str,
    deal_number: int,
    channel: Channel | str,
    idempotency_key: str | None = None,
    cancelled_by: str | None = None,
    confirm: bool = True,
) -> CancelResult:
    return run_once(
        core,
        community_id,
        idempotency_key,
        lambda session: _cancel(
            core,
            session,
            community_id,
            phone,
            deal_number,
            Channel(channel),
            cancelled_by,
            confirm,
        ),
    )


def _place(
    core: Core,
    session: Session,
    community_id: int,
    phone: str,
    number: int,
    quantity: int,
    channel: Channel,
    placed_by: str | None,
    confirm: bool = True,
) -> OrderResult:
    now = core.now()
    resident = resident_by_phone(session, community_id, phone)
    if resident is None:
        return Refusal(RefusalReason.NOT_REGISTERED, deal_number=number)
    if resident.opted_out and placed_by is None and channel == Channel.SMS:
        # They asked for no more texts; ordering by text would need answers by text.
        # A phone call or a staff member can still take their order.
        return Refusal(RefusalReason.OPTED_OUT, deal_number=number)
    deal = find_deal(session, community_id, number)
    refusal = refuse_unorderable(deal, number, now)
    if refusal is not None:
        return refusal
    assert deal is not None
    if quantity < 1:
        return Refusal(RefusalReason.BAD_QUANTITY, deal_number=number)
    over = refuse_over_limit(deal, number, quantity)
    if over is not None:
        return over

    order = her_order(session, deal, resident.id)
    previous = order.quantity if order is not None and order.status == OrderStatus.PLACED else 0
    if not _reserve(session, deal, quantity - previous, now):
        session.refresh(deal)
        if not deal.is_taking_orders(now):
            return Refusal(RefusalReason.DEAL_CLOSED, deal_number=number)
        left = (deal.units_left or 0) + previous
        return Refusal(RefusalReason.SOLD_OUT, deal_number=number, units_left=left)

    zone = session.get_one(Community, community_id).zone  # before the new order is added
    if order is None:
        order = Order(deal_id=deal.id, resident_id=resident.id, created_at=now, revision=0)
        session.add(order)
    order.quantity = quantity
    order.status = OrderStatus.PLACED
    order.channel = channel
    order.placed_by = placed_by
    order.cancelled_at = None
    order.updated_at = now
    order.revision += 1
    assign_pickup_code(session, order, deal, zone)
    session.flush()
    if placed_by is not None:
        audit(
            session,
            actor=placed_by,
            action="order.place_for_resident",
            community_id=community_id,
            resident_id=resident.id,
            deal_number=number,
            quantity=quantity,
            previous_quantity=previous,
        )
    if confirm:
        _confirm(
            session,
            resident,
            deal,
            order,
            channel,
            "order.changed" if previous else "order.confirmed",
            now,
        )
    return OrderPlaced(order=OrderView.of(order, deal), previous_quantity=previous)


def _reserve(session: Session, deal: Deal, delta: int, now: datetime) -> bool:
    """Move the deal's running total by `delta` if the deal is open and the cap allows it.

    The total the database arrived at is handed back with the UPDATE (RETURNING) and
    set on `deal`, so the confirmation counts this order without reading the row again.
    """
    if delta == 0:
        return True
    total = session.execute(
        _MORE if delta > 0 else _FEWER,
        {"deal_id": deal.id, "delta": delta, "now": now},
        execution_options={"synchronize_session": False},
    ).scalar_one_or_none()
    if total is None:
        return False
    set_committed_value(deal, "units_ordered", total)
    return True


# Built once (run for every order and cancel): a statement object is cheaper to run
# again than to build, its cache key kept.
_DELTA = bindparam("delta", type_=Deal.units_ordered.type)
_FEWER = (
    update(Deal)
    .where(Deal.id == bindparam("deal_id"), Deal.status == DealStatus.OPEN)
    .values(units_ordered=Deal.units_ordered + _DELTA)
    .returning(Deal.units_ordered)
)
_MORE = _FEWER.where(
    Deal.closes_at > bindparam("now"),
    (Deal.stock_cap.is_(None)) | (Deal.units_ordered + _DELTA <= Deal.stock_cap),
)


def _cancel(
    core: Core,
    session: Session,
    community_id: int,
    phone: str,
    number: int,
    channel: Channel,
    cancelled_by: str | None,
    confirm: bool = True,
) -> CancelResult:
    now = core.now()
    resident = resident_by_phone(session, community_id, phone)
    if resident is None:
        return Refusal(RefusalReason.NOT_REGISTERED, deal_number=number)
    deal = find_deal(session, community_id, number)
    order = her_order(session, deal, resident.id) if deal is not None else None
    if deal is None or order is None or order.status != OrderStatus.PLACED:
        return Refusal(RefusalReason.NO_ORDER, deal_number=number)
    if not deal.is_taking_orders(now):
        return Refusal(RefusalReason.DEAL_CLOSED, deal_number=number)
    _reserve(session, deal, -order.quantity, now)
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = now
    order.updated_at = now
    order.revision += 1
    assign_pickup_code(session, order, deal, session.get_one(Community, community_id).zone)
    session.flush()
    if cancelled_by is not None:
        audit(
            session,
            actor=cancelled_by,
            action="order.cancel_for_resident",
            community_id=community_id,
            resident_id=resident.id,
            deal_number=number,
        )
    if confirm:
        _confirm(session, resident, deal, order, channel, "order.cancelled", now)
    return OrderCancelled(order=OrderView.of(order, deal))


def _confirm(
    session: Session,
    resident: Resident,
    deal: Deal,
    order: Order,
    channel: Channel,
    key: str,
    now: datetime,
) -> None:
    """Text the resident what changed; one message per revision of the order."""
    if channel == Channel.VOICE and resident.landline:
        return  # a landline caller heard it read back, twice
    community = session.get_one(Community, deal.community_id)
    queue_message(
        session,
        community=community,
        resident=resident,
        body=order_text(key, deal, order.quantity, community, resident.language, order.pickup_code),
        kind=MessageKind.CONFIRMATION,
        now=now,
        deal_id=deal.id,
        dedupe_key=f"order:{order.id}:r{order.revision}",
        key_is_new=True,
    )


def order_text(
    key: str,
    deal: Deal,
    quantity: int,
    community: Community,
    language: str,
    order_code: str | None = None,
    **extra: object,
) -> str:
    """A message about one resident's order on one deal, filled from the catalog."""
    return t(
        language,
        key,
        number=deal.number,
        title=deal.title(language),
        quantity=quantity,
        unit=deal.unit,
        total=formatting.money(quantity * deal.price_fen, language),
        pickup=formatting.span(deal.pickup_start, deal.pickup_end, community.zone, language),
        place=deal.pickup_place or community.pickup_place,
        closes=formatting.when(deal.closes_at, community.zone, language),
        short=deal.units_to_go_ahead,
        code=order_code or "",
        **extra,
    )


def placed_orders(session: Session, deal_id: int) -> list[tuple[Order, Resident]]:
    """The orders standing on a deal, with who placed them, oldest first."""
    return [
        (order, resident)
        for order, resident in session.execute(
            select(Order, Resident)
            .join(Resident, Resident.id == Order.resident_id)
            .where(Order.deal_id == deal_id, Order.status == OrderStatus.PLACED)
            .order_by(Order.id)
        )
    ]


@acting(by=None)
def resident_orders(core: Core, *, community_id: int, phone: str) -> list[OrderView] | Refusal:
    """A resident's current orders: on deals not finished, not cancelled; newest deal last."""
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return Refusal(RefusalReason.NOT_REGISTERED)
        rows = session.execute(
            select(Order, Deal)
            .join(Deal, Deal.id == Order.deal_id)
            .where(
                Order.resident_id == resident.id,
                Order.status.in_([OrderStatus.PLACED, OrderStatus.PICKED_UP]),
                Deal.status.in_([s.value for s in UNFINISHED]),
            )
            .order_by(Deal.number)
        ).all()
        return [OrderView.of(order, deal) for order, deal in rows]


@acting()
def mark_picked_up(
    core: Core, *, order_id: int, by: str, community_id: int | None = None
) -> OrderView | Refusal:
    """Goods handed over; with `community_id`, only an order of that community's deals."""
    with core.db.transaction() as session:
        order = session.get(Order, order_id, with_for_update=True)
        if order is None or order.status not in (OrderStatus.PLACED, OrderStatus.NO_SHOW):
            return Refusal(RefusalReason.NO_ORDER)
        deal = session.get_one(Deal, order.deal_id)
        if community_id is not None and deal.community_id != community_id:
            return Refusal(RefusalReason.NO_ORDER)
        hand_over(session, order, deal, by=by, now=core.now())
        return OrderView.of(order, deal)
