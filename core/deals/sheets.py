"""What the supplier and the pickup desk need of a deal: the order sheet and the pickup list."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import func, select

from core.accounts.acting import acting
from core.context import Core
from core.deals.services import deal_by_number
from core.orders.models import Order, OrderStatus
from core.residents.addresses import room_sort_key
from core.residents.models import Resident
from core.results import DealView


@dataclass(frozen=True)
class SupplierSheet:
    """What to order from the supplier: the totals of one deal."""

    deal: DealView
    orders: int
    units: int
    cost_fen: int
    saving_fen: int  # what residents save in all against the market price
    by_channel: dict[str, int]


@acting(by=None)
def supplier_sheet(
    core: Core, *, community_id: int, number: int | None = None, deal_id: int | None = None
) -> SupplierSheet:
    with core.db.transaction() as session:
        deal = deal_by_number(session, community_id, number, deal_id=deal_id)
        rows = session.execute(
            select(Order.channel, func.count(), func.coalesce(func.sum(Order.quantity), 0))
            .where(
                Order.deal_id == deal.id,
                Order.status.in_([OrderStatus.PLACED, OrderStatus.PICKED_UP, OrderStatus.NO_SHOW]),
            )
            .group_by(Order.channel)
        ).all()
        by_channel = Counter({channel: int(count) for channel, count, _ in rows})
        units = sum(int(u) for _, _, u in rows)
        return SupplierSheet(
            deal=DealView.of(deal),
            orders=sum(by_channel.values()),
            units=units,
            cost_fen=units * deal.price_fen,
            saving_fen=units * deal.saving_fen,
            by_channel=dict(by_channel),
        )


@dataclass(frozen=True)
class PickupRow:
    order_id: int
    name: str
    phone: str
    building: str
    unit: str
    room: str
    quantity: int
    total_fen: int
    status: str
    notes: str


@dataclass(frozen=True)
class PickupList:
    deal: DealView
    buildings: list[tuple[str, list[PickupRow]]]

    @property
    def rows(self) -> list[PickupRow]:
        return [row for _, rows in self.buildings for row in rows]


@acting(by=None)
def pickup_list(
    core: Core, *, community_id: int, number: int | None = None, deal_id: int | None = None
) -> PickupList:
    """Who collects what, grouped by building, then unit and room: the desk's tick list."""
    with core.db.transaction() as session:
        deal = deal_by_number(session, community_id, number, deal_id=deal_id)
        rows = session.execute(
            select(Order, Resident)
            .join(Resident, Resident.id == Order.resident_id)
            .where(
                Order.deal_id == deal.id,
                Order.status.in_([OrderStatus.PLACED, OrderStatus.PICKED_UP, OrderStatus.NO_SHOW]),
            )
        ).all()
        items = sorted(
            (
                PickupRow(
                    order_id=order.id,
                    name=resident.name,
                    phone=resident.phone,
                    building=resident.building,
                    unit=resident.unit,
                    room=resident.room,
                    quantity=order.quantity,
                    total_fen=order.quantity * deal.price_fen,
                    status=order.status,
                    notes=resident.notes,
                )
                for order, resident in rows
            ),
            key=lambda r: (room_sort_key(r.building, r.unit, r.room), r.name),
        )
        grouped = [(b, list(group)) for b, group in groupby(items, key=lambda r: r.building)]
        return PickupList(deal=DealView.of(deal), buildings=grouped)
