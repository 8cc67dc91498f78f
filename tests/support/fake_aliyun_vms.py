"""A stand-in for Aliyun voice notification (dyvmsapi 2017-05-25) on a loopback port.

The official SDK, pointed here by `ALIYUN_VOICE_ENDPOINT`, signs each request with
ACS3-HMAC-SHA256 (checked as the SMS stand-in does) and puts SingleCallByTts's parameters
in the query. The stand-in answers in the documented shape (`{"RequestId", "Code": "OK",
"Message", "CallId"}`) and refuses as Aliyun does: business refusals are HTTP 200 with
another `Code` (isv.MOBILE_NUMBER_ILLEGAL for a number it cannot ring,
isv.TTS_TEMPLATE_ILLEGAL for a template not approved, isv.BUSINESS_LIMIT_CONTROL past
one call a minute to the same callee, 5 an hour, 20 a day), flow control and a bad
signature are HTTP 4xx, raised by the SDK. `report(call_id, "200000")` is the
VoiceReport item Aliyun would push once the call is over::

    with FakeAliyunVms(access_key_id="ak", access_key_secret="sk") as fake:
        fake.queue("Throttling.User")
        ...
        [call] = fake.calls_to("031188886601")
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from tests.support.fake_aliyun_sms import acs3_refusal
from tests.support.loopback import LoopbackApi, Received

VERSION = "2017-05-25"
CHINA = timezone(timedelta(hours=8))
#: Calls to one callee: (window in seconds, at most) (help.aliyun.com/document_detail/114036).
CALLEE_LIMITS = ((60, 1), (3600, 5), (86400, 20))

BUSINESS: dict[str, str] = {
    "isv.MOBILE_NUMBER_ILLEGAL": "号码格式非法",
    "isv.BUSINESS_LIMIT_CONTROL": "触发流控",
    "isv.TTS_TEMPLATE_ILLEGAL": "文本转语音模板不合法",
    "isv.TEMPLATE_MISSING_PARAMETERS": "模板缺少变量",
    "isv.PARAM_LENGTH_LIMIT": "参数超出长度限制",
    "isv.DISPLAY_NUMBER_ILLEGAL": "显示号码不合法",
    "isv.AMOUNT_NOT_ENOUGH": "账户余额不足",
    "isv.INVALID_PARAMETERS": "参数异常",
    "isp.SYSTEM_ERROR": "系统错误",
}
REFUSALS: dict[str, tuple[int, str]] = {
    "Throttling.User": (400, "Request was denied due to user flow control."),
    "SignatureDoesNotMatch": (400, "Specified signature does not match our calculation."),
    "InvalidAccessKeyId.NotFound": (404, "Specified access key is not found."),
    "InvalidAction.NotFound": (404, "Specified api is not found, please check your url."),
    "ServiceUnavailable": (503, "The request has failed due to a temporary failure of the server."),
}
#: Mobiles (11 digits) and landlines with their area code's 0 (010..., 0311...).
_CALLEE = re.compile(r"^(?:1[3-9]\d{9}|0[1-9]\d{8,10})$")
_VARIABLE = re.compile(r"\$\{(\w+)\}")
#: A TTS variable's longest value (Aliyun voice notification: 20 per variable, 350 in all).
MAX_VARIABLE_CHARS, MAX_SPOKEN_CHARS = 20, 350


@dataclass(frozen=True)
class Call:
    """One call Aliyun placed."""

    call_id: str
    callee: str
    tts_code: str
    params: dict[str, str]
    out_id: str
    play_times: int
    speed: int | None
    show_number: str
    placed_at: datetime


class FakeAliyunVms(LoopbackApi):
    name = "fake-aliyun-vms"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        templates: dict[str, str] | None = None,
        per_second: int | None = None,
        max_variable_chars: int = MAX_VARIABLE_CHARS,
    ) -> None:
        super().__init__(host, port)
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        #: Approved TTS templates, code -> text with ${name}: when given, others are refused.
        self.templates = templates
        self.per_second = per_second
        self.max_variable_chars = max_variable_chars
        self._state = threading.Lock()
        self._queue: deque[str] = deque()
        self._recent: deque[float] = deque()
        self._by_callee: dict[str, deque[float]] = defaultdict(deque)
        self.calls: list[Call] = []

    def queue(self, *codes: str) -> None:
        """Answer the next requests with these codes (BUSINESS or REFUSALS), in order."""
        for code in codes:
            if code not in BUSINESS and code not in REFUSALS:
                raise ValueError(f"unknown code {code!r}")
        with self._state:
            self._queue.extend(codes)

    def calls_to(self, callee: str) -> list[Call]:
        with self._state:
            return [c for c in self.calls if c.callee == callee]

    def report(self, call_id: str, status_code: str = "200000", **fields: Any) -> dict[str, Any]:
        """The VoiceReport item Aliyun pushes once this call is over."""
        with self._state:
            call = next(c for c in self.calls if c.call_id == call_id)
        answered = status_code in ("200000", "200001")
        ended = call.placed_at + timedelta(seconds=30)
        item = {
            "call_id": call.call_id,
            "start_time": call.placed_at.strftime("%Y-%m-%d %H:%M:%S") if answered else "",
            "end_time": ended.strftime("%Y-%m-%d %H:%M:%S"),
            "duration": "25" if answered else "0",
            "status_code": status_code,
            "status_msg": "用户听完语音" if status_code == "200000" else "未接通",
            "out_id": call.out_id,
            "callee": call.callee,
            "caller": call.show_number,
            "hangup_direction": "用户",
            "toll_type": "LOCAL",
            "voice_type": "voice",
        }
        return {**item, **fields}

    def answer(self, request: Received) -> tuple[str, int, dict[str, str], Any]:
        action = request.headers.get("x-acs-action") or request.query.get("Action", "")
        request_id = str(uuid.uuid4()).upper()
        with self._state:
            scripted = self._queue.popleft() if self._queue else None
            throttled = self._throttled()
        refusal = acs3_refusal(request, self.access_key_id, self.access_key_secret)
        if refusal is None and request.headers.get("x-acs-version", VERSION) != VERSION:
            refusal = "InvalidAction.NotFound"
        if refusal is None and scripted in REFUSALS:
            refusal = scripted
        if refusal is None and throttled:
            refusal = "Throttling.User"
        if refusal is None and action != "SingleCallByTts":
            refusal = "InvalidAction.NotFound"
        if refusal is not None:
            status, message = REFUSALS[refusal]
            return (
                action,
                status,
                {},
                {"RequestId": request_id, "Code": refusal, "Message": message},
            )
        if scripted is not None:
            return action, 200, {}, _business(scripted, request_id)
        params = {**request.query, **dict(_form(request.body))}
        return action, 200, {}, self._call(params, request_id)

    def _throttled(self) -> bool:
        now = time.monotonic()
        self._recent.append(now)
        while self._recent and self._recent[0] < now - 1:
            self._recent.popleft()
        return self.per_second is not None and len(self._recent) > self.per_second

    def _call(self, params: dict[str, str], request_id: str) -> dict[str, Any]:
        callee, code = params.get("CalledNumber", ""), params.get("TtsCode", "")
        try:
            values = json.loads(params.get("TtsParam") or "{}")
            play_times = int(params.get("PlayTimes") or 1)
            speed = int(params["Speed"]) if params.get("Speed") else None
        except (json.JSONDecodeError, ValueError):
            return _business("isv.INVALID_PARAMETERS", request_id)
        if not isinstance(values, dict) or not 1 <= play_times <= 3:
            return _business("isv.INVALID_PARAMETERS", request_id)
        if speed is not None and not -500 <= speed <= 500:
            return _business("isv.INVALID_PARAMETERS", request_id)
        if not _CALLEE.match(callee):
            return _business("isv.MOBILE_NUMBER_ILLEGAL", request_id)
        if self.templates is not None:
            if code not in self.templates:
                return _business("isv.TTS_TEMPLATE_ILLEGAL", request_id)
            wanted = set(_VARIABLE.findall(self.templates[code]))
            if wanted - set(values):
                return _business("isv.TEMPLATE_MISSING_PARAMETERS", request_id)
        if any(len(str(v)) > self.max_variable_chars for v in values.values()):
            return _business("isv.PARAM_LENGTH_LIMIT", request_id)
        if sum(len(str(v)) for v in values.values()) > MAX_SPOKEN_CHARS:
            return _business("isv.PARAM_LENGTH_LIMIT", request_id)
        with self._state:
            now = time.monotonic()
            recent = self._by_callee[callee]
            if any(
                sum(1 for t in recent if t > now - window) >= most for window, most in CALLEE_LIMITS
            ):
                return _business("isv.BUSINESS_LIMIT_CONTROL", request_id)
            recent.append(now)
            call_id = f"{uuid.uuid4().int % 10**12:012d}^{uuid.uuid4().int % 10**12:012d}"
            self.calls.append(
                Call(
                    call_id=call_id,
                    callee=callee,
                    tts_code=code,
                    params={k: str(v) for k, v in values.items()},
                    out_id=params.get("OutId", ""),
                    play_times=play_times,
                    speed=speed,
                    show_number=params.get("CalledShowNumber", ""),
                    placed_at=datetime.now(CHINA),
                )
            )
        return {"RequestId": request_id, "Code": "OK", "Message": "OK", "CallId": call_id}


def _form(body: bytes) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(body.decode("utf-8")) if body else []


def _business(code: str, request_id: str) -> dict[str, Any]:
    return {"RequestId": request_id, "Code": code, "Message": BUSINESS[code]}
