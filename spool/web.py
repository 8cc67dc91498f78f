"""What a webhook does when the database cannot take a provider's request: keep it.

Called only by a provider's route once it has verified the request (each provider
package checks its own way: Twilio's signature, a mainland push key). The caller
answers the provider as if all went well once `keep` returned, and 503 when it raised
SpoolUnwritable, so the provider's own retry or fallback URL can act.
"""

from __future__ import annotations

import logging
import socket
from functools import cache

from flask import request

from bootstrap import mianhua
from spool.records import SpoolRecord, party_tag

log = logging.getLogger(__name__)


@cache
def _hostname() -> str:
    return socket.gethostname()


def keep(
    *, provider: str, kind: str, payload: dict[str, list[str]], verified_by: str, party: str = ""
) -> None:
    """Write this request to the spool (raises SpoolUnwritable) and wake the drainer."""
    root = mianhua()
    record = SpoolRecord(
        provider=provider,
        kind=kind,
        arrived_at=root.core.now(),
        payload=payload,
        verified_by=verified_by,
        route=request.path,
        query=request.query_string.decode("latin-1"),
        party=party,
        host=_hostname(),
    )
    path = root.spool.write(record)
    log.warning("spool: kept %s %s from %s as %s", provider, kind, party or "-", path.name)
    root.spool_drainer.nudge()


def waits_in_spool(party: str) -> bool:
    """Older requests of this party still wait on disk: a new one queues behind them."""
    return bool(party) and mianhua().spool.holds_party(party_tag(party))
