"""The mainland providers' push URLs: POST /sms/aliyun|tencent/inbound|report?key=...

A push carries no signature of its own, so the community's push key in the URL
(`carrier_accounts.push_key`, rotatable) is what authenticates it: a wrong or missing
key answers 403 and records nothing. A push that is not in the provider's shape answers
400. What was taken is answered as the provider expects (Aliyun `{"code":0,...}`,
Tencent `{"result":0,...}`), texts are read by the workers as Twilio's are, and with
the database down the push is kept in the spool and its key checked when it is taken in.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from core.carriers.pushes import BadPush, ReplyPush
from core.carriers.services import account_for_push
from core.ports.jobs import JobsUnavailable
from sms_gateway.pushes import ANSWERS, INBOUND, PARSERS, parse, take_in_push
from spool.from_mainland import keep_push
from spool.store import SpoolUnwritable
from spool.web import waits_in_spool

log = logging.getLogger(__name__)

bp = Blueprint("mainland_sms", __name__, url_prefix="/sms")


def register(app: Flask) -> None:
    app.register_blueprint(bp)


def _answer(provider: str, ok: bool, status: int = 200) -> Response:
    accepted, refused = ANSWERS[provider]
    response = jsonify(accepted if ok else refused)
    response.status_code = status
    return response


@bp.post("/<provider>/<kind>")
def push(provider: str, kind: str) -> Response:
    if (provider, kind) not in PARSERS:
        return Response("", status=404)
    key = request.args.get("key", "")
    if not key:
        return _answer(provider, False, 403)
    mianhua = current_app.extensions["mianhua"]
    raw = request.get_data(cache=False)
    try:
        account = account_for_push(mianhua.core, provider=provider, key=key)
    except SQLAlchemyError as exc:
        log.error("%s push: database unavailable, spooling: %s", provider, exc)
        return _kept(provider, kind, raw, checked=False)
    if account is None:
        log.warning("%s push to %s: wrong key", provider, request.path)
        return _answer(provider, False, 403)
    try:
        items = parse(provider, kind, raw)
    except BadPush as exc:
        log.warning("%s push to %s refused: %s", provider, request.path, exc)
        return _answer(provider, False, 400)
    phones = [item.phone for item in items if isinstance(item, ReplyPush)]
    if any(waits_in_spool(phone) for phone in phones):  # keep each phone's texts in order
        return _kept(provider, kind, raw, checked=True, party=phones[0])
    try:
        taken = take_in_push(mianhua, community_id=account.community_id, items=items)
    except SQLAlchemyError as exc:
        log.error("%s push: database unavailable, spooling: %s", provider, exc)
        return _kept(provider, kind, raw, checked=True, party=phones[0] if phones else "")
    try:
        taken.read_them(mianhua, account.community_id)
    except JobsUnavailable as exc:  # the periodic work queues unread texts
        log.warning("%s push: inbox queue unreachable (%s); the sweep reads them", provider, exc)
    if kind == INBOUND and taken.repeated:
        log.info("%s push: %d repeated text(s) recorded once", provider, taken.repeated)
    return _answer(provider, True)


def _kept(provider: str, kind: str, raw: bytes, *, checked: bool, party: str = "") -> Response:
    try:
        keep_push(provider, kind, raw, key_checked=checked, party=party)
    except SpoolUnwritable as exc:
        log.critical("spool: could not keep a %s %s push: %s", provider, kind, exc)
        return _answer(provider, False, 503)
    return _answer(provider, True)
