"""Aliyun's VoiceReport push, parsed: how each reminder call ended.

A JSON array (help.aliyun.com/zh/vms/voicereport-7) of `{"call_id", "start_time",
"end_time", "duration", "status_code", "status_msg", "out_id", "callee", ...}`, pushed
once a call is over and answered `{"code": 0, "msg": "接收成功"}` like the SMS pushes.
The status codes are the carriers' (呼叫状态码): 200000 heard to the end, 200001 hung up
early (both answered), 200002 busy, 200003 not answered, the others unreachable.
"""

from __future__ import annotations

import json
from typing import Any

from core.carriers.pushes import BadPush
from core.carriers.voice import CallReceipt

#: status_code -> what it says of the call, in `record_call_outcome`'s words.
OUTCOMES: dict[str, str] = {
    "200000": "completed",
    "200001": "completed",
    "200002": "busy",
    "200003": "no-answer",
    "200008": "completed",  # answered; the key the template asked for never came
}


def call_receipts(raw: bytes) -> list[CallReceipt]:
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadPush(f"not JSON: {exc}") from exc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise BadPush("not a JSON array of objects")
    found = []
    for item in data:
        call_id = str(item.get("call_id") or "").strip()
        status = str(item.get("status_code") or "").strip()
        if not call_id or not status.isdigit():
            raise BadPush("a VoiceReport item without call_id or status_code")
        out_id = str(item.get("out_id") or "").strip()
        found.append(
            CallReceipt(
                call_id=call_id,
                outcome=OUTCOMES.get(status, "failed"),
                message_id=int(out_id) if out_id.isdigit() and len(out_id) < 18 else None,
                detail=f"{status} {item.get('status_msg') or ''}".strip(),
            )
        )
    return found
