"""A resident's phone on a mainland provider, as the tests see it: her texts arrive as
that provider's reply push, and the carriers' receipts as its receipt push."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient

from tests.support.inbox import read_inbox

_sequence = itertools.count(1000)


@dataclass
class Pushed:
    status: int
    answer: Any


class MainlandPhone:
    """Pushes to /sms/<provider>/inbound|report with a community's key."""

    def __init__(self, client: FlaskClient, provider: str, key: str) -> None:
        self.client, self.provider, self.key = client, provider, key

    def post(self, kind: str, payload: Any, key: str | None = None) -> Pushed:
        key = self.key if key is None else key
        path = f"/sms/{self.provider}/{kind}" + (f"?key={key}" if key else "")
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False)
        response = self.client.post(path, data=body, content_type="application/json")
        return Pushed(response.status_code, response.get_json(silent=True))

    def reply_push(self, phone: str, body: str, **fields: Any) -> Any:
        """One text in this provider's documented reply shape."""
        national = phone.removeprefix("+86")
        if self.provider == "aliyun":
            item = {
                "phone_number": national,
                "content": body,
                "send_time": time.strftime("%Y-%m-%d %H:%M:%S"),
                "sequence_id": next(_sequence),
                "dest_code": "",
                "sign_name": "幸福里社区",
            }
            return [{**item, **fields}]
        item = {
            "extend": "",
            "mobile": national,
            "nationcode": "86",
            "sign": "幸福里社区",
            "text": body,
            "time": int(time.time()) + next(_sequence),
        }
        return {**item, **fields}

    def send(self, phone: str, body: str, *, read: bool = True, **fields: Any) -> Pushed:
        pushed = self.post("inbound", self.reply_push(phone, body, **fields))
        if read:
            read_inbox(self.client.application.extensions["mianhua"])
        return pushed

    def receipt(self, message_id: int, phone: str, *, delivered: bool, sid: str = "") -> Pushed:
        national = phone.removeprefix("+86")
        if self.provider == "aliyun":
            item = {
                "phone_number": national,
                "success": delivered,
                "biz_id": sid or f"{message_id:018d}^0",
                "out_id": str(message_id),
                "send_time": "2026-11-23 10:00:00",
                "report_time": "2026-11-23 10:00:05",
                "err_code": "DELIVERED" if delivered else "MK:0001",
                "err_msg": "用户接收成功" if delivered else "空号",
                "sms_size": "1",
            }
        else:
            item = {
                "user_receive_time": "2026-11-23 10:00:05",
                "nationcode": "86",
                "mobile": national,
                "report_status": "SUCCESS" if delivered else "FAIL",
                "errmsg": "DELIVRD" if delivered else "MK:0001",
                "description": "用户短信送达成功" if delivered else "空号",
                "sid": sid or f"2028:{message_id:019d}",
                "ext": str(message_id),
            }
        return self.post("report", [item])
