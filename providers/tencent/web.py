"""Tencent's push URLs: POST /sms/tencent/inbound (replies) and /sms/tencent/report (receipts).

Parsed by providers/tencent/pushes.py and taken in, live or from the spool, the way every
mainland push is (providers/mainland_pushes.py); answered as Tencent expects.
"""

from __future__ import annotations

from flask import Blueprint, Response

from providers.mainland_pushes import INBOUND, REPORT, PushFormat, spooled, take_push
from providers.tencent import pushes

PUSHES = PushFormat(
    provider="tencent",
    replies=pushes.replies,
    receipts=pushes.receipts,
    accepted=pushes.ACCEPTED,
    refused=pushes.REFUSED,
)
#: What takes in the pushes the spool kept while the database was down.
SPOOLED = spooled(PUSHES)

bp = Blueprint("tencent_sms", __name__, url_prefix="/sms/tencent")


@bp.post("/inbound")
def inbound() -> Response:
    return take_push(PUSHES, INBOUND)


@bp.post("/report")
def report() -> Response:
    return take_push(PUSHES, REPORT)
