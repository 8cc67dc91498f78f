"""Twilio's voice webhooks: POST /voice/inbound, /voice/step, /voice/status and /voice/outage.

Each route checks Twilio's signature, reads Twilio's form into the phone menu's
own values (ivr/answering.py: who is on the line, what the caller did), lets the
menu answer, and renders the answer as TwiML. Unexpected failures still answer
TwiML (an apology and a goodbye), never a 500 that Twilio would read out as "an
application error". With the database down a caller is offered a call back
instead (ivr/outage.py), the request kept in the spool.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from bootstrap import mianhua
from core.bounded import bounded_int
from core.calls.services import record_call_status
from core.phones import try_normalize_phone
from ivr import answering
from ivr import outage as outage_menu
from ivr.answering import CallParties
from ivr.states import DialEnded, Enter, Event, Keys, Silence
from ivr.steps import StepRequest, parse_step
from providers.twilio import twiml
from providers.twilio.signature import require_twilio_signature
from providers.twilio.spooled import keep, kept_or_503
from spool.records import CALL_STATUS, CALLBACK_REQUEST
from spool.store import SpoolUnwritable

log = logging.getLogger(__name__)

bp = Blueprint("twilio_voice", __name__, url_prefix="/voice")
#: Twilio's DialCallStatus when the staff line picked up and talked.
DIAL_ANSWERED = "completed"
MAX_DIGITS = 20


def register(app: Flask) -> None:
    app.register_blueprint(bp)


def _xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def _parties() -> CallParties:
    """Who is on the line; for a call back we placed, Twilio's From and To are reversed."""
    form = request.form
    direction = form.get("Direction", answering.INBOUND)
    call_sid = form.get("CallSid", "")
    if direction.startswith("outbound"):
        return CallParties(call_sid, form.get("From", ""), form.get("To", ""), direction)
    return CallParties(call_sid, form.get("To", ""), form.get("From", ""), direction)


def _event(asked: StepRequest) -> Event:
    """What the caller did: a silence (our Redirect says so), the transfer's end, keys."""
    form = request.form
    if asked.silence is not None:
        return Silence(asked.silence)
    if "DialCallStatus" in form:
        return DialEnded(answered=form.get("DialCallStatus", "") == DIAL_ANSWERED)
    digits = form.get("Digits")
    if digits:
        return Keys(digits.strip()[:MAX_DIGITS])
    return Enter()


def _base() -> str:
    return mianhua().settings.public_base_url


@bp.post("/inbound")
@require_twilio_signature
def inbound() -> Response:
    answer = answering.start(mianhua(), _parties())
    return _xml(twiml.render(answer, base=_base()))


@bp.post("/step")
@require_twilio_signature
def step() -> Response:
    asked = parse_step(request.args)
    answer = answering.step(mianhua(), _parties(), asked, _event(asked))
    return _xml(twiml.render(answer, base=_base()))


@bp.post("/status")
@require_twilio_signature
def status() -> Response:
    form = request.form
    record_call_status(
        mianhua().core,
        call_sid=form.get("CallSid", "")[:64],
        status=form.get("CallStatus", "unknown"),
        duration_seconds=bounded_int(form.get("CallDuration", "")),
    )
    return Response(status=204)


@bp.post("/outage")
@require_twilio_signature
def outage() -> Response:
    """A key pressed after the outage apology: 1 keeps a call-back request in the spool."""
    caller = _parties().caller
    if not outage_menu.wants_call_back(request.form.get("Digits")):
        return _say_outage(outage_menu.ending("spool.ivr.goodbye"))
    if not request.form.get("CallSid") or not outage_menu.can_be_called_back(caller):
        return _say_outage(outage_menu.ending("spool.ivr.offer_no_callback"))
    try:
        keep(CALLBACK_REQUEST, try_normalize_phone(caller) or caller)
    except SpoolUnwritable as exc:
        log.critical("voice: call-back request could not be kept: %s", exc)
        return _say_outage(outage_menu.ending("spool.ivr.offer_no_callback"))
    return _say_outage(outage_menu.ending("spool.ivr.will_call_back"))


def _say_outage(answer: outage_menu.OutageAnswer) -> Response:
    return _xml(twiml.outage(answer, base=_base()))


def _database_down(error: SQLAlchemyError) -> Response:
    """No database: a status is kept in the spool; a caller is offered a call back."""
    log.error("voice webhook %s: database unavailable: %s", request.path, error)
    if request.endpoint == f"{bp.name}.status":
        return kept_or_503(CALL_STATUS, "", lambda: Response(status=204))
    return _say_outage(outage_menu.offer(_parties().caller))


@bp.errorhandler(Exception)
def apologise(error: Exception) -> Response | HTTPException:
    """Whatever broke, the caller hears a polite goodbye rather than Twilio's error message."""
    if isinstance(error, HTTPException):
        return error
    if isinstance(error, SQLAlchemyError):
        return _database_down(error)
    log.exception("voice step failed: %s", request.full_path)
    return _xml(twiml.render(answering.apology(), base=_base()))
