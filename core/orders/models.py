from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class OrderStatus(enum.StrEnum):
    PLACED = "placed"
    CANCELLED = "cancelled"
    PICKED_UP = "picked_up"
    NO_SHOW = "no_show"


class Channel(enum.StrEnum):
    SMS = "sms"
    VOICE = "voice"
    STAFF = "staff"


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("deal_id", "resident_id"),
        UniqueConstraint("deal_id", "pickup_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=OrderStatus.PLACED)
    channel: Mapped[str] = mapped_column(String(8))
    # Bumped on every change, so each change's confirmation has its own dedupe key.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    placed_by: Mapped[str | None] = mapped_column(String(80), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Four digits the resident says at the desk; the same for all of a resident's orders
    # collected on one pickup day, unique among that day's households (core/orders/pickup_codes).
    pickup_code: Mapped[str | None] = mapped_column(String(4), default=None)
    # Who handed the goods over. The money taken is the ledger's (core/books), never here.
    picked_up_by: Mapped[str | None] = mapped_column(String(80), default=None)

    @property
    def is_active(self) -> bool:
        return self.status in (OrderStatus.PLACED, OrderStatus.PICKED_UP)


class IdempotencyKey(Base):
    """The result of a provider-triggered action, keyed by MessageSid or CallSid + step.

    Twilio retries webhooks; a key seen before returns the stored result instead
    of acting twice.
    """

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    result: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
