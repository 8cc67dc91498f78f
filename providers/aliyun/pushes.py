"""Aliyun's HTTP batch pushes, parsed: SmsUp (replies) and SmsReport (receipts).

Both are JSON arrays (help.aliyun.com/document_detail/101646.html); the receiver answers
`{"code": 0, "msg": "接收成功"}`, anything else makes Aliyun push again.

SmsUp:    [{"phone_number", "content", "send_time", "sequence_id", "dest_code", "sign_name"}]
SmsReport: [{"phone_number", "success", "biz_id", "out_id", "send_time", "report_time",
             "err_code", "err_msg", "sms_size"}]
"""

from __future__ import annotations

import json
from typing import Any

from core.carriers.pushes import BadPush, ReceiptPush, ReplyPush
from core.phones import try_normalize_phone
from providers.batching import batch_message_ids

ACCEPTED = {"code": 0, "msg": "接收成功"}
REFUSED = {"code": 1, "msg": "拒绝"}


def _items(raw: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadPush(f"not JSON: {exc}") from exc
    if isinstance(data, dict):
        data = [data]  # one item unwrapped: take it as Aliyun's one-element array
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise BadPush("not a JSON array of objects")
    return data


def _phone(item: dict[str, Any]) -> str:
    raw = str(item.get("phone_number") or "").strip()
    phone = try_normalize_phone(raw)
    if phone is None:
        raise BadPush(f"phone_number {raw!r} is not a phone number")
    return phone


def replies(raw: bytes) -> list[ReplyPush]:
    """The texts of an SmsUp push; the id is made of phone, send time and sequence id."""
    found = []
    for item in _items(raw):
        phone = _phone(item)
        sequence = str(item.get("sequence_id") or "").strip()
        sent = "".join(ch for ch in str(item.get("send_time") or "") if ch.isdigit())
        if not sequence or not isinstance(item.get("content"), str):
            raise BadPush("an SmsUp item without sequence_id or content")
        found.append(
            ReplyPush(
                phone=phone,
                body=item["content"],
                provider_sid=f"aliyun:{phone}:{sent}:{sequence}"[:64],
                sign_name=str(item.get("sign_name") or ""),
                extend_code=str(item.get("dest_code") or ""),
            )
        )
    return found


def receipts(raw: bytes) -> list[ReceiptPush]:
    """The receipts of an SmsReport push; `out_id` is our outbox id."""
    found = []
    for item in _items(raw):
        success = item.get("success")
        if not isinstance(success, bool) and str(success).lower() not in ("true", "false"):
            raise BadPush("an SmsReport item without success")
        out_id = str(item.get("out_id") or "").strip()
        biz_id = str(item.get("biz_id") or "").strip() or None
        if not out_id and not biz_id:
            raise BadPush("an SmsReport item without out_id or biz_id")
        delivered = success if isinstance(success, bool) else str(success).lower() == "true"
        single = out_id.isdigit() and len(out_id) < 18
        if not single and biz_id:  # a SendBatchSms text: named by BizId and its number
            biz_id = f"{biz_id}:{str(item.get('phone_number') or '').strip()}"
        number = str(item.get("phone_number") or "").strip()
        found.append(
            ReceiptPush(
                delivered=delivered,
                message_id=int(out_id) if single else None,
                provider_sid=biz_id,
                error_code=None if delivered else str(item.get("err_code") or "") or None,
                batch_ids=() if single else batch_message_ids(out_id),
                phone=(try_normalize_phone(number) or "") if number else "",
            )
        )
    return found
