"""Aliyun's push URLs: POST /sms/aliyun/inbound (replies) and /sms/aliyun/report (receipts).

Parsed by providers/aliyun/pushes.py and taken in, live or from the spool, the way every
mainland push is (providers/mainland_pushes.py); answered as Aliyun expects.
"""

from __future__ import annotations

from flask import Blueprint, Response

from providers.aliyun import pushes
from providers.mainland_pushes import INBOUND, REPORT, PushFormat, spooled, take_push

PUSHES = PushFormat(
    provider="aliyun",
    replies=pushes.replies,
    receipts=pushes.receipts,
    accepted=pushes.ACCEPTED,
    refused=pushes.REFUSED,
)
#: What takes in the pushes the spool kept while the database was down.
SPOOLED = spooled(PUSHES)

bp = Blueprint("aliyun_sms", __name__, url_prefix="/sms/aliyun")


@bp.post("/inbound")
def inbound() -> Response:
    return take_push(PUSHES, INBOUND)


@bp.post("/report")
def report() -> Response:
    return take_push(PUSHES, REPORT)
