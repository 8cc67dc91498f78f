"""The mainland providers' pushes in the spool: kept as they came, taken in when the
database is back.

A push's key can only be checked against the database, so one kept while the database
was down is marked unchecked and checked on intake: a wrong key is set aside in bad/,
never taken in. The raw JSON body is the payload; the URL's query (with the key) rides
along as for Twilio's requests.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from bootstrap import mianhua
from core.carriers.pushes import BadPush, ReplyPush
from core.carriers.services import account_for_push
from sms_gateway.pushes import INBOUND, REPORT, parse, take_in_push
from spool.from_twilio import TakenIn, Unusable
from spool.records import SMS_INBOUND, SMS_STATUS, SpoolRecord
from spool.web import _hostname

if TYPE_CHECKING:
    from bootstrap import Mianhua

log = logging.getLogger(__name__)

KINDS = {INBOUND: SMS_INBOUND, REPORT: SMS_STATUS}
PUSH_KINDS = {spooled: ours for ours, spooled in KINDS.items()}
RAW = "raw"


def keep_push(provider: str, kind: str, raw: bytes, *, key_checked: bool, party: str) -> None:
    """Write this push to the spool (raises SpoolUnwritable) and wake the drainer."""
    from flask import request

    root = mianhua()
    record = SpoolRecord(
        provider=provider,
        kind=KINDS[kind],
        arrived_at=root.core.now(),
        payload={RAW: [raw.decode("utf-8", errors="replace")]},
        verified_by="push-key" if key_checked else "push-key (unchecked: database down)",
        route=request.path,
        query=request.query_string.decode("latin-1"),
        party=party,
        host=_hostname(),
    )
    path = root.spool.write(record)
    log.warning("spool: kept %s %s push from %s as %s", provider, kind, party or "-", path.name)
    root.spool_drainer.nudge()


def push(mianhua: Mianhua, record: SpoolRecord) -> TakenIn:
    """A kept push, taken in through the same code as the live route."""
    key = parse_qs(record.query).get("key", [""])[0]
    account = account_for_push(mianhua.core, provider=record.provider, key=key)
    if account is None:
        raise Unusable(f"a {record.provider} push with a wrong key")
    try:
        items = parse(record.provider, PUSH_KINDS[record.kind], record.value(RAW).encode())
    except BadPush as exc:
        raise Unusable(f"a {record.provider} push not in its shape: {exc}") from exc
    spooled_at = record.arrived_at if any(isinstance(i, ReplyPush) for i in items) else None
    taken = take_in_push(
        mianhua, community_id=account.community_id, items=items, spooled_at=spooled_at
    )
    if not taken.readings:
        return TakenIn(duplicate=taken.new == 0)
    return TakenIn(
        duplicate=taken.new == 0,
        then=lambda: taken.read_them(mianhua, account.community_id),
    )
