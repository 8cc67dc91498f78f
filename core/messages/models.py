from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class Direction(enum.StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class MessageKind(enum.StrEnum):
    INBOUND = "inbound"
    REPLY = "reply"
    CONFIRMATION = "confirmation"
    REMINDER = "reminder"
    BROADCAST = "broadcast"
    DEAL_UPDATE = "deal_update"
    STAFF_REPLY = "staff_reply"  # a committee member's answer from the help inbox


class MessageStatus(enum.StrEnum):
    RECEIVED = "received"  # inbound only
    PENDING = "pending"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"  # written for the record, deliberately not sent


#: How far along each status is; a status only ever moves to a higher rank, because
#: Twilio's callbacks repeat and arrive out of order.
STATUS_RANK: dict[str, int] = {
    MessageStatus.RECEIVED: 0,
    MessageStatus.PENDING: 0,
    MessageStatus.QUEUED: 1,
    MessageStatus.SENDING: 2,
    MessageStatus.SENT: 3,
    MessageStatus.DELIVERED: 4,
    MessageStatus.UNDELIVERED: 4,
    MessageStatus.FAILED: 4,
    MessageStatus.SUPPRESSED: 4,
}


class MessageChannel(enum.StrEnum):
    SMS = "sms"
    VOICE = "voice"  # a reminder call to a landline, spoken from the same catalog


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_status_not_before", "status", "not_before"),
        # The loop guard counts recent identical texts to one number on every send.
        Index("ix_messages_phone_sent_at", "phone", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), index=True, default=None)
    direction: Mapped[str] = mapped_column(String(3))
    channel: Mapped[str] = mapped_column(String(5), default=MessageChannel.SMS)
    phone: Mapped[str] = mapped_column(String(40))  # the resident's side of the conversation
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12))
    segments: Mapped[int] = mapped_column(Integer, default=1)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    error_code: Mapped[str | None] = mapped_column(String(10), default=None)
    error_detail: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Unique: the same reminder or confirmation can never be written twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True, default=None)
    # A staff bulk reminder's rows share one batch id, so its progress can be read.
    batch_id: Mapped[str | None] = mapped_column(String(32), index=True, default=None)
    # After this a message is pointless (a pickup reminder once pickup ended): never sent.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # A reply answered inline in the webhook's TwiML (the queue was unreachable).
    inline: Mapped[bool] = mapped_column(default=False)
    # An inbound text that came while the database was down: when it arrived (kept on
    # the web host's disk, the spool) and when it was taken in from there.
    spooled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    taken_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
