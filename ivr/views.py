"""The voice webhooks: POST /voice/inbound, /voice/step, /voice/status and /voice/outage.

Each route checks Twilio's signature, finds the community by the number called
and the resident by the caller's number, hands one event to the state machine
and answers its TwiML. Unexpected failures still answer TwiML (an apology and a
goodbye), never a 500 that Twilio would read out as "an application error".
With the database down a caller is offered a call back instead (ivr/outage.py).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from bootstrap import Mianhua
from core.bounded import bounded_int
from core.calls.services import identify, record_call_status, skip_callback, start_call
from core.community.services import community_by_phone
from core.i18n import DEFAULT_LANGUAGE, t
from core.phones import try_normalize_phone
from core.residents.services import ResidentView
from ivr import machine, twiml
from ivr import outage as outage_menu
from ivr.callback import enqueue_callback
from ivr.states import Call, DialEnded, Enter, Event, Keys, Prompt, Silence
from spool.records import CALL_STATUS, CALLBACK_REQUEST
from spool.store import SpoolUnwritable
from spool.web import keep, kept_or_503
from twilio_webhooks import require_twilio_signature

log = logging.getLogger(__name__)

bp = Blueprint("ivr", __name__, url_prefix="/voice")


def _mianhua() -> Mianhua:
    return current_app.extensions["mianhua"]  # type: ignore[no-any-return]


def _xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def _parties() -> tuple[str, str, str]:
    """(community's number, resident's number, direction); a call back we placed is reversed."""
    form = request.form
    direction = form.get("Direction", "inbound")
    if direction.startswith("outbound"):
        return form.get("From", ""), form.get("To", ""), direction
    return form.get("To", ""), form.get("From", ""), direction


def _voice(call: Call, prompt: Prompt) -> twiml.Voice:
    """The community's rate, one step slower for a caller who asked (key 8, or remembered).

    A caller who needs slower speech also gets half as long again to find a key.
    """
    slow = call.slow or prompt.slower
    rate = twiml.speaking_rate(call.community.voice_rate)
    timeout = _mianhua().settings.ivr_key_timeout_seconds
    return twiml.Voice(
        call.language,
        twiml.slower_rate(rate) if slow else rate,
        timeout * 3 // 2 if slow else timeout,
        slow=slow,
    )


def _prefers_slow(resident: ResidentView | None) -> bool:
    return resident is not None and resident.voice_pace == "slow"


def _not_our_line() -> Response:
    return _xml(twiml.spoken_then_hangup(t(DEFAULT_LANGUAGE, "ivr.unknown_line"), "zh"))


@bp.post("/inbound")
@require_twilio_signature
def inbound() -> Response:
    mianhua = _mianhua()
    ours, theirs, direction = _parties()
    call_sid = request.form.get("CallSid", "")
    community = community_by_phone(mianhua.core, ours)
    if community is None or not call_sid:
        return _not_our_line()
    started = start_call(
        mianhua.core,
        community_id=community.id,
        call_sid=call_sid[:64],
        phone=theirs,
        direction=direction[:20],
        offer_callback=direction == "inbound",
    )
    if started.callback_owed:
        if enqueue_callback(mianhua, started.call_id):
            return _xml(twiml.reject())
        skip_callback(mianhua.core, call_id=started.call_id)
    resident = started.resident
    call = Call(
        mianhua.core, call_sid, theirs, community, resident, step=0, slow=_prefers_slow(resident)
    )
    prompt = machine.greet(call)
    return _xml(
        twiml.render(
            prompt, base=mianhua.settings.public_base_url, step=0, voice=_voice(call, prompt)
        )
    )


def _event(silence: int | None) -> Event:
    form = request.form
    if silence is not None:
        return Silence(silence)
    if "DialCallStatus" in form:
        return DialEnded(form.get("DialCallStatus", ""))
    digits = form.get("Digits")
    if digits:
        return Keys(digits.strip()[:20])
    return Enter()


@bp.post("/step")
@require_twilio_signature
def step() -> Response:
    mianhua = _mianhua()
    ours, theirs, _direction = _parties()
    found = identify(mianhua.core, community_phone=ours, phone=theirs)
    if found is None:
        return _not_our_line()
    community, resident = found
    asked = twiml.parse_step(request.args)
    call = Call(
        mianhua.core,
        request.form.get("CallSid", "")[:64],
        theirs,
        community,
        resident,
        asked.step,
        slow=asked.slow or _prefers_slow(resident),
    )
    prompt = machine.answer(call, asked.where, _event(asked.silence))
    base = mianhua.settings.public_base_url
    return _xml(twiml.render(prompt, base=base, step=asked.step, voice=_voice(call, prompt)))


@bp.post("/status")
@require_twilio_signature
def status() -> Response:
    form = request.form
    duration = form.get("CallDuration", "")
    record_call_status(
        _mianhua().core,
        call_sid=form.get("CallSid", "")[:64],
        status=form.get("CallStatus", "unknown"),
        duration_seconds=bounded_int(duration),
    )
    return Response(status=204)


@bp.post("/outage")
@require_twilio_signature
def outage() -> Response:
    """A key pressed after the outage apology: 1 keeps a call-back request in the spool."""
    _ours, theirs, _direction = _parties()
    if request.form.get("Digits", "").strip() != outage_menu.CALLBACK_KEY:
        return _xml(outage_menu.ending("spool.ivr.goodbye"))
    if not request.form.get("CallSid") or not outage_menu.can_be_called_back(theirs):
        return _xml(outage_menu.ending("spool.ivr.offer_no_callback"))
    try:
        keep(CALLBACK_REQUEST, try_normalize_phone(theirs) or theirs)
    except SpoolUnwritable as exc:
        log.critical("voice: call-back request could not be kept: %s", exc)
        return _xml(outage_menu.ending("spool.ivr.offer_no_callback"))
    return _xml(outage_menu.ending("spool.ivr.will_call_back"))


def _database_down(error: SQLAlchemyError) -> Response:
    """No database: a status is kept in the spool; a caller is offered a call back."""
    log.error("voice webhook %s: database unavailable: %s", request.path, error)
    if request.endpoint == "ivr.status":
        return kept_or_503(CALL_STATUS, "", lambda: Response(status=204))
    _ours, theirs, _direction = _parties()
    return _xml(outage_menu.offer(_mianhua().settings.public_base_url, theirs))


@bp.errorhandler(Exception)
def apologise(error: Exception) -> Response | HTTPException:
    """Whatever broke, the caller hears a polite goodbye rather than Twilio's error message."""
    if isinstance(error, HTTPException):
        return error
    if isinstance(error, SQLAlchemyError):
        return _database_down(error)
    log.exception("voice step failed: %s", request.full_path)
    return _xml(twiml.spoken_then_hangup(t(DEFAULT_LANGUAGE, "ivr.error"), DEFAULT_LANGUAGE))
