from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class CallDirection(enum.StrEnum):
    """Who rang: stored as the carrier says it, so an outbound-api leg keeps its name."""

    INBOUND = "inbound"
    OUTBOUND_API = "outbound-api"  # a call we placed (a call back, a reminder)


class CallStatus(enum.StrEnum):
    """Where a call stands, in the carrier's words (Twilio's CallStatus)."""

    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"


#: A call that rang and was not answered, or could not ring at all.
UNANSWERED = frozenset(
    {CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED, CallStatus.CANCELED}
)
#: A call over, answered or not: a later status never reopens it.
ENDED = UNANSWERED | {CallStatus.COMPLETED}


class CallbackState(enum.StrEnum):
    REQUESTED = "requested"  # the resident's call was rejected; a call back is owed
    PLACING = "placing"  # a worker has claimed it and is asking Twilio to ring
    PLACED = "placed"  # Twilio accepted the outbound call
    RECORDED = "recorded"  # console sender: logged, nothing dialled
    FAILED = "failed"
    SKIPPED = "skipped"  # the queue was unreachable, so the call was answered instead
    NEEDS_STAFF = "needs_staff"  # a person must ring back: see `callback_reason`
    DONE = "done"  # a staff member rang back (or settled it) and said so


class CallbackReason(enum.StrEnum):
    """Why a call back waits for a person rather than for the machine."""

    OUT_OF_HOURS = "out_of_hours"  # asked for a person when nobody was there
    NO_ANSWER = "no_answer"  # put through to the staff line; nobody picked up
    NO_STAFF_LINE = "no_staff_line"  # the committee named no staff phone
    RETRIES_FAILED = "retries_failed"  # our automatic call backs all went unanswered
    UNKNOWN_CALLER = "unknown_caller"  # not registered, and asked to be rung back
    NUMBER_FAILING = "number_failing"  # call backs to this number keep failing: not retried


class VoiceCall(Base):
    """One phone call, inbound or placed by us; unique on Twilio's CallSid.

    The menu itself keeps no state here: each step's state travels in the signed
    action URL, so a retried step is answered the same way. This row is the call's
    record (who, when, how it ended) and carries the call-me-back promise.
    """

    __tablename__ = "voice_calls"
    __table_args__ = (
        Index("ix_voice_calls_resident_id_created_at", "resident_id", "created_at"),
        Index("ix_voice_calls_community_id_callback", "community_id", "callback"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), default=None)
    phone: Mapped[str] = mapped_column(String(40))  # the resident's side of the call
    direction: Mapped[str] = mapped_column(String(20), default=CallDirection.INBOUND)
    status: Mapped[str] = mapped_column(String(20), default=CallStatus.RINGING)
    duration_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    callback: Mapped[str | None] = mapped_column(String(12), default=None)
    callback_sid: Mapped[str | None] = mapped_column(String(64), default=None)
    callback_error: Mapped[str | None] = mapped_column(String(200), default=None)
    # A call-back asked for while the database was down: when the caller pressed the key
    # (kept in the spool) and when the request was taken in from there.
    spooled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    taken_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    callback_reason: Mapped[str | None] = mapped_column(String(20), default=None)
    callback_tries: Mapped[int] = mapped_column(Integer, default=0)
    # A failed automatic call back is tried again from this moment (within staff hours).
    callback_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Since when the call back has waited for a person (needs_staff).
    callback_since: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    callback_done_by: Mapped[str | None] = mapped_column(String(50), default=None)
    callback_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
