"""What a webhook does when the database cannot take a provider's request: keep it.

Called only from a route that has verified the request (the signature is checked
again here, so nothing unverified can ever reach the disk). The caller answers
the provider as if all went well once `keep` returned, and 503 when it raised
SpoolUnwritable, so the provider's own retry or fallback URL can act.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from functools import cache

from flask import Response, request

from bootstrap import mianhua
from spool.records import SpoolRecord, party_tag
from spool.store import SpoolUnwritable
from twilio_webhooks import signature_is_valid

log = logging.getLogger(__name__)

TWILIO = "twilio"


@cache
def _hostname() -> str:
    return socket.gethostname()


class Unverified(PermissionError):
    """The request's signature does not check out: it is never spooled."""


def keep(kind: str, party: str = "", *, provider: str = TWILIO) -> None:
    """Write this request to the spool (raises SpoolUnwritable) and wake the drainer."""
    root = mianhua()
    if not signature_is_valid():
        raise Unverified(request.path)
    form = request.form
    record = SpoolRecord(
        provider=provider,
        kind=kind,
        arrived_at=root.core.now(),
        payload={name: form.getlist(name) for name in form},
        verified_by=(
            "twilio-signature" if root.settings.validate_signatures else "unchecked (setting)"
        ),
        route=request.path,
        query=request.query_string.decode("latin-1"),
        party=party,
        host=_hostname(),
    )
    path = root.spool.write(record)
    log.warning("spool: kept %s %s from %s as %s", provider, kind, party or "-", path.name)
    root.spool_drainer.nudge()


def kept_or_503(kind: str, party: str, answer: Callable[[], Response]) -> Response:
    """Keep the request and give the provider its usual answer; 503 if it cannot be kept."""
    try:
        keep(kind, party)
    except Unverified:
        return Response("", status=403)
    except SpoolUnwritable as exc:
        log.critical("spool: could not keep %s from %s: %s", kind, party or "-", exc)
        return Response("", status=503)
    return answer()


def waits_in_spool(party: str) -> bool:
    """Older requests of this party still wait on disk: a new one queues behind them."""
    return bool(party) and mianhua().spool.holds_party(party_tag(party))
