"""What residents' scores add up to: per deal, per supplier, per tasting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.context import Core
from core.deals.models import Deal
from core.residents.models import Resident
from core.tastings.models import Rating, RatingKind, Tasting


@dataclass(frozen=True)
class Comment:
    name: str
    score: int
    words: str
    kind: str
    at: datetime


@dataclass(frozen=True)
class RatingSummary:
    asked: int
    scored: int
    average: float | None  # None before the first score
    comments: tuple[Comment, ...] = ()


@dataclass(frozen=True)
class TastingLine:
    deal_id: int
    deal_number: int
    title_zh: str
    title_en: str
    started_at: datetime
    sample: RatingSummary


def _summary(session: Session, *where: object, with_comments: bool = True) -> RatingSummary:
    asked, scored, average = session.execute(
        select(func.count(Rating.id), func.count(Rating.score), func.avg(Rating.score)).where(
            *where  # type: ignore[arg-type]
        )
    ).one()
    comments: tuple[Comment, ...] = ()
    if with_comments:
        rows = session.execute(
            select(Resident.name, Rating.score, Rating.words, Rating.kind, Rating.scored_at)
            .join(Resident, Resident.id == Rating.resident_id)
            .where(Rating.score.is_not(None), *where)  # type: ignore[arg-type]
            .order_by(Rating.scored_at.desc())
            .limit(50)
        ).all()
        comments = tuple(Comment(*row) for row in rows)
    return RatingSummary(
        asked, scored, round(float(average), 1) if average is not None else None, comments
    )


def deal_ratings(session: Session, *, community_id: int, deal_id: int) -> dict[str, RatingSummary]:
    """Per kind (sample, pickup): how many were asked, scored, the average and the words."""
    return {
        kind.value: _summary(
            session,
            Rating.community_id == community_id,
            Rating.deal_id == deal_id,
            Rating.kind == kind,
        )
        for kind in RatingKind
    }


@acting(by=None)
def ratings_of_deal(core: Core, *, community_id: int, deal_id: int) -> dict[str, RatingSummary]:
    """The deal page's scores: the tasting's samples and what residents said after pickup."""
    with core.db.transaction() as session:
        return deal_ratings(session, community_id=community_id, deal_id=deal_id)


def supplier_rating(session: Session, *, community_id: int, supplier_id: int) -> RatingSummary:
    """Every score given to the supplier's deals in the community (the supplier page's figure)."""
    deals = select(Deal.id).where(
        Deal.community_id == community_id, Deal.supplier_id == supplier_id
    )
    return _summary(
        session,
        Rating.community_id == community_id,
        Rating.deal_id.in_(deals),
        with_comments=False,
    )


def tastings(core: Core, *, community_id: int) -> list[TastingLine]:
    """The community's tastings, newest first, each with its samples' scores."""
    with core.db.transaction() as session:
        rows = session.execute(
            select(Tasting, Deal)
            .join(Deal, Deal.id == Tasting.deal_id)
            .where(Tasting.community_id == community_id)
            .order_by(Tasting.created_at.desc())
        ).all()
        return [
            TastingLine(
                deal.id,
                deal.number,
                deal.title_zh,
                deal.title_en,
                tasting.created_at,
                _summary(
                    session,
                    Rating.community_id == community_id,
                    Rating.deal_id == deal.id,
                    Rating.kind == RatingKind.SAMPLE,
                ),
            )
            for tasting, deal in rows
        ]
