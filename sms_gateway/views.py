"""The Twilio Messaging webhooks: POST /sms/inbound, /sms/status and /sms/fallback.

Verify the signature, record the text and put a read job on the inbox queue,
then answer an empty TwiML at once: the text is read by a worker
(sms_gateway/jobs.py) and its replies go through the outbox like every other
text. When the queue is down the text is read in this request instead, and
if its replies cannot be queued either they go back inline in the TwiML,
logged as such. With the database down, the request is kept in the spool
(spool/) and taken in when it is back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, Flask, Response, current_app, request
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from twilio.twiml.messaging_response import MessagingResponse

from core.bounded import bounded_int
from core.community.models import Community
from core.conversations.inbox import accept_text, unsent_answers
from core.conversations.phone_lock import PhoneBusy
from core.db import OutboxEntry
from core.messages.services import apply_status_callback, mark_answered_inline
from core.phones import try_normalize_phone
from sms_gateway.conversation import read_waiting_texts
from sms_gateway.jobs import enqueue_reading
from spool.records import SMS_INBOUND, SMS_STATUS
from spool.web import kept_or_503, waits_in_spool
from twilio_webhooks import require_twilio_signature

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")
EMPTY_TWIML = str(MessagingResponse())
MAX_BODY_CHARS = 1600  # Twilio's own cap; anything longer is not from Twilio's network


def register(app: Flask) -> None:
    """Mount the webhooks and let them see which messages each request wrote."""
    app.register_blueprint(bp)
    app.extensions["mianhua"].core.db.outbox_listeners.append(_written)


def twiml(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="application/xml")


@bp.post("/inbound")
@require_twilio_signature
def inbound() -> Response:
    form = request.form
    sid = form.get("MessageSid", form.get("SmsSid", "")).strip()
    sender, to = form.get("From", "").strip(), form.get("To", "").strip()
    if not sid or not sender or not to:
        return twiml(EMPTY_TWIML, 400)
    phone = try_normalize_phone(sender) or sender[:40]
    if waits_in_spool(phone):  # this phone's older texts wait on disk: keep their order
        return kept_or_503(SMS_INBOUND, phone, lambda: twiml(EMPTY_TWIML))
    mianhua = current_app.extensions["mianhua"]
    core = mianhua.core
    community_id = mianhua.communities.id_for(to)
    if community_id is None:
        log.warning("sms %s: no community has the number %s", sid, to)
        return twiml(EMPTY_TWIML, 404)
    # A NUL cannot be stored (PostgreSQL) and means nothing in a text: keep the rest.
    body = form.get("Body", "").replace("\x00", "")[:MAX_BODY_CHARS]
    text = accept_text(
        core, community_id=community_id, phone=phone, body=body, provider_sid=sid[:64]
    )
    if not text.waiting:
        return twiml(EMPTY_TWIML)  # a retry of a text already read: nothing more to do
    try:
        enqueue_reading(mianhua.redis, community_id, phone, text.message_id)
    except RedisError as exc:
        log.warning("sms %s: inbox queue unreachable (%s); reading it now", sid, exc)
    else:
        return twiml(EMPTY_TWIML)
    # Redis is down: read the text in this request, and answer inline if the
    # replies cannot be queued either.
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
    with _capturing() as written:
        try:
            read_waiting_texts(core, community, phone)
        except PhoneBusy:
            # It stays waiting in the inbox and is read with this phone's next text.
            log.warning("sms %s: %s is busy; text %s left waiting", sid, phone, text.message_id)
    if written and not mianhua.relay.last_enqueue_ok():
        return twiml(_answer_inline(core, written, phone))
    return twiml(EMPTY_TWIML)


def _answer_inline(core, written: list[OutboxEntry], phone: str) -> str:  # type: ignore[no-untyped-def]
    """Redis is down: give this phone its replies in the TwiML, and log them as sent inline."""
    answers = unsent_answers(core, message_ids=[e.message_id for e in written], phone=phone)
    response = MessagingResponse()
    for message_id, body in answers:
        response.message(body)
        mark_answered_inline(core, message_id)
    if answers:
        log.warning("sms: queue unreachable, answered %d message(s) inline", len(answers))
    return str(response)


@bp.post("/status")
@require_twilio_signature
def status() -> Response:
    """Twilio's status callback; our message id rides in the URL (?m=123) we gave it."""
    form = request.form
    reported = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip() or None
    if not reported or (sid is None and not request.args.get("m")):
        return Response("", status=400)
    ours = request.args.get("m", "")
    apply_status_callback(
        current_app.extensions["mianhua"].core,
        status=reported,
        message_id=bounded_int(ours),
        provider_sid=sid,
        error_code=(form.get("ErrorCode") or "").strip()[:10] or None,
    )
    return Response("", status=204)


@bp.post("/fallback")
@require_twilio_signature
def fallback() -> Response:
    """Twilio's fallback URL, called when /sms/inbound failed: keep the text in the spool."""
    form = request.form
    sid = form.get("MessageSid", form.get("SmsSid", "")).strip()
    sender = form.get("From", "").strip()
    if not sid or not sender or not form.get("To", "").strip():
        return twiml(EMPTY_TWIML, 400)
    phone = try_normalize_phone(sender) or sender[:40]
    return kept_or_503(SMS_INBOUND, phone, lambda: twiml(EMPTY_TWIML))


@bp.errorhandler(SQLAlchemyError)
def database_down(exc: SQLAlchemyError) -> Response:
    """The database cannot take the request: keep it in the spool, to be taken in when
    the database is back, and answer as if all went well (503 only if it cannot be kept)."""
    log.error("sms webhook %s: database unavailable, spooling: %s", request.path, exc)
    if request.endpoint == "sms.status":
        return kept_or_503(SMS_STATUS, "", lambda: Response("", status=204))
    sender = request.form.get("From", "").strip()
    phone = try_normalize_phone(sender) or sender[:40]
    return kept_or_503(SMS_INBOUND, phone, lambda: twiml(EMPTY_TWIML))


# --- which messages this request wrote ----------------------------------------------

_capture = threading.local()


def _written(entries: list[OutboxEntry]) -> None:
    """An outbox listener: note new messages for the request capturing on this thread."""
    collected = getattr(_capture, "entries", None)
    if collected is not None:
        collected.extend(entries)


@contextmanager
def _capturing() -> Iterator[list[OutboxEntry]]:
    _capture.entries = []
    try:
        yield _capture.entries
    finally:
        _capture.entries = None
