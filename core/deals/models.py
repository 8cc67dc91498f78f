from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class DealStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"  # ordering stopped, outcome not yet decided
    CONFIRMED = "confirmed"  # 成团: it goes ahead
    CANCELLED = "cancelled"  # called off
    FULFILLED = "fulfilled"  # pickup is over


#: A deal in one of these holds its short number; finished deals free it for reuse.
UNFINISHED = (DealStatus.DRAFT, DealStatus.OPEN, DealStatus.CLOSED, DealStatus.CONFIRMED)
_UNFINISHED_SQL = "status IN ('draft', 'open', 'closed', 'confirmed')"


class IfShort(enum.StrEnum):
    CANCEL = "cancel"
    EXTEND = "extend"


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (
        Index(
            "uq_deals_number_unfinished",
            "community_id",
            "number",
            unique=True,
            sqlite_where=text(_UNFINISHED_SQL),
            postgresql_where=text(_UNFINISHED_SQL),
        ),
        CheckConstraint("number BETWEEN 1 AND 99", name="number_range"),
        CheckConstraint("stock_cap IS NULL OR units_ordered <= stock_cap", name="within_cap"),
        CheckConstraint("units_ordered >= 0", name="units_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title_zh: Mapped[str] = mapped_column(String(40))
    title_en: Mapped[str] = mapped_column(String(60), default="")
    unit: Mapped[str] = mapped_column(String(10))
    price_fen: Mapped[int] = mapped_column(Integer)
    market_price_fen: Mapped[int | None] = mapped_column(Integer, default=None)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), default=None)
    min_units: Mapped[int] = mapped_column(Integer, default=1)
    if_short: Mapped[str] = mapped_column(String(10), default=IfShort.CANCEL)
    extend_hours: Mapped[int] = mapped_column(Integer, default=0)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    stock_cap: Mapped[int | None] = mapped_column(Integer, default=None)
    per_resident_limit: Mapped[int | None] = mapped_column(Integer, default=None)
    # Kept in step with the orders by conditional UPDATEs: the one number that
    # concurrent orders race for, so the stock cap can be enforced in one statement.
    units_ordered: Mapped[int] = mapped_column(Integer, default=0)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pickup_start: Mapped[datetime] = mapped_column(UTCDateTime)
    pickup_end: Mapped[datetime] = mapped_column(UTCDateTime)
    pickup_place: Mapped[str] = mapped_column(String(200), default="")
    # Other names residents use for it (鸭梨, 黄小米), besides those read from its titles.
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default=DealStatus.DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_zh

    @property
    def saving_fen(self) -> int:
        """What one unit saves against the surveyed market price (never negative)."""
        if self.market_price_fen is None:
            return 0
        return max(self.market_price_fen - self.price_fen, 0)

    @property
    def units_to_go_ahead(self) -> int:
        return max(self.min_units - self.units_ordered, 0)

    @property
    def units_left(self) -> int | None:
        return None if self.stock_cap is None else max(self.stock_cap - self.units_ordered, 0)

    def is_taking_orders(self, now: datetime) -> bool:
        return (
            self.status == DealStatus.OPEN
            and now < self.closes_at
            and (self.opens_at is None or self.opens_at <= now)
        )
