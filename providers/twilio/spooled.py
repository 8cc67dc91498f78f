"""Twilio's requests in the spool: kept while the database is down, taken in when it is back.

`keep` writes a verified form post to the spool (its signature checked once more, so
nothing unverified can ever reach the disk); `kept_or_503` gives Twilio its usual
answer once it is kept, 503 when it cannot be. Each handler below then reads the kept
form as the live route would have, calls the same channel or core use case in its own
transaction (deduplicated on Twilio's id as always), and returns what to do once the
file is gone: queue the text's reading, ring a caller back. A record that names no
community of ours is refused with `Unusable`, and set aside for staff rather than retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from flask import Response, request

from core.calls.outage import NotOurLine, take_in_callback_request
from core.calls.services import record_call_status
from core.messages.sending import record_call_outcome
from core.messages.services import apply_status_callback
from providers.twilio.signature import verification
from providers.twilio.sms_forms import read_status, read_text
from sms_gateway import inbound
from spool import web
from spool.records import (
    CALL_STATUS,
    CALLBACK_REQUEST,
    REMINDER_CALL_STATUS,
    SMS_INBOUND,
    SMS_STATUS,
    SpoolHandler,
    SpoolRecord,
    TakenIn,
    Unusable,
)
from spool.store import SpoolUnwritable

if TYPE_CHECKING:
    from bootstrap import Mianhua

log = logging.getLogger(__name__)

TWILIO = "twilio"


class Unverified(PermissionError):
    """The request's signature does not check out: it is never spooled."""


def keep(kind: str, party: str = "") -> None:
    """Write this request to the spool (raises SpoolUnwritable) and wake the drainer."""
    judged = verification()
    if not judged.accepted:
        raise Unverified(request.path)
    form = request.form
    web.keep(
        provider=TWILIO,
        kind=kind,
        payload={name: form.getlist(name) for name in form},
        verified_by=judged.by,
        party=party,
    )


def kept_or_503(kind: str, party: str, answer: Callable[[], Response]) -> Response:
    """Keep the request and give Twilio its usual answer; 503 if it cannot be kept."""
    try:
        keep(kind, party)
    except Unverified:
        return Response("", status=403)
    except SpoolUnwritable as exc:
        log.critical("spool: could not keep %s from %s: %s", kind, party or "-", exc)
        return Response("", status=503)
    return answer()


def _fields(record: SpoolRecord) -> dict[str, str]:
    """The kept form's first values, as the live route's `request.form` gives them."""
    return {name: record.value(name) for name in record.payload}


def sms_inbound(mianhua: Mianhua, record: SpoolRecord) -> TakenIn:
    """A text: recorded with its arrival as its received time, then read as usual."""
    form = read_text(_fields(record))
    if form is None:
        raise Unusable("a text without MessageSid, From or To")
    community_id = mianhua.communities.id_for(form.to)
    if community_id is None:
        raise Unusable(f"no community has the number {form.to}")
    text = form.inbound(community_id, spooled_at=record.arrived_at)
    accepted = inbound.record(mianhua.core, text)
    if not accepted.waiting:
        return TakenIn(duplicate=not accepted.is_new)
    # Redis down: the housekeeping sweep finds the text unread and queues it.
    return TakenIn(
        duplicate=not accepted.is_new,
        then=lambda: inbound.queue_reading(mianhua, text, accepted.message_id),
    )


def sms_status(mianhua: Mianhua, record: SpoolRecord) -> TakenIn:
    """A message status callback; our message id rides in the URL's query (?m=123)."""
    report = read_status(_fields(record), parse_qs(record.query).get("m", [""])[0])
    if report is None:
        raise Unusable("a status callback without MessageStatus or a message")
    if report.status is None:
        return TakenIn(duplicate=False)  # a status that moves nothing, as live
    update = apply_status_callback(
        mianhua.core,
        status=report.status,
        message_id=report.message_id,
        provider_sid=report.provider_sid,
        error_code=report.error_code,
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


#: What takes in each kind of Twilio request the spool holds.
SPOOLED: dict[tuple[str, str], SpoolHandler] = {
    (TWILIO, SMS_INBOUND): sms_inbound,
    (TWILIO, SMS_STATUS): sms_status,
    (TWILIO, CALL_STATUS): call_status,
    (TWILIO, REMINDER_CALL_STATUS): reminder_call_status,
    (TWILIO, CALLBACK_REQUEST): callback_request,
}
