"""The figures on the console's front page: how each open deal stands, and the month so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.community.models import Community
from core.context import Core
from core.deals.models import Deal, DealStatus
from core.orders.models import Order, OrderStatus
from core.results import DealView

#: Orders that count as bought: not cancelled, and not left uncollected.
BOUGHT = (OrderStatus.PLACED, OrderStatus.PICKED_UP)


@dataclass(frozen=True)
class DealProgress:
    deal: DealView
    orders: int
    by_channel: dict[str, int]
    time_left: timedelta  # zero once the deadline has passed
    minimum_percent: int  # 0-100, how far toward going ahead
    cap_percent: int | None  # 0-100 of the stock cap, None without a cap

    @property
    def goes_ahead(self) -> bool:
        return self.deal.units_to_go_ahead == 0

    @property
    def sold_out(self) -> bool:
        return self.deal.units_left == 0


@dataclass(frozen=True)
class MonthFigures:
    month_start: datetime  # local midnight on the 1st, in the community's zone
    orders: int
    residents: int
    units: int
    spent_fen: int
    saved_fen: int  # against the surveyed market prices
    by_channel: dict[str, int]


@dataclass(frozen=True)
class Dashboard:
    open_deals: list[DealProgress]
    awaiting_pickup: list[DealProgress]  # gone ahead (成团), pickup not over
    drafts: list[DealView]
    month: MonthFigures


def _percent(part: int, whole: int) -> int:
    return 100 if whole <= 0 else min(100, round(100 * part / whole))


@acting(by=None)
def dashboard(core: Core, *, community_id: int) -> Dashboard:
    now = core.now()
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        deals = session.scalars(
            select(Deal)
            .where(
                Deal.community_id == community_id,
                Deal.status.in_([DealStatus.DRAFT, DealStatus.OPEN, DealStatus.CONFIRMED]),
            )
            .order_by(Deal.closes_at, Deal.number)
        ).all()
        counts: dict[int, dict[str, int]] = {}
        for deal_id, channel, count in session.execute(
            select(Order.deal_id, Order.channel, func.count())
            .where(Order.deal_id.in_([d.id for d in deals]), Order.status.in_(BOUGHT))
            .group_by(Order.deal_id, Order.channel)
        ):
            counts.setdefault(deal_id, {})[channel] = int(count)

        def progress(deal: Deal) -> DealProgress:
            by_channel = counts.get(deal.id, {})
            return DealProgress(
                deal=DealView.of(deal),
                orders=sum(by_channel.values()),
                by_channel=by_channel,
                time_left=max(deal.closes_at - now, timedelta(0)),
                minimum_percent=_percent(deal.units_ordered, deal.min_units),
                cap_percent=None
                if deal.stock_cap is None
                else _percent(deal.units_ordered, deal.stock_cap),
            )

        return Dashboard(
            open_deals=[progress(d) for d in deals if d.status == DealStatus.OPEN],
            awaiting_pickup=[progress(d) for d in deals if d.status == DealStatus.CONFIRMED],
            drafts=[DealView.of(d) for d in deals if d.status == DealStatus.DRAFT],
            month=_month(session, community, now),
        )


def _month(session: Session, community: Community, now: datetime) -> MonthFigures:
    """This calendar month in the community's zone: orders placed, spent and saved."""
    local = now.astimezone(community.zone)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = session.execute(
        select(
            Order.channel,
            Order.resident_id,
            Order.quantity,
            Deal.price_fen,
            Deal.market_price_fen,
        )
        .join(Deal, Deal.id == Order.deal_id)
        .where(
            Deal.community_id == community.id,
            Deal.status != DealStatus.CANCELLED,
            Order.status.in_(BOUGHT),
            Order.created_at >= start,
        )
    ).all()
    by_channel: dict[str, int] = {}
    for channel, *_ in rows:
        by_channel[channel] = by_channel.get(channel, 0) + 1
    return MonthFigures(
        month_start=start,
        orders=len(rows),
        residents=len({r.resident_id for r in rows}),
        units=sum(r.quantity for r in rows),
        spent_fen=sum(r.quantity * r.price_fen for r in rows),
        saved_fen=sum(
            r.quantity * max((r.market_price_fen or r.price_fen) - r.price_fen, 0) for r in rows
        ),
        by_channel=by_channel,
    )
