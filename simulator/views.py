"""The simulator's page and the JSON it talks to: texts in, calls by keypad, the chat log.

Everything goes through the real webhooks, signed the way Twilio signs them, and the
chat shows the Message rows (the console sender's record of what it "sent").
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from bootstrap import mianhua
from core.community.models import Community
from core.i18n import t
from core.messages.models import MessageChannel
from core.messages.queries import conversation
from core.phones import try_normalize_phone
from core.ports.carriers import MAX_TEXT_CHARS
from core.residents.models import Resident
from core.sms_segments import count_segments
from providers.twilio.signing import twilio_signature
from simulator import mainland
from simulator.phone import CallState, PhoneCall
from staff.auth import csrf
from staff.console import language
from web_security import is_loopback

bp = Blueprint(
    "simulator",
    __name__,
    url_prefix="/simulator",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

NOTES = (
    "bad_key",
    "not_listening",
    "silence",
    "you_hung_up",
    "loop",
    "app_error",
    "sound",
    "dialling",
    "call_ended",
    "rejected",
)


@bp.before_request
def _guard() -> None:
    """This machine only: the simulator shows any resident's texts and signs webhooks
    with the app's token, so a browser elsewhere must not reach it (finding 7)."""
    if not is_loopback(request.remote_addr):
        abort(403)
    if request.method == "POST":
        csrf.protect()


def _communities() -> list[Community]:
    with mianhua().core.db.transaction() as session:
        return list(session.scalars(select(Community).order_by(Community.id)))


def _community(community_id: Any) -> Community:
    found = [c for c in _communities() if str(c.id) == str(community_id)] or _communities()[:1]
    if not found:
        abort(409)
    return found[0]


def _public(path: str) -> str:
    return mianhua().settings.public_base_url + path


def signed_post(url: str, params: dict[str, str]) -> tuple[int, str]:
    """POST to the app at Twilio's public URL, signed with the app's auth token."""
    settings = mianhua().settings
    base = settings.public_base_url
    path = url[len(base) :] if url.startswith(base) else url
    if not path.startswith("/"):
        return 400, "not one of our URLs"
    signature = twilio_signature(settings.twilio_auth_token or "", url, params)
    client = current_app.test_client()
    response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
    return response.status_code, response.get_data(as_text=True)


@bp.get("/")
def page() -> Any:
    communities = _communities()
    chosen = _community(request.args.get("community")) if communities else None
    residents: list[Resident] = []
    if chosen is not None:
        with mianhua().core.db.transaction() as session:
            residents = list(
                session.scalars(
                    select(Resident)
                    .where(Resident.community_id == chosen.id)
                    .order_by(Resident.building, Resident.unit, Resident.room, Resident.name)
                )
            )
    return render_template(
        "simulator/phone.html",
        communities=communities,
        community=chosen,
        residents=residents,
        notes={n: t(language(), f"simulator.note.{n}") for n in NOTES},
        plays=mainland.PLAYS,
    )


def _caller() -> tuple[str, Community]:
    data = request.get_json(silent=True) or {}
    raw = str(data.get("phone", "")).strip()
    phone = try_normalize_phone(raw)
    if phone is None:
        abort(400, description=t(language(), "simulator.error.phone"))
    return phone, _community(data.get("community"))


@bp.post("/sms")
def send_sms() -> Any:
    phone, community = _caller()
    data = request.get_json(silent=True) or {}
    body = str(data.get("body", ""))[:MAX_TEXT_CHARS]
    if not body.strip():
        abort(400, description=t(language(), "simulator.error.empty"))
    provider = mainland.mainland_provider(mianhua().core, community, data.get("provider"))
    if provider is not None:  # played as Aliyun or Tencent: their reply push
        try:
            return jsonify(mainland.push_text(mianhua().core, community, phone, body, provider))
        except mainland.NotFiled:
            abort(400, description=t(language(), "simulator.error.not_filed", provider=provider))
    params = {
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "Body": body,
        "From": phone,
        "FromCountry": "CN",
        "MessageSid": "SM" + uuid.uuid4().hex,
        "NumMedia": "0",
        "NumSegments": str(count_segments(body)),
        "SmsMessageSid": "",
        "SmsStatus": "received",
        "To": community.phone,
        "ToCountry": "CN",
    }
    params["SmsMessageSid"] = params["SmsSid"] = params["MessageSid"]
    status, twiml = signed_post(_public("/sms/inbound"), params)
    return jsonify(status=status, twiml=twiml, message_sid=params["MessageSid"])


@bp.get("/messages.json")
def messages() -> Any:
    phone = try_normalize_phone(request.args.get("phone", ""))
    if phone is None:
        return jsonify(messages=[])
    community = _community(request.args.get("community"))
    rows = conversation(mianhua().core, community_id=community.id, phone=phone)
    filled = mainland.template_texts(mianhua().core, community, rows)
    lang = language()
    return jsonify(
        messages=[
            {
                "id": m.id,
                "inbound": m.inbound,
                "body": m.body,
                "kind": t(lang, f"staff.message_kind.{m.kind}"),
                "status": m.status,
                "status_text": t(lang, f"staff.message_status.{m.status}"),
                "voice": m.channel == MessageChannel.VOICE,
                "provider_sid": m.provider_sid or "",
                "template_text": filled.get(m.id, ""),
                "at": m.at.astimezone(community.zone).strftime("%m-%d %H:%M"),
            }
            for m in rows
        ]
    )


# --- calls ------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="simulator-call")


def _answer(call: PhoneCall) -> Any:
    state = call.state
    return jsonify(
        state=_serializer().dumps(state.to_dict()),
        heard=call.heard.lines,
        ended=state.ended,
        listening=state.gather is not None,
        typed=state.digits,
    )


def _resume() -> PhoneCall:
    data = request.get_json(silent=True) or {}
    try:
        state = CallState.from_dict(_serializer().loads(str(data.get("state", ""))))
    except (BadSignature, TypeError):
        abort(400, description=t(language(), "simulator.error.no_call"))
    return PhoneCall(signed_post, state, _notes())


def _notes() -> dict[str, str]:
    return {n: t(language(), f"simulator.note.{n}") for n in NOTES}


@bp.post("/call")
def call_start() -> Any:
    phone, community = _caller()
    call = PhoneCall.dial(
        signed_post,
        caller=phone,
        called=community.phone,
        start_url=_public("/voice/inbound"),
        notes=_notes(),
    )
    return _answer(call)


@bp.post("/call/press")
def call_press() -> Any:
    call = _resume()
    key = str((request.get_json(silent=True) or {}).get("key", ""))
    call.press(key)
    return _answer(call)


@bp.post("/call/wait")
def call_wait() -> Any:
    call = _resume()
    call.wait()
    return _answer(call)


@bp.post("/call/hangup")
def call_hangup() -> Any:
    call = _resume()
    call.hang_up(_public("/voice/status"))
    return _answer(call)


@bp.errorhandler(400)
def _bad_request(error: Any) -> Any:
    return jsonify(error=str(error.description)), 400


@bp.errorhandler(409)
def _no_community(error: Any) -> Any:
    return jsonify(error=t(language(), "staff.no_community")), 409
