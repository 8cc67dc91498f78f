"""The mainland providers' call receipts in the spool: kept as they came while the
database was down, taken in (key checked then) through the live route's own code."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from core.carriers.pushes import BadPush
from core.carriers.services import account_for_push
from spool.records import REMINDER_CALL_STATUS, SpoolRecord, TakenIn, Unusable
from spool.web import _hostname

if TYPE_CHECKING:
    from bootstrap import Mianhua

log = logging.getLogger(__name__)

RAW = "raw"


def keep_call_receipt(provider: str, raw: bytes, *, key_checked: bool) -> None:
    """Write this push to the spool (raises SpoolUnwritable) and wake the drainer."""
    from flask import request

    from bootstrap import mianhua as root_of

    root = root_of()
    record = SpoolRecord(
        provider=provider,
        kind=REMINDER_CALL_STATUS,
        arrived_at=root.core.now(),
        payload={RAW: [raw.decode("utf-8", errors="replace")]},
        verified_by="push-key" if key_checked else "push-key (unchecked: database down)",
        route=request.path,
        query=request.query_string.decode("latin-1"),
        host=_hostname(),
    )
    path = root.spool.write(record)
    log.warning("spool: kept %s call receipt as %s", provider, path.name)
    root.spool_drainer.nudge()


def call_receipt(mianhua: Mianhua, record: SpoolRecord) -> TakenIn:
    from providers.mainland_voice_web import take_in_call_receipts

    key = parse_qs(record.query).get("key", [""])[0]
    account = account_for_push(mianhua.core, provider=record.provider, key=key)
    if account is None:
        raise Unusable(f"a {record.provider} call receipt with a wrong key")
    try:
        moved = take_in_call_receipts(
            mianhua.core,
            community_id=account.community_id,
            provider=record.provider,
            raw=record.value(RAW).encode(),
        )
    except BadPush as exc:
        raise Unusable(f"a {record.provider} call receipt not in its shape: {exc}") from exc
    return TakenIn(duplicate=moved == 0)


#: (provider, kind) -> handler, for spool.intake (through providers.registry).
SPOOLED = {(provider, REMINDER_CALL_STATUS): call_receipt for provider in ("aliyun", "tencent")}
