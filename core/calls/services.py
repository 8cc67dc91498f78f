"""Recording calls and keeping the call-me-back promise.

A call-me-back community rejects a resident's call (so it costs them nothing)
and rings them back. Whether to do so is decided here: only for registered
residents, only once per call, and not again within a few minutes, so a resident
who misses the call back and rings again is simply answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.calls.models import ENDED, UNANSWERED, CallbackState, CallDirection, CallStatus, VoiceCall
from core.calls.retries import schedule_retry
from core.community.models import Community
from core.context import Core
from core.phones import try_normalize_phone
from core.residents.services import ResidentView, resident_by_phone

#: A second call within this time is answered instead of rejected again.
CALLBACK_COOLDOWN = timedelta(minutes=10)
_OWED = (CallbackState.REQUESTED, CallbackState.PLACING, CallbackState.PLACED)


@dataclass(frozen=True)
class CallStart:
    """Who is calling and what to do with the call."""

    call_id: int
    resident: ResidentView | None
    callback_owed: bool  # reject this call and ring the resident back


@dataclass(frozen=True)
class CallbackTask:
    """What a worker needs to ring a resident back."""

    call_id: int
    call_sid: str
    to: str
    from_: str


def identify(
    core: Core, *, community_phone: str, phone: str
) -> tuple[Community, ResidentView | None] | None:
    """The community called and the resident calling, in one transaction; None: not our line.

    Every menu step asks this, so it is one round trip rather than two.
    """
    community_e164 = try_normalize_phone(community_phone)
    if community_e164 is None:
        return None
    with core.db.transaction() as session:
        community = session.scalar(select(Community).where(Community.phone == community_e164))
        if community is None:
            return None
        resident = resident_by_phone(session, community.id, phone)
        return community, ResidentView.of(resident) if resident else None


def start_call(
    core: Core,
    *,
    community_id: int,
    call_sid: str,
    phone: str,
    direction: str = CallDirection.INBOUND,
    offer_callback: bool = True,
) -> CallStart:
    """Record a call (once per CallSid) and decide whether it is to be called back.

    A retried webhook for the same CallSid gets the same decision.
    """
    now = core.now()
    e164 = try_normalize_phone(phone) or phone
    for _attempt in range(2):
        try:
            with core.db.transaction() as session:
                resident = resident_by_phone(session, community_id, e164)
                call = session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid))
                if call is None:
                    call = VoiceCall(
                        call_sid=call_sid,
                        community_id=community_id,
                        resident_id=resident.id if resident else None,
                        phone=e164,
                        direction=direction,
                        status=CallStatus.RINGING,
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(call)
                    session.flush()
                    if offer_callback and _callback_due(session, call, community_id, now):
                        call.callback = CallbackState.REQUESTED
                owed = call.callback in _OWED
                view = ResidentView.of(resident) if resident else None
                return CallStart(call.id, view, owed)
        except IntegrityError:
            continue  # the same CallSid arrived twice at once: read what the first wrote
    raise RuntimeError(f"could not record call {call_sid}")  # pragma: no cover


def _callback_due(session: Session, call: VoiceCall, community_id: int, now) -> bool:  # type: ignore[no-untyped-def]
    if call.resident_id is None or call.direction != CallDirection.INBOUND:
        return False
    community = session.get_one(Community, community_id)
    if not community.callback_enabled:
        return False
    recent = session.scalar(
        select(VoiceCall.id).where(
            VoiceCall.resident_id == call.resident_id,
            VoiceCall.id != call.id,
            VoiceCall.callback.in_([*_OWED, CallbackState.RECORDED]),
            VoiceCall.created_at > now - CALLBACK_COOLDOWN,
        )
    )
    return recent is None


def skip_callback(core: Core, *, call_id: int) -> None:
    """The call back could not be queued: the call is answered instead."""
    with core.db.transaction() as session:
        session.execute(
            update(VoiceCall)
            .where(VoiceCall.id == call_id, VoiceCall.callback == CallbackState.REQUESTED)
            .values(callback=CallbackState.SKIPPED, updated_at=core.now())
        )


def claim_callback(core: Core, *, call_id: int) -> CallbackTask | None:
    """Take an owed call back for placing; None when it is not owed (done, or taken)."""
    with core.db.transaction() as session:
        claimed = session.execute(
            update(VoiceCall)
            .where(VoiceCall.id == call_id, VoiceCall.callback == CallbackState.REQUESTED)
            .values(
                callback=CallbackState.PLACING,
                callback_tries=VoiceCall.callback_tries + 1,
                updated_at=core.now(),
            )
        ).rowcount
        if claimed != 1:
            return None
        call = session.get_one(VoiceCall, call_id)
        community = session.get_one(Community, call.community_id)
        return CallbackTask(call.id, call.call_sid, call.phone, community.phone)


def finish_callback(
    core: Core,
    *,
    call_id: int,
    state: CallbackState,
    provider_sid: str | None = None,
    error: str | None = None,
    permanent: bool = False,
) -> None:
    """Record how an attempt went; a failure is tried again later or handed to staff."""
    now = core.now()
    with core.db.transaction() as session:
        call = session.get_one(VoiceCall, call_id)
        call.callback = state
        call.callback_sid = provider_sid
        call.callback_error = (error or "")[:200] or None
        call.updated_at = now
        if state == CallbackState.FAILED:
            schedule_retry(session, call, now, permanent=permanent)


def record_call_status(
    core: Core, *, call_sid: str, status: str, duration_seconds: int | None = None
) -> bool:
    """Twilio's call status callback; False for a call we never saw."""
    with core.db.transaction() as session:
        call = session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid))
        if call is None:
            return _callback_call_ended(session, core, call_sid, status)
        if call.status in ENDED and status not in ENDED:
            return True  # a late "in-progress" never reopens an ended call
        call.status = status[:20]
        if duration_seconds is not None:
            call.duration_seconds = duration_seconds
        call.updated_at = core.now()
        return True


def _callback_call_ended(session: Session, core: Core, call_sid: str, status: str) -> bool:
    """The status of a call back we placed (it has no row of its own until answered)."""
    promise = session.scalar(select(VoiceCall).where(VoiceCall.callback_sid == call_sid))
    if promise is None:
        return False
    if promise.callback == CallbackState.PLACED and status in UNANSWERED:
        now = core.now()
        promise.callback = CallbackState.FAILED
        promise.callback_error = status[:200]
        promise.updated_at = now
        schedule_retry(session, promise, now)
    return True


@dataclass(frozen=True)
class CallView:
    """A call as recorded: for the staff console and tests."""

    id: int
    call_sid: str
    resident_id: int | None
    phone: str
    direction: str
    status: str
    duration_seconds: int | None
    callback: str | None
    callback_sid: str | None
    callback_error: str | None
    callback_reason: str | None = None
    callback_tries: int = 0

    @classmethod
    def of(cls, call: VoiceCall) -> CallView:
        return cls(
            call.id,
            call.call_sid,
            call.resident_id,
            call.phone,
            call.direction,
            call.status,
            call.duration_seconds,
            call.callback,
            call.callback_sid,
            call.callback_error,
            call.callback_reason,
            call.callback_tries,
        )


def call_record(core: Core, *, call_sid: str) -> CallView | None:
    with core.db.transaction() as session:
        call = session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid))
        return CallView.of(call) if call else None
