"""Taking in what Twilio sent while the database was down: one handler per kind.

Each handler reads the verified form as the live route would have, calls the same
core use case in its own transaction (deduplicated on Twilio's id as always), and
returns what to do once the file is gone: queue the text's reading, ring a caller
back. A record that names no community of ours is refused with `Unusable`, and
set aside for staff rather than retried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from core.calls.outage import NotOurLine, take_in_callback_request
from core.calls.services import record_call_status
from core.conversations.inbox import accept_text
from core.messages.sending import record_call_outcome
from core.messages.services import apply_status_callback
from core.phones import try_normalize_phone
from spool.records import SpoolRecord

if TYPE_CHECKING:
    from bootstrap import Mianhua

MAX_BODY_CHARS = 1600


class Unusable(ValueError):
    """The record is well formed but can never be taken in (e.g. not our number)."""


@dataclass(frozen=True)
class TakenIn:
    duplicate: bool  # the database had it already (the same provider id)
    then: Callable[[], None] | None = None  # after the file is removed


def sms_inbound(mianhua: Mianhua, record: SpoolRecord) -> TakenIn:
    """A text: recorded with its arrival as its received time, then read as usual."""
    sid = (record.value("MessageSid") or record.value("SmsSid")).strip()
    sender, to = record.value("From").strip(), record.value("To").strip()
    if not sid or not sender or not to:
        raise Unusable("a text without MessageSid, From or To")
    community_id = mianhua.communities.id_for(to)
    if community_id is None:
        raise Unusable(f"no community has the number {to}")
    phone = try_normalize_phone(sender) or sender[:40]
    text = accept_text(
        mianhua.core,
        community_id=community_id,
        phone=phone,
        body=record.value("Body")[:MAX_BODY_CHARS],
        provider_sid=sid[:64],
        spooled_at=record.arrived_at,
    )
    if not text.waiting:
        return TakenIn(duplicate=not text.is_new)

    def read_it() -> None:
        from sms_gateway.jobs import enqueue_reading

        # The queue down (JobsUnavailable): the periodic work finds the text unread.
        enqueue_reading(mianhua.jobs, community_id, phone, text.message_id)

    return TakenIn(duplicate=not text.is_new, then=read_it)


def sms_status(mianhua: Mianhua, record: SpoolRecord) -> TakenIn:
    """A message status callback; our message id rides in the URL's query (?m=123)."""
    reported = (record.value("MessageStatus") or record.value("SmsStatus")).strip().lower()
    sid = (record.value("MessageSid") or record.value("SmsSid")).strip() or None
    ours = parse_qs(record.query).get("m", [""])[0]
    if not reported or (sid is None and not ours):
        raise Unusable("a status callback without MessageStatus or a message")
    update = apply_status_callback(
        mianhua.core,
        status=reported,
        message_id=int(ours) if ours.isdigit() and len(ours) < 18 else None,
        provider_sid=sid,
        error_code=record.value("ErrorCode").strip()[:10] or None,
    )
    return TakenIn(duplicate=update is not None and not update.moved)


def call_status(mianhua: Mianhua, record: SpoolRecord) -> TakenIn:
    duration = record.value("CallDuration")
    record_call_status(
        mianhua.core,
        call_sid=record.value("CallSid")[:64],
        status=record.value("CallStatus", "unknown"),
        duration_seconds=int(duration) if duration.isdigit() else None,
    )
    return TakenIn(duplicate=False)


def reminder_call_status(mianhua: Mianhua, record: SpoolRecord) -> TakenIn:
    message_id = parse_qs(record.query).get("m", [""])[0]
    call_sid, status = record.value("CallSid"), record.value("CallStatus")
    if not message_id.isdigit() or not call_sid or not status:
        raise Unusable("a reminder call status without m, CallSid or CallStatus")
    record_call_outcome(
        mianhua.core, message_id=int(message_id), call_sid=call_sid, call_status=status
    )
    return TakenIn(duplicate=False)


def callback_request(mianhua: Mianhua, record: SpoolRecord) -> TakenIn:
    """A caller pressed 1 for a call back during the outage: owe it, and ring them."""
    call_sid = record.value("CallSid").strip()
    if not call_sid:
        raise Unusable("a call-back request without CallSid")
    outbound = record.value("Direction").startswith("outbound")
    ours, theirs = (record.value("From"), record.value("To"))
    if not outbound:
        ours, theirs = theirs, ours
    try:
        taken = take_in_callback_request(
            mianhua.core,
            community_phone=ours,
            phone=theirs,
            call_sid=call_sid[:64],
            requested_at=record.arrived_at,
        )
    except NotOurLine as exc:
        raise Unusable(f"no community has the number {exc}") from exc
    if not taken.owed:
        return TakenIn(duplicate=not taken.is_new)

    def ring() -> None:
        from ivr.callback import enqueue_callback

        enqueue_callback(mianhua, taken.call_id, at=taken.ring_at)

    return TakenIn(duplicate=False, then=ring)
