"""The console's read side of the survey: recent observations, a deal's market price."""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.acting import acting
from core.community.models import Community
from core.context import Core
from core.deals.models import UNFINISHED, Deal
from core.prices.market import MarketPrice, ObservationView, market_price_of
from core.prices.models import PriceObservation
from core.results import DealView


@acting(by=None)
def recent_observations(
    core: Core, *, community_id: int, limit: int = 200
) -> list[ObservationView]:
    with core.db.transaction() as session:
        rows = session.scalars(
            select(PriceObservation)
            .where(PriceObservation.community_id == community_id)
            .order_by(PriceObservation.observed_on.desc(), PriceObservation.id.desc())
            .limit(limit)
        ).all()
        return [ObservationView.of(r) for r in rows]


@acting(by=None)
def deal_market_prices(core: Core, *, community_id: int) -> list[tuple[DealView, MarketPrice]]:
    """Every unfinished deal with its market price and the evidence for it."""
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        today = core.now().astimezone(community.zone).date()
        deals = session.scalars(
            select(Deal)
            .where(Deal.community_id == community_id, Deal.status.in_(UNFINISHED))
            .order_by(Deal.number)
        ).all()
        return [(DealView.of(d), market_price_of(session, d, today=today)) for d in deals]


@acting(by=None)
def deal_market_price(
    core: Core, *, community_id: int, deal_id: int
) -> tuple[DealView, MarketPrice] | None:
    """One deal's market price and its evidence, by the deal's id; finished deals too
    (they keep the figure their savings were counted with). None: no such deal here."""
    with core.db.transaction() as session:
        deal = session.get(Deal, deal_id)
        if deal is None or deal.community_id != community_id:
            return None
        community = session.get_one(Community, community_id)
        today = core.now().astimezone(community.zone).date()
        return DealView.of(deal), market_price_of(session, deal, today=today)
