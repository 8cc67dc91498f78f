"""A deal's market price: staff's override, else the survey's median, else what was typed.

The figure lives on `deals.market_price_fen`, so every saving (the dashboard's month, the
order replies, the savings pages) reads one number; this module keeps it in step with
the observations and says where it came from.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.community.models import Community
from core.deals.models import UNFINISHED, Deal
from core.prices.median import RECENT_DAYS, Seen, median_fen, recent, speaks_for, unit_labels
from core.prices.models import MarketPriceOverride, PriceObservation


class PriceSource(enum.StrEnum):
    OVERRIDE = "override"  # staff set it, with a note
    SURVEY = "survey"  # the median of the recent observations
    TYPED = "typed"  # typed with the deal, no observation yet
    NONE = "none"


@dataclass(frozen=True)
class ObservationView:
    id: int
    product: str
    place: str
    price_fen: int
    amount: int
    unit: str
    observed_on: date
    recorded_by: str

    @classmethod
    def of(cls, row: PriceObservation) -> ObservationView:
        return cls(
            row.id,
            row.product,
            row.place,
            row.price_fen,
            row.amount,
            row.unit,
            row.observed_on,
            row.recorded_by,
        )

    @property
    def amount_label(self) -> str:
        return f"{self.amount}{self.unit}" if self.unit else ""


@dataclass(frozen=True)
class MarketPrice:
    """The deal's market price and its evidence."""

    price_fen: int | None
    source: PriceSource
    median_fen: int | None
    sources: tuple[ObservationView, ...]  # the observations the median was taken over
    note: str = ""
    set_by: str = ""


def deal_names(deal: Deal) -> tuple[str, ...]:
    return (deal.title_zh, deal.title_en, *(deal.aliases or ()))


def _seen(row: PriceObservation) -> Seen:
    return Seen(row.product, row.price_fen, row.amount, row.unit, row.observed_on)


def survey_for(session: Session, deal: Deal, *, today: date) -> list[PriceObservation]:
    """The recent observations that price what the deal sells, newest first."""
    until = min(today, deal.closes_at.astimezone(_zone(session, deal)).date())
    since = date.fromordinal(until.toordinal() - RECENT_DAYS)
    rows = session.scalars(
        select(PriceObservation)
        .where(
            PriceObservation.community_id == deal.community_id,
            PriceObservation.observed_on >= since,
            PriceObservation.observed_on <= until,
        )
        .order_by(PriceObservation.observed_on.desc(), PriceObservation.id.desc())
    ).all()
    names, labels = deal_names(deal), unit_labels(deal.unit, deal.title_zh)
    return [
        r
        for r in rows
        if recent(_seen(r), until=until) and speaks_for(_seen(r), names=names, labels=labels)
    ]


def market_price_of(session: Session, deal: Deal, *, today: date) -> MarketPrice:
    override = session.get(MarketPriceOverride, deal.id)
    sources = tuple(ObservationView.of(r) for r in survey_for(session, deal, today=today))
    median = median_fen([s.price_fen for s in sources])
    if override is not None:
        return MarketPrice(
            override.price_fen,
            PriceSource.OVERRIDE,
            median,
            sources,
            override.note,
            override.set_by,
        )
    if median is not None:
        return MarketPrice(median, PriceSource.SURVEY, median, sources)
    if deal.market_price_fen is not None:
        return MarketPrice(deal.market_price_fen, PriceSource.TYPED, None, ())
    return MarketPrice(None, PriceSource.NONE, None, ())


def refresh_market_prices(session: Session, *, community_id: int, today: date) -> None:
    """Write each unfinished deal's market price from its override or the survey.

    Finished deals keep the figure their savings were counted with. A deal with neither
    an override nor an observation keeps the price typed with it.
    """
    deals = session.scalars(
        select(Deal).where(Deal.community_id == community_id, Deal.status.in_(UNFINISHED))
    ).all()
    for deal in deals:
        price = market_price_of(session, deal, today=today)
        if price.source in (PriceSource.OVERRIDE, PriceSource.SURVEY):
            deal.market_price_fen = price.price_fen


def _zone(session: Session, deal: Deal):  # type: ignore[no-untyped-def]
    return session.get_one(Community, deal.community_id).zone
