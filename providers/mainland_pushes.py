"""The mainland providers' pushes, taken in: one way for Aliyun's and Tencent's alike.

Each provider's web module (providers/aliyun/web.py, providers/tencent/web.py) names its
`PushFormat` (how its pushes are parsed, what it wants to hear back) and mounts
`push_blueprint` of it: its two push URLs, `POST /sms/<provider>/inbound|report?key=...`.

A push carries no signature of its own, so the community's push key in the URL
(`carrier_accounts.push_key`, rotatable) is what authenticates it: a wrong or missing
key answers 403 and records nothing. A push that is not in the provider's shape answers
400. Replies go to the SMS channel as `InboundText`s, read by the workers as Twilio's
are; receipts move our messages in core's status machine, for the key's community only.
With the database down the push is kept in the spool and its key checked when it is
taken in (`spooled`), through the same `take_in` as the live route.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from bootstrap import mianhua
from core.carriers.pushes import BadPush, ReceiptPush, ReplyPush, push_routes, take_receipt
from core.carriers.services import AccountView, account_for_push
from core.ports.jobs import JobsUnavailable
from sms_gateway import inbound
from sms_gateway.inbound import InboundText
from spool import web
from spool.records import SMS_INBOUND, SMS_STATUS, SpoolHandler, SpoolRecord, TakenIn, Unusable
from spool.store import SpoolUnwritable

if TYPE_CHECKING:
    from bootstrap import Mianhua

log = logging.getLogger(__name__)

INBOUND, REPORT = "inbound", "report"
#: Our push kinds as the spool names them, and back.
SPOOL_KINDS = {INBOUND: SMS_INBOUND, REPORT: SMS_STATUS}
PUSH_KINDS = {spooled: ours for ours, spooled in SPOOL_KINDS.items()}
RAW = "raw"
KEY_CHECKED = "push-key"
KEY_UNCHECKED = "push-key (unchecked: database down)"


@dataclass(frozen=True)
class PushFormat:
    """One provider's pushes: its parsers (raising BadPush) and its two answers."""

    provider: str
    replies: Callable[[bytes], list[ReplyPush]]
    receipts: Callable[[bytes], list[ReceiptPush]]
    accepted: dict[str, object]  # what it wants to hear when the push was taken
    refused: dict[str, object]

    def parse(self, kind: str, raw: bytes) -> list[ReplyPush] | list[ReceiptPush]:
        return self.replies(raw) if kind == INBOUND else self.receipts(raw)

    def answer(self, ok: bool, status: int = 200) -> Response:
        response = jsonify(self.accepted if ok else self.refused)
        response.status_code = status
        return response


@dataclass
class PushTaken:
    new: int = 0
    repeated: int = 0
    unknown: int = 0  # receipts for no message of ours
    foreign: int = 0  # replies under a signature and extension code of none of ours
    readings: list[tuple[InboundText, int]] = field(default_factory=list)  # (text, message id)

    def read_them(self, root: Mianhua) -> None:
        """Queue each new text's reading (raises JobsUnavailable: the periodic work
        finds unread texts then)."""
        for text, message_id in self.readings:
            inbound.queue_reading(root, text, message_id)


def take_in(
    root: Mianhua,
    *,
    account: AccountView,
    items: list[ReplyPush] | list[ReceiptPush],
    spooled_at: datetime | None = None,
) -> PushTaken:
    """Each reply into the SMS channel of the community its signature and extension code
    name, each receipt into the status machine; what names none of ours is logged and
    left (the provider is still told it was taken, so it stops pushing it)."""
    taken = PushTaken()
    routes = push_routes(root.core, provider=account.provider)
    for item in items:
        if isinstance(item, ReplyPush):
            community_id = routes.community_of(item, key_community_id=account.community_id)
            if community_id is None:
                taken.foreign += 1
                log.warning(
                    "%s reply from %s under 【%s】 extension %r: none of ours, not recorded",
                    account.provider,
                    item.phone[:-4] + "****",
                    item.sign_name,
                    item.extend_code,
                )
                continue
            text = InboundText(
                community_id=community_id,
                phone=item.phone,
                body=item.body,
                provider_sid=item.provider_sid,
                spooled_at=spooled_at,
            )
            accepted = inbound.record(root.core, text)
            if accepted.is_new:
                taken.new += 1
            else:
                taken.repeated += 1
            if accepted.waiting:
                taken.readings.append((text, accepted.message_id))
        else:
            update = take_receipt(root.core, communities=routes.communities, receipt=item)
            if update is None:
                taken.unknown += 1
            elif update.moved:
                taken.new += 1
            else:
                taken.repeated += 1
    return taken


