"""The books' tables: the ledger, what the supplier delivered, the cash counts, the complaints.

The ledger is append-only: a mistake is put right by a new entry, never by editing
one, so the books can always be read back as they were on any day.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class EntryKind(enum.StrEnum):
    COLLECTED = "collected"  # money taken from a household at pickup
    REFUNDED = "refunded"  # money given back (a quality problem, an overpayment)
    CREDITED = "credited"  # owed back as credit against a later buy
    PAID_SUPPLIER = "paid_supplier"  # the committee paid the supplier
    ADJUSTED = "adjusted"  # what an order is worth changed (a short delivery): signed


class PayMethod(enum.StrEnum):
    CASH = "cash"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    CREDIT = "credit"


class ShareRule(enum.StrEnum):
    FIRST_COME = "first_come"  # first ordered, first served
    PRO_RATA = "pro_rata"  # in proportion, whole units, largest remainder


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_community_at", "community_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), default=None, index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), default=None)
    kind: Mapped[str] = mapped_column(String(16))
    # Positive for every kind but ADJUSTED, whose sign says which way the order's worth moved.
    amount_fen: Mapped[int] = mapped_column(Integer)
    method: Mapped[str | None] = mapped_column(String(10), default=None)
    note: Mapped[str] = mapped_column(String(200), default="")
    by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    """What the supplier actually brought for a deal, and how a shortfall was shared."""

    __tablename__ = "deal_deliveries"
    __table_args__ = (UniqueConstraint("deal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"))
    ordered_units: Mapped[int] = mapped_column(Integer)
    delivered_units: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str | None] = mapped_column(String(12), default=None)
    carried_to_deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), default=None)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class CashCount(Base):
    """The cash in the box at the end of a day, against what the ledger says it should be."""

    __tablename__ = "cash_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    day: Mapped[date] = mapped_column(Date)  # the community's local day
    expected_fen: Mapped[int] = mapped_column(Integer)
    counted_fen: Mapped[int] = mapped_column(Integer)
    difference_fen: Mapped[int] = mapped_column(Integer)  # counted - expected
    note: Mapped[str] = mapped_column(String(200), default="")
    by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QualityReport(Base):
    """A resident's problem with goods they collected, tied to the order and its help item."""

    __tablename__ = "quality_reports"
    __table_args__ = (UniqueConstraint("help_request_id", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    help_request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    # The supplier's name when reported: the rate is kept per name, for the next buy.
    supplier_name: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(8))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
