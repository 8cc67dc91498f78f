"""Tencent Cloud SMS callbacks, parsed: replies (回复) and status reports (状态报告).

The reply callback is one JSON object (cloud.tencent.com/document/product/382/5809):
`{"extend", "mobile", "nationcode", "sign", "text", "time"}`; the status callback is a
JSON array of `{"user_receive_time", "nationcode", "mobile", "report_status", "errmsg",
"description", "sid", "ext"}`, where `ext` carries our SessionContext. Both are
answered `{"result": 0, "errmsg": "OK"}`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from core.carriers.pushes import BadPush, ReceiptPush, ReplyPush
from core.phones import try_normalize_phone
from providers.batching import batch_message_ids

ACCEPTED = {"result": 0, "errmsg": "OK"}
REFUSED = {"result": 1, "errmsg": "refused"}


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadPush(f"not JSON: {exc}") from exc


def _phone(item: dict[str, Any]) -> str:
    nation = str(item.get("nationcode") or "86").strip().lstrip("+")
    mobile = str(item.get("mobile") or "").strip()
    phone = try_normalize_phone(f"+{nation}{mobile}") if mobile else None
    if phone is None:
        raise BadPush(f"mobile {mobile!r} is not a phone number")
    return phone


def replies(raw: bytes) -> list[ReplyPush]:
    """The text of a reply callback (an array of them is taken too).

    Tencent gives a reply no id of its own: phone, time and the text make one, so a
    repeated callback is the same text, and two texts in one second are two."""
    data = _json(raw)
    items = data if isinstance(data, list) else [data]
    found = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise BadPush("a reply callback without text")
        phone = _phone(item)
        when = str(item.get("time") or "").strip()
        if not when.isdigit():
            raise BadPush("a reply callback without time")
        digest = hashlib.sha1(item["text"].encode("utf-8")).hexdigest()[:12]
        found.append(
            ReplyPush(
                phone=phone,
                body=item["text"],
                provider_sid=f"tencent:{phone}:{when}:{digest}"[:64],
                sign_name=str(item.get("sign") or ""),
                extend_code=str(item.get("extend") or ""),
            )
        )
    return found


def receipts(raw: bytes) -> list[ReceiptPush]:
    data = _json(raw)
    items = data if isinstance(data, list) else [data]
    found = []
    for item in items:
        if not isinstance(item, dict) or "report_status" not in item:
            raise BadPush("a status callback item without report_status")
        context = item.get("ext")
        if isinstance(context, dict):  # older callbacks nest it
            context = context.get("SessionContext") or context.get("session_context")
        context = str(context or "").strip()
        serial = str(item.get("sid") or "").strip() or None
        if not context.isdigit() and serial is None:
            raise BadPush("a status callback item without ext or sid")
        delivered = str(item["report_status"]).upper() == "SUCCESS"
        single = context.isdigit() and len(context) < 18
        mobile = str(item.get("mobile") or "").strip()
        nation = str(item.get("nationcode") or "86").strip().lstrip("+")
        found.append(
            ReceiptPush(
                delivered=delivered,
                message_id=int(context) if single else None,
                provider_sid=serial,
                error_code=None if delivered else str(item.get("errmsg") or "") or None,
                batch_ids=() if single else batch_message_ids(context),
                phone=(try_normalize_phone(f"+{nation}{mobile}") or "") if mobile else "",
            )
        )
    return found