def push_blueprint(pushes: PushFormat) -> Blueprint:
    """The provider's two push URLs, /sms/<provider>/inbound and /sms/<provider>/report."""
    bp = Blueprint(f"{pushes.provider}_sms", __name__, url_prefix=f"/sms/{pushes.provider}")
    for kind in (INBOUND, REPORT):
        bp.add_url_rule(
            f"/{kind}", kind, lambda kind=kind: take_push(pushes, kind), methods=["POST"]
        )
    return bp


def take_push(pushes: PushFormat, kind: str) -> Response:
    """The live route: check the key, parse, take in, answer as the provider expects."""
    provider = pushes.provider
    key = request.args.get("key", "")
    if not key:
        return pushes.answer(False, 403)
    root = mianhua()
    raw = request.get_data(cache=False)
    try:
        account = account_for_push(root.core, provider=provider, key=key)
    except SQLAlchemyError as exc:
        log.error("%s push: database unavailable, spooling: %s", provider, exc)
        return _kept(pushes, kind, raw, checked=False)
    if account is None:
        log.warning("%s push to %s: wrong key", provider, request.path)
        return pushes.answer(False, 403)
    try:
        items = pushes.parse(kind, raw)
    except BadPush as exc:
        log.warning("%s push to %s refused: %s", provider, request.path, exc)
        return pushes.answer(False, 400)
    phones = [item.phone for item in items if isinstance(item, ReplyPush)]
    if any(web.waits_in_spool(phone) for phone in phones):  # keep each phone's texts in order
        return _kept(pushes, kind, raw, checked=True, party=phones[0])
    try:
        taken = take_in(root, account=account, items=items)
    except SQLAlchemyError as exc:
        log.error("%s push: database unavailable, spooling: %s", provider, exc)
        return _kept(pushes, kind, raw, checked=True, party=phones[0] if phones else "")
    try:
        taken.read_them(root)
    except JobsUnavailable as exc:  # the periodic work queues unread texts
        log.warning("%s push: inbox queue unreachable (%s); the sweep reads them", provider, exc)
    if kind == INBOUND and taken.repeated:
        log.info("%s push: %d repeated text(s) recorded once", provider, taken.repeated)
    return pushes.answer(True)


def _kept(pushes: PushFormat, kind: str, raw: bytes, *, checked: bool, party: str = "") -> Response:
    """Keep the raw push (its key checked on intake when the database could not say)."""
    try:
        web.keep(
            provider=pushes.provider,
            kind=SPOOL_KINDS[kind],
            payload={RAW: [raw.decode("utf-8", errors="replace")]},
            verified_by=KEY_CHECKED if checked else KEY_UNCHECKED,
            party=party,
        )
    except SpoolUnwritable as exc:
        log.critical("spool: could not keep a %s %s push: %s", pushes.provider, kind, exc)
        return pushes.answer(False, 503)
    return pushes.answer(True)


def spooled(pushes: PushFormat) -> dict[tuple[str, str], SpoolHandler]:
    """The spool's handlers for this provider's kept pushes, one per kind."""

    def take_kept(root: Mianhua, record: SpoolRecord) -> TakenIn:
        """A kept push, taken in through the same code as the live route."""
        key = parse_qs(record.query).get("key", [""])[0]
        account = account_for_push(root.core, provider=record.provider, key=key)
        if account is None:
            raise Unusable(f"a {record.provider} push with a wrong key")
        try:
            items = pushes.parse(PUSH_KINDS[record.kind], record.value(RAW).encode())
        except BadPush as exc:
            raise Unusable(f"a {record.provider} push not in its shape: {exc}") from exc
        spooled_at = record.arrived_at if any(isinstance(i, ReplyPush) for i in items) else None
        taken = take_in(root, account=account, items=items, spooled_at=spooled_at)
        if not taken.readings:
            return TakenIn(duplicate=taken.new == 0)
        return TakenIn(duplicate=taken.new == 0, then=lambda: taken.read_them(root))

    return {(pushes.provider, kind): take_kept for kind in PUSH_KINDS}
