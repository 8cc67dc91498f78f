"""Recording market prices (by a survey team member's text, or by staff) and setting a
deal's market price by hand. Each call owns its transaction and keeps the deals' market
prices in step (core.prices.market)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.community.models import Community
from core.context import Core
from core.deals.models import UNFINISHED, Deal
from core.prices.market import refresh_market_prices
from core.prices.models import MarketPriceOverride, PriceObservation
from core.residents.services import resident_by_phone
from core.teams.models import TeamKind
from core.teams.services import is_member

MAX_PRICE_FEN = 10_000_00  # ten thousand yuan: above it a digit was surely doubled


class PriceRefusal(enum.StrEnum):
    NOT_REGISTERED = "not_registered"
    NOT_ON_TEAM = "not_on_team"
    BAD_PRICE = "bad_price"
    FUTURE_DATE = "future_date"


@dataclass(frozen=True)
class PriceSeen:
    """What a survey text or a staff form says was seen."""

    product: str
    place: str
    price_fen: int
    amount: int = 1
    unit: str = ""
    observed_on: date | None = None  # the community's today when not said


@dataclass(frozen=True)
class PriceRecorded:
    product: str
    place: str
    price_fen: int
    amount: int
    unit: str
    observed_on: date
    again: bool = False  # the same text once more: recorded the first time


def local_today(core: Core, community: Community) -> date:
    return core.now().astimezone(community.zone).date()


def _valid(seen: PriceSeen) -> bool:
    return (
        0 < seen.price_fen <= MAX_PRICE_FEN
        and 1 <= seen.amount <= 999
        and 0 < len(seen.product.strip()) <= 40
        and 0 < len(seen.place.strip()) <= 60
        and len(seen.unit) <= 10
    )


def _record(
    session: Session, core: Core, community: Community, seen: PriceSeen, **who: object
) -> PriceRecorded:
    today = local_today(core, community)
    row = PriceObservation(
        community_id=community.id,
        product=seen.product.strip(),
        place=seen.place.strip(),
        price_fen=seen.price_fen,
        amount=seen.amount,
        unit=seen.unit,
        observed_on=seen.observed_on or today,
        **who,
    )
    session.add(row)
    session.flush()
    refresh_market_prices(session, community_id=community.id, today=today)
    return PriceRecorded(
        row.product, row.place, row.price_fen, row.amount, row.unit, row.observed_on
    )


def record_price_by_text(
    core: Core, *, community_id: int, phone: str, seen: PriceSeen, key: str
) -> PriceRecorded | PriceRefusal:
    """A survey team member's text: recorded once per provider id, for members only."""
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return PriceRefusal.NOT_REGISTERED
        if not is_member(
            session,
            community_id=community_id,
            resident_id=resident.id,
            team=TeamKind.PRICE_SURVEY,
        ):
            return PriceRefusal.NOT_ON_TEAM
        if not _valid(seen):
            return PriceRefusal.BAD_PRICE
        earlier = session.scalar(
            select(PriceObservation).where(
                PriceObservation.community_id == community_id, PriceObservation.source_key == key
            )
        )
        if earlier is not None:
            return PriceRecorded(
                earlier.product,
                earlier.place,
                earlier.price_fen,
                earlier.amount,
                earlier.unit,
                earlier.observed_on,
                again=True,
            )
        return _record(
            session,
            core,
            community,
            seen,
            resident_id=resident.id,
            recorded_by=resident.name,
            source_key=key,
        )


@acting()
def record_price(
    core: Core, *, community_id: int, seen: PriceSeen, by: str = ""
) -> PriceRecorded | PriceRefusal:
    """Staff type in what the team reported on paper or by phone."""
    if not _valid(seen):
        return PriceRefusal.BAD_PRICE
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        if seen.observed_on is not None and seen.observed_on > local_today(core, community):
            return PriceRefusal.FUTURE_DATE  # a typed date a year off, not a price to count
        return _record(session, core, community, seen, recorded_by=by)


class BadMarketPrice(ValueError):
    """A staff market price that cannot stand: `reason` is "bad_price" (not above 0) or
    "note_missing" (a price needs its evidence)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@acting()
def set_market_price(
    core: Core, *, community_id: int, deal_id: int, price_fen: int | None, note: str, by: str = ""
) -> bool:
    """Staff's market price for an unfinished deal, with a note; None goes back to the survey.

    The deal is named by its database id, as every console page names it. False when
    there is no such unfinished deal here: a finished deal keeps the figure its savings
    were counted with. The note is required with a price: the printable page shows it
    as the evidence (BadMarketPrice without it, or for a price not above 0).
    """
    if price_fen is not None and not note.strip():
        raise BadMarketPrice("note_missing")
    if price_fen is not None and price_fen <= 0:
        raise BadMarketPrice("bad_price")
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        deal = _unfinished_deal(session, community_id, deal_id)
        if deal is None:
            return False
        override = session.get(MarketPriceOverride, deal.id)
        if price_fen is None:
            if override is not None:
                session.delete(override)
        elif override is None:
            session.add(
                MarketPriceOverride(
                    deal_id=deal.id, price_fen=price_fen, note=note.strip()[:200], set_by=by
                )
            )
        else:
            override.price_fen, override.note, override.set_by = price_fen, note.strip()[:200], by
            override.set_at = core.now()
        session.flush()
        refresh_market_prices(
            session, community_id=community_id, today=local_today(core, community)
        )
        return True


def _unfinished_deal(session: Session, community_id: int, deal_id: int) -> Deal | None:
    deal = session.get(Deal, deal_id)
    if deal is None or deal.community_id != community_id or deal.status not in UNFINISHED:
        return None
    return deal
