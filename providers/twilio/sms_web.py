"""Twilio's Messaging webhooks: POST /sms/inbound, /sms/status and /sms/fallback.

Verify the signature, turn the form into the SMS channel's `InboundText` and hand it
to the channel (sms_gateway.inbound.receive), which records it and queues its reading;
then answer an empty TwiML at once. Only when the queue is down does the channel read
the text in the request, and the replies it could not queue go back inline in the
TwiML. With the database down, the verified request is kept in the spool and taken in
when it is back (providers/twilio/spooled.py).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from sqlalchemy.exc import SQLAlchemyError
from twilio.twiml.messaging_response import MessagingResponse

from bootstrap import mianhua
from core.messages.services import apply_status_callback
from providers.twilio.signature import require_twilio_signature
from providers.twilio.sms_forms import read_status, read_text, sender_phone
from providers.twilio.spooled import kept_or_503
from sms_gateway.inbound import receive
from spool.records import SMS_INBOUND, SMS_STATUS
from spool.web import waits_in_spool

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")
EMPTY_TWIML = str(MessagingResponse())


def twiml(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="application/xml")


def _messages(bodies: tuple[str, ...]) -> str:
    response = MessagingResponse()
    for body in bodies:
        response.message(body)
    return str(response)


@bp.post("/inbound")
@require_twilio_signature
def inbound() -> Response:
    form = read_text(request.form)
    if form is None:
        return twiml(EMPTY_TWIML, 400)
    if waits_in_spool(form.phone):  # this phone's older texts wait on disk: keep their order
        return kept_or_503(SMS_INBOUND, form.phone, lambda: twiml(EMPTY_TWIML))
    community_id = mianhua().communities.id_for(form.to)
    if community_id is None:
        log.warning("sms %s: no community has the number %s", form.sid, form.to)
        return twiml(EMPTY_TWIML, 404)
    received = receive(form.inbound(community_id), can_answer_inline=True)
    return twiml(_messages(received.inline) if received.inline else EMPTY_TWIML)


@bp.post("/status")
@require_twilio_signature
def status() -> Response:
    """Twilio's status callback; our message id rides in the URL (?m=123) we gave it."""
    report = read_status(request.form, request.args.get("m"))
    if report is None:
        return Response("", status=400)
    if report.status is not None:
        apply_status_callback(
            mianhua().core,
            status=report.status,
            message_id=report.message_id,
            provider_sid=report.provider_sid,
            error_code=report.error_code,
        )
    return Response("", status=204)


@bp.post("/fallback")
@require_twilio_signature
def fallback() -> Response:
    """Twilio's fallback URL, called when /sms/inbound failed: keep the text in the spool."""
    form = read_text(request.form)
    if form is None:
        return twiml(EMPTY_TWIML, 400)
    return kept_or_503(SMS_INBOUND, form.phone, lambda: twiml(EMPTY_TWIML))


@bp.errorhandler(SQLAlchemyError)
def database_down(exc: SQLAlchemyError) -> Response:
    """The database cannot take the request: keep it in the spool, to be taken in when
    the database is back, and answer as if all went well (503 only if it cannot be kept)."""
    log.error("sms webhook %s: database unavailable, spooling: %s", request.path, exc)
    if request.endpoint == "sms.status":
        return kept_or_503(SMS_STATUS, "", lambda: Response("", status=204))
    return kept_or_503(SMS_INBOUND, sender_phone(request.form), lambda: twiml(EMPTY_TWIML))
