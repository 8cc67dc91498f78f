"""Call-back requests made while the database was down, taken in once it is back.

During an outage the phone menu cannot look anyone up, so it offers every caller
a call back with one key; the request waits in the web host's spool. Taken in,
it becomes the call's record with a call back owed, like any call-me-back
promise (core.calls.services), so a worker rings the caller and staff see it.
The caller is rung back once however many times they called meanwhile, and not
in the night: `ring_at` is the end of quiet hours when the request is taken in
during them. A call back whose job never reached the queue is found again by
the workers' housekeeping (`callbacks_still_owed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.calls.models import CallbackState, CallDirection, CallStatus, VoiceCall
from core.community.models import Community
from core.context import Core
from core.messages.outbox import end_of_quiet_hours
from core.phones import try_normalize_phone
from core.residents.services import resident_by_phone

#: Several requests from one phone within this time are one call back.
SAME_REQUEST_WITHIN = timedelta(hours=2)
_OWED_OR_DONE = (
    CallbackState.REQUESTED,
    CallbackState.PLACING,
    CallbackState.PLACED,
    CallbackState.RECORDED,
)


@dataclass(frozen=True)
class CallbackTaken:
    call_id: int
    is_new: bool  # False: this request was taken in before (the same CallSid)
    owed: bool  # a call back is owed because of this request: ring the caller
    ring_at: datetime | None  # not before then (quiet hours); None: at once


class NotOurLine(LookupError):
    """The request names a number no community has."""


def take_in_callback_request(
    core: Core, *, community_phone: str, phone: str, call_sid: str, requested_at: datetime
) -> CallbackTaken:
    """Record the spooled request as its call, owing a call back; once per CallSid."""
    now = core.now()
    community_e164 = try_normalize_phone(community_phone)
    caller = try_normalize_phone(phone)
    for _attempt in range(2):
        try:
            with core.db.transaction() as session:
                community = (
                    session.scalar(select(Community).where(Community.phone == community_e164))
                    if community_e164
                    else None
                )
                if community is None:
                    raise NotOurLine(community_phone)
                call = session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid))
                if call is not None and call.spooled_at is not None:
                    return CallbackTaken(call.id, False, False, None)
                if call is None:
                    resident = resident_by_phone(session, community.id, caller or phone)
                    call = VoiceCall(
                        call_sid=call_sid,
                        community_id=community.id,
                        resident_id=resident.id if resident else None,
                        phone=caller or phone[:40],
                        direction=CallDirection.INBOUND,
                        status=CallStatus.COMPLETED,  # the caller hung up after the apology
                        created_at=requested_at,
                    )
                    session.add(call)
                call.spooled_at = requested_at
                call.taken_in_at = now
                call.updated_at = now
                session.flush()
                owed = caller is not None and call.callback not in _OWED_OR_DONE
                if owed and _already_owed(session, call, caller, requested_at):
                    owed = False
                if owed:
                    call.callback = CallbackState.REQUESTED
                ring_at = end_of_quiet_hours(now, community.zone, core.quiet_hours)
                return CallbackTaken(call.id, True, owed, ring_at if owed else None)
        except IntegrityError:
            continue  # the same CallSid was taken in at the same moment elsewhere
    raise RuntimeError(f"could not take in call-back request {call_sid}")  # pragma: no cover


def _already_owed(session, call: VoiceCall, caller: str | None, at: datetime) -> bool:  # type: ignore[no-untyped-def]
    """Another call from this phone around then already has its call back."""
    return (
        session.scalar(
            select(VoiceCall.id).where(
                VoiceCall.phone == caller,
                VoiceCall.community_id == call.community_id,
                VoiceCall.id != call.id,
                VoiceCall.callback.in_(_OWED_OR_DONE),
                VoiceCall.created_at > at - SAME_REQUEST_WITHIN,
            )
        )
        is not None
    )


def callbacks_still_owed(
    core: Core, *, taken_in_before: datetime
) -> list[tuple[int, datetime | None]]:
    """Call backs asked for during an outage, taken in before then and still not placed:
    their job was never queued (Redis was down too) or was lost. (call id, ring at)."""
    now = core.now()
    with core.db.transaction() as session:
        rows = session.execute(
            select(VoiceCall.id, Community.timezone)
            .join(Community, Community.id == VoiceCall.community_id)
            .where(
                VoiceCall.spooled_at.is_not(None),
                VoiceCall.callback == CallbackState.REQUESTED,
                VoiceCall.taken_in_at < taken_in_before,
            )
            .order_by(VoiceCall.id)
        ).all()
    return [
        (call_id, end_of_quiet_hours(now, ZoneInfo(zone), core.quiet_hours))
        for call_id, zone in rows
    ]
