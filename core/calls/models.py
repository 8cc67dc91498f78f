from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class CallbackState(enum.StrEnum):
    REQUESTED = "requested"  # the resident's call was rejected; a call back is owed
    PLACING = "placing"  # a worker has claimed it and is asking Twilio to ring
    PLACED = "placed"  # Twilio accepted the outbound call
    RECORDED = "recorded"  # console sender: logged, nothing dialled
    FAILED = "failed"
    SKIPPED = "skipped"  # the queue was unreachable, so the call was answered instead


class VoiceCall(Base):
    """One phone call, inbound or placed by us; unique on Twilio's CallSid.

    The menu itself keeps no state here: each step's state travels in the signed
    action URL, so a retried step is answered the same way. This row is the call's
    record (who, when, how it ended) and carries the call-me-back promise.
    """

    __tablename__ = "voice_calls"
    __table_args__ = (Index("ix_voice_calls_resident_id_created_at", "resident_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), default=None)
    phone: Mapped[str] = mapped_column(String(40))  # the resident's side of the call
    direction: Mapped[str] = mapped_column(String(20), default="inbound")
    status: Mapped[str] = mapped_column(String(20), default="ringing")
    duration_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    callback: Mapped[str | None] = mapped_column(String(12), default=None)
    callback_sid: Mapped[str | None] = mapped_column(String(64), default=None)
    callback_error: Mapped[str | None] = mapped_column(String(200), default=None)
    # A call-back asked for while the database was down: when the caller pressed the key
    # (kept in the spool) and when the request was taken in from there.
    spooled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    taken_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
