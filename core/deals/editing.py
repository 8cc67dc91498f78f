"""Changing a deal after it was made, and calling it off: what the console's deal pages do.

Creating, opening and closing live in `core.deals.services`; this module adds the
changes a committee makes while a deal runs (a new price, a later deadline, more
stock) and calling a deal off outright, whatever its minimum.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.accounts.acting import acting
from core.accounts.services import audit
from core.community.models import Community, Supplier
from core.context import Core
from core.deals.models import DealStatus
from core.deals.services import (
    CloseOutcome,
    CloseResult,
    DealInvalid,
    DealSpec,
    clean_aliases,
    deal_by_number,
    supplier_id_for,
)
from core.messages.models import MessageKind
from core.messages.outbox import queue_message
from core.orders.models import OrderStatus
from core.orders.services import order_text, placed_orders
from core.results import DealView

#: A deal can be changed until ordering is over; after that the orders stand as placed.
EDITABLE = (DealStatus.DRAFT, DealStatus.OPEN)
#: A deal can be called off until its goods are handed out.
CALLABLE_OFF = (DealStatus.DRAFT, DealStatus.OPEN, DealStatus.CLOSED, DealStatus.CONFIRMED)


@dataclass(frozen=True)
class DealDetail:
    """A deal with what its edit form needs beyond the view."""

    deal: DealView
    supplier: str
    if_short: str
    extend_hours: int
    extended: bool
    pickup_started: bool = False  # "pickup over" needs it (or an admin's reason)

    @property
    def editable(self) -> bool:
        return self.deal.status in EDITABLE


@acting(by=None)
def deal_detail(
    core: Core, *, community_id: int, number: int | None = None, deal_id: int | None = None
) -> DealDetail:
    with core.db.transaction() as session:
        deal = deal_by_number(session, community_id, number, deal_id=deal_id)
        supplier = session.get(Supplier, deal.supplier_id) if deal.supplier_id else None
        return DealDetail(
            deal=DealView.of(deal),
            supplier=supplier.name if supplier else "",
            if_short=deal.if_short,
            extend_hours=deal.extend_hours,
            pickup_started=core.now() >= deal.pickup_start,
            extended=deal.extended,
        )


@acting()
def edit_deal(
    core: Core,
    *,
    community_id: int,
    spec: DealSpec,
    by: str,
    number: int | None = None,
    deal_id: int | None = None,
) -> DealView:
    """Change a draft or open deal; the same checks as creating it, plus the orders so far.

    The stock cap cannot go below what is already ordered. Orders already placed
    keep their quantity even when the per-resident limit is lowered.
    """
    errors = spec.problems(core.now())
    with core.db.transaction() as session:
        deal = deal_by_number(session, community_id, number, deal_id=deal_id)
        session.refresh(deal, with_for_update=True)
        if deal.status not in EDITABLE:
            raise DealInvalid({"status": "staff.deal.error.not_editable"})
        if spec.stock_cap is not None and spec.stock_cap < deal.units_ordered:
            errors.setdefault("stock_cap", "staff.deal.error.cap_below_ordered")
        errors.pop("number", None)  # the number residents know never changes
        if errors:
            raise DealInvalid(errors)
        community = session.get_one(Community, community_id)
        changed = {
            name: value
            for name, value in (
                ("title_zh", spec.title_zh.strip()),
                ("title_en", spec.title_en.strip()),
                ("unit", spec.unit.strip()),
                ("price_fen", spec.price_fen),
                ("market_price_fen", spec.market_price_fen),
                ("min_units", spec.min_units),
                ("stock_cap", spec.stock_cap),
                ("per_resident_limit", spec.per_resident_limit),
                ("opens_at", spec.opens_at),
                ("closes_at", spec.closes_at),
                ("pickup_start", spec.pickup_start),
                ("pickup_end", spec.pickup_end),
                ("pickup_place", spec.pickup_place.strip() or community.pickup_place),
                ("if_short", spec.if_short),
                ("extend_hours", spec.extend_hours),
                ("supplier_id", supplier_id_for(session, community_id, spec.supplier_name)),
                ("aliases", clean_aliases(spec.aliases)),
            )
            if getattr(deal, name) != value
        }
        for name, value in changed.items():
            setattr(deal, name, value)
        if changed:
            audit(
                session,
                actor=by,
                action="deal.edit",
                community_id=community_id,
                number=deal.number,
                fields=sorted(changed),
            )
        return DealView.of(deal)


@acting(admin=True)
def call_off_deal(
    core: Core,
    *,
    community_id: int,
    by: str,
    number: int | None = None,
    deal_id: int | None = None,
) -> CloseOutcome:
    """Call a deal off now, whatever its orders: every order is cancelled and its resident told."""
    now = core.now()
    with core.db.transaction() as session:
        deal = deal_by_number(session, community_id, number, deal_id=deal_id)
        session.refresh(deal, with_for_update=True)
        if deal.status not in CALLABLE_OFF:
            return CloseOutcome(DealView.of(deal), DealStatus(deal.status), 0)
        community = session.get_one(Community, community_id)
        rows = placed_orders(session, deal.id)
        for order, resident in rows:
            order.status = OrderStatus.CANCELLED
            order.cancelled_at = order.updated_at = now
            queue_message(
                session,
                community=community,
                resident=resident,
                body=order_text(
                    "staff.notice.called_off", deal, order.quantity, community, resident.language
                ),
                kind=MessageKind.DEAL_UPDATE,
                now=now,
                quiet_hours=core.quiet_hours,
                deal_id=deal.id,
                dedupe_key=f"deal:{deal.id}:called_off:{resident.id}",
            )
        units = deal.units_ordered
        deal.status = DealStatus.CANCELLED
        deal.units_ordered = 0
        deal.closed_at = now
        audit(
            session,
            actor=by,
            action="deal.called_off",
            community_id=community_id,
            number=deal.number,
            units=units,
            residents=len(rows),
        )
        return CloseOutcome(DealView.of(deal), CloseResult.CALLED_OFF, len(rows))
