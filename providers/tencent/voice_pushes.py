"""Tencent VMS's voice callbacks, parsed: how each reminder call ended.

One JSON object per event (cloud.tencent.com/document/product/1128/37726 and nearby):
`{"voiceprompt_callback": {"result", "callid", "mobile", "nationcode", "accept_time",
"start_calltime", "end_calltime", "fee"}}` once a voice notification is over (result 0:
answered, 1: not answered, 2: the call failed), and `{"voice_failure_callback":
{"callid", "failure_code", "failure_reason", ...}}` when it could not be delivered.
Answered `{"result": 0, "errmsg": "OK"}`. Other events (key presses) are acknowledged.
"""

from __future__ import annotations

import json
from typing import Any

from core.carriers.pushes import BadPush
from core.carriers.voice import CallReceipt

RESULTS = {"0": "completed", "1": "no-answer", "2": "failed"}
EVENTS = ("voiceprompt_callback", "voice_failure_callback")


def call_receipts(raw: bytes) -> list[CallReceipt]:
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadPush(f"not JSON: {exc}") from exc
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(item, dict) for item in items):
        raise BadPush("not a JSON object")
    found = []
    for item in items:
        event = next((name for name in EVENTS if isinstance(item.get(name), dict)), None)
        if event is None:
            if not any(str(name).endswith("_callback") for name in item):
                raise BadPush("not a VMS callback")
            continue  # a key press or another event: nothing to say of a reminder
        body = item[event]
        call_id = str(body.get("callid") or "").strip()
        if not call_id:
            raise BadPush(f"a {event} without callid")
        if event == "voice_failure_callback":
            outcome = "failed"
            detail = f"{body.get('failure_code', '')} {body.get('failure_reason') or ''}"
        else:
            result = str(body.get("result", "")).strip()
            if result not in RESULTS:
                raise BadPush(f"a voiceprompt_callback with result {result!r}")
            outcome, detail = RESULTS[result], f"result {result}"
        found.append(CallReceipt(call_id=call_id, outcome=outcome, detail=detail.strip()))
    return found
