"""The mainland call receipts' push URLs: POST /voice/aliyun|tencent/report?key=...

Aliyun's VoiceReport and Tencent's voice callback say how each reminder call ended; they
carry no signature, so, as for the SMS pushes, the community's push key in the URL
(`carrier_accounts.push_key`, the same key: `templates push-key` prints both) is what
authenticates them: a wrong or missing key answers 403 and records nothing, a push not in
the provider's shape 400. A receipt moves only a call of the key's community, once
however often it is pushed, and is answered as the provider expects. With the database
down the push is kept in the spool, and its key checked when it is taken in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Flask, Response, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from bootstrap import mianhua
from core.carriers.pushes import BadPush, push_routes
from core.carriers.services import account_for_push
from core.carriers.voice import CallReceipt, take_call_receipt
from core.context import Core
from providers.aliyun import pushes as aliyun_sms
from providers.aliyun import voice_pushes as aliyun
from providers.tencent import pushes as tencent_sms
from providers.tencent import voice_pushes as tencent
from spool.store import SpoolUnwritable

log = logging.getLogger(__name__)

bp = Blueprint("mainland_voice", __name__, url_prefix="/voice")

PARSERS: dict[str, Callable[[bytes], list[CallReceipt]]] = {
    "aliyun": aliyun.call_receipts,
    "tencent": tencent.call_receipts,
}
#: (taken, refused): the same answers as the providers' SMS pushes.
ANSWERS = {
    "aliyun": (aliyun_sms.ACCEPTED, aliyun_sms.REFUSED),
    "tencent": (tencent_sms.ACCEPTED, tencent_sms.REFUSED),
}


def register(app: Flask) -> None:
    app.register_blueprint(bp)


def take_in_call_receipts(core: Core, *, community_id: int, provider: str, raw: bytes) -> int:
    """Parse (raises BadPush) and apply each receipt, to a call of any community on this
    provider (the key's among them); how many moved a call."""
    moved = 0
    communities = push_routes(core, provider=provider).communities | {community_id}
    for receipt in PARSERS[provider](raw):
        status = take_call_receipt(core, communities=communities, receipt=receipt)
        if status is None:
            log.info("%s call receipt for %s changed nothing", provider, receipt.call_id)
        else:
            log.info("%s call %s: %s -> %s", provider, receipt.call_id, receipt.detail, status)
            moved += 1
    return moved


def _answer(provider: str, ok: bool, status: int = 200) -> Response:
    accepted, refused = ANSWERS[provider]
    response = jsonify(accepted if ok else refused)
    response.status_code = status
    return response


@bp.post("/<provider>/report")
def call_report(provider: str) -> Response:
    if provider not in PARSERS:
        return Response("", status=404)
    key = request.args.get("key", "")
    if not key:
        return _answer(provider, False, 403)
    root = mianhua()
    raw = request.get_data(cache=False)
    try:
        account = account_for_push(root.core, provider=provider, key=key)
    except SQLAlchemyError as exc:
        log.error("%s call receipt: database unavailable, spooling: %s", provider, exc)
        return _kept(provider, raw, checked=False)
    if account is None:
        log.warning("%s call receipt to %s: wrong key", provider, request.path)
        return _answer(provider, False, 403)
    try:
        PARSERS[provider](raw)
    except BadPush as exc:
        log.warning("%s call receipt refused: %s", provider, exc)
        return _answer(provider, False, 400)
    try:
        take_in_call_receipts(
            root.core, community_id=account.community_id, provider=provider, raw=raw
        )
    except SQLAlchemyError as exc:
        log.error("%s call receipt: database unavailable, spooling: %s", provider, exc)
        return _kept(provider, raw, checked=True)
    return _answer(provider, True)


def _kept(provider: str, raw: bytes, *, checked: bool) -> Response:
    from providers.mainland_voice_spooled import keep_call_receipt

    try:
        keep_call_receipt(provider, raw, key_checked=checked)
    except SpoolUnwritable as exc:
        log.critical("spool: could not keep a %s call receipt: %s", provider, exc)
        return _answer(provider, False, 503)
    return _answer(provider, True)
