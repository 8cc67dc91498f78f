"""What residents saved against the market price: per deal, per month, per resident.

An order counts in the month it was placed (as the dashboard's month does) and saves
its quantity times the deal's market price less its price, never below nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.community.models import Community
from core.context import Core
from core.deals.models import Deal, DealStatus
from core.deals.queries import BOUGHT
from core.orders.models import Order
from core.prices.market import MarketPrice, market_price_of
from core.residents.models import Resident
from core.results import DealView


@dataclass(frozen=True)
class DealSaving:
    deal: DealView
    market: MarketPrice
    units: int
    residents: int
    saved_fen: int


@dataclass(frozen=True)
class ResidentSaving:
    name: str
    address: str
    units: int
    saved_fen: int


@dataclass(frozen=True)
class MonthSavings:
    month: date  # the 1st
    saved_fen: int
    spent_fen: int
    residents: int
    deals: tuple[DealSaving, ...]
    by_resident: tuple[ResidentSaving, ...]  # most saved first

    @property
    def per_resident_fen(self) -> int:
        return self.saved_fen // self.residents if self.residents else 0


def month_start(core: Core, community: Community, months_back: int = 0) -> date:
    today = core.now().astimezone(community.zone).date()
    index = today.year * 12 + today.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _bounds(community: Community, first: date) -> tuple[datetime, datetime]:
    zone = community.zone
    start = datetime(first.year, first.month, 1, tzinfo=zone)
    end_day = _next_month(first)
    return start, datetime(end_day.year, end_day.month, 1, tzinfo=zone)


def _orders(session: Session, community: Community, first: date) -> list:  # type: ignore[type-arg]
    start, end = _bounds(community, first)
    return list(
        session.execute(
            select(Order.quantity, Order.resident_id, Deal)
            .join(Deal, Deal.id == Order.deal_id)
            .where(
                Deal.community_id == community.id,
                Deal.status != DealStatus.CANCELLED,
                Order.status.in_(BOUGHT),
                Order.created_at >= start,
                Order.created_at < end,
            )
        ).all()
    )


@acting(by=None)
def month_savings(core: Core, *, community_id: int, month: date | None = None) -> MonthSavings:
    """One month's savings with the evidence: each deal's market price and its sources."""
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        first = (month or month_start(core, community)).replace(day=1)
        rows = _orders(session, community, first)
        today = core.now().astimezone(community.zone).date()
        per_deal: dict[int, list] = {}  # type: ignore[type-arg]
        per_resident: dict[int, list[int]] = {}
        deals: dict[int, Deal] = {}
        for quantity, resident_id, deal in rows:
            deals[deal.id] = deal
            saved = quantity * deal.saving_fen
            per_deal.setdefault(deal.id, []).append((quantity, resident_id, saved))
            totals = per_resident.setdefault(resident_id, [0, 0])
            totals[0] += quantity
            totals[1] += saved
        deal_savings = tuple(
            sorted(
                (
                    DealSaving(
                        deal=DealView.of(deals[deal_id]),
                        market=market_price_of(session, deals[deal_id], today=today),
                        units=sum(q for q, _, _ in items),
                        residents=len({r for _, r, _ in items}),
                        saved_fen=sum(s for _, _, s in items),
                    )
                    for deal_id, items in per_deal.items()
                ),
                key=lambda d: (-d.saved_fen, d.deal.number),
            )
        )
        people = {
            r.id: r
            for r in session.scalars(select(Resident).where(Resident.id.in_(list(per_resident))))
        }
        by_resident = tuple(
            sorted(
                (
                    ResidentSaving(
                        people[rid].name,
                        "-".join(
                            p
                            for p in (people[rid].building, people[rid].unit, people[rid].room)
                            if p
                        ),
                        units,
                        saved,
                    )
                    for rid, (units, saved) in per_resident.items()
                ),
                key=lambda r: (-r.saved_fen, r.name),
            )
        )
        return MonthSavings(
            month=first,
            saved_fen=sum(d.saved_fen for d in deal_savings),
            spent_fen=sum(q * d.price_fen for q, _, d in rows),
            residents=len(per_resident),
            deals=deal_savings,
            by_resident=by_resident,
        )


@acting(by=None)
def savings_by_month(core: Core, *, community_id: int, months: int = 6) -> list[tuple[date, int]]:
    """The saving of each of the last `months` months, oldest first: the dashboard's plot."""
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        series = []
        for back in range(months - 1, -1, -1):
            first = month_start(core, community, back)
            rows = _orders(session, community, first)
            series.append((first, sum(q * d.saving_fen for q, _, d in rows)))
        return series
