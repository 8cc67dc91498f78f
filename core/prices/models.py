"""Market prices as the survey team saw them, and staff's word on a deal's market price."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class PriceObservation(Base):
    """One price seen at one place on one day: 小米 5斤 30元 at 菜市场."""

    __tablename__ = "price_observations"
    # A text retried by the carrier records its price once: keyed on the provider's id.
    __table_args__ = (UniqueConstraint("community_id", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    product: Mapped[str] = mapped_column(String(40), index=True)
    place: Mapped[str] = mapped_column(String(60))
    price_fen: Mapped[int] = mapped_column(Integer)
    # The amount the price is for: 5 and 斤 for "5斤 30"; 1 and "" when none was named,
    # which means the deal's own unit (a 箱 of pears, a 桶 of oil).
    amount: Mapped[int] = mapped_column(Integer, default=1)
    unit: Mapped[str] = mapped_column(String(10), default="")
    observed_on: Mapped[date] = mapped_column(Date)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), default=None)
    recorded_by: Mapped[str] = mapped_column(String(50), default="")
    source_key: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MarketPriceOverride(Base):
    """Staff's market price for a deal, with why: it wins over the survey's median."""

    __tablename__ = "market_price_overrides"

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), primary_key=True)
    price_fen: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200))
    set_by: Mapped[str] = mapped_column(String(50), default="")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
