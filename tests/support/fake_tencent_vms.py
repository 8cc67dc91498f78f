"""A stand-in for Tencent Cloud VMS (语音消息, API 2020-09-02) on a loopback port.

The official SDK, pointed here by `TENCENT_VOICE_ENDPOINT`, POSTs JSON to `/` with the
action in `X-TC-Action` and a TC3-HMAC-SHA256 `Authorization` (checked as the SMS
stand-in does). SendTtsVoice is answered `{"Response": {"SendStatus": {"CallId",
"SessionContext"}, "RequestId"}}`; refusals are `{"Response": {"Error": {...}}}`, which
the SDK raises: a template not approved, a number it cannot ring
(InvalidParameterValue.CalledNumberVerifyFail), a wrong VoiceSdkAppid, the same callee
called too often (LimitExceeded.DeliveryFrequencyLimit), flow control
(RequestLimitExceeded). `callback(call_id, "0")` is the voiceprompt_callback Tencent
pushes once the call is over::

    with FakeTencentVms(secret_id="id", secret_key="key", voice_sdk_app_id="1400000002") as f:
        f.queue("RequestLimitExceeded")
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from tests.support.fake_tencent_sms import tc3_refusal
from tests.support.loopback import LoopbackApi, Received

VERSION = "2020-09-02"
#: Calls to one callee within these windows (seconds, at most), as the carriers allow.
CALLEE_LIMITS = ((60, 1), (3600, 5), (86400, 20))
#: The spoken text's longest length, the template's values included.
MAX_CONTENT_CHARS = 350

ERRORS: dict[str, str] = {
    "AuthFailure.SignatureFailure": "The provided credentials could not be validated.",
    "AuthFailure.SecretIdNotFound": "The SecretId is not found.",
    "RequestLimitExceeded": "Your current request times equals to `20` in a second.",
    "InternalError.UpstreamError": "上游系统错误",
    "FailedOperation.TemplateIncorrectOrUnapproved": "模板未审批或内容不匹配",
    "InvalidParameterValue.CalledNumberVerifyFail": "被叫号码格式校验失败",
    "InvalidParameterValue.ContentLengthLimit": "请求内容长度超过限制",
    "LimitExceeded.DeliveryFrequencyLimit": "下发频率超过限制",
    "FailedOperation.InsufficientBalanceInVoicePackage": "语音套餐包余量不足",
    "UnauthorizedOperation.VoiceSdkAppidVerifyFail": "VoiceSdkAppid 校验失败",
    "InvalidAction": "接口不存在",
    "InvalidParameter": "参数错误",
}
_CALLEE = re.compile(r"^\+86(?:1[3-9]\d{9}|[2-9]\d{8,10})$")
_PLACEHOLDER = re.compile(r"\{(\d+)\}")


@dataclass(frozen=True)
class Call:
    call_id: str
    callee: str  # E.164
    template_id: str
    params: tuple[str, ...]
    session_context: str
    play_times: int
    placed_at: float


class FakeTencentVms(LoopbackApi):
    name = "fake-tencent-vms"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        secret_id: str | None = None,
        secret_key: str | None = None,
        voice_sdk_app_id: str | None = None,
        templates: dict[str, str] | None = None,
        per_second: int | None = None,
    ) -> None:
        super().__init__(host, port)
        self.secret_id, self.secret_key = secret_id, secret_key
        self.voice_sdk_app_id = voice_sdk_app_id
        #: Approved TTS templates, id -> text with {1}{2}: when given, others are refused.
        self.templates = templates
        self.per_second = per_second
        self._state = threading.Lock()
        self._queue: deque[str] = deque()
        self._recent: deque[float] = deque()
        self._by_callee: dict[str, deque[float]] = defaultdict(deque)
        self.calls: list[Call] = []

    def queue(self, *codes: str) -> None:
        """Refuse the next requests with these codes (ERRORS), in order."""
        for code in codes:
            if code not in ERRORS:
                raise ValueError(f"unknown code {code!r}")
        with self._state:
            self._queue.extend(codes)

    def calls_to(self, callee: str) -> list[Call]:
        with self._state:
            return [c for c in self.calls if c.callee == callee]

    def callback(self, call_id: str, result: str = "0") -> dict[str, Any]:
        """The voiceprompt_callback Tencent pushes once this call is over (0 answered,
        1 not answered, 2 the call failed)."""
        with self._state:
            call = next(c for c in self.calls if c.call_id == call_id)
        start = int(call.placed_at)
        return {
            "voiceprompt_callback": {
                "result": result,
                "accept_time": str(start + 5) if result == "0" else "0",
                "callid": call.call_id,
                "end_calltime": str(start + 35),
                "fee": "1" if result == "0" else "0",
                "mobile": call.callee.removeprefix("+86"),
                "nationcode": "86",
                "start_calltime": str(start),
            }
        }

    def answer(self, request: Received) -> tuple[str, int, dict[str, str], Any]:
        import json

        action = request.headers.get("x-tc-action", "")
        request_id = str(uuid.uuid4())
        with self._state:
            scripted = self._queue.popleft() if self._queue else None
            throttled = self._throttled()
        try:
            params = json.loads(request.body or b"{}")
        except json.JSONDecodeError:
            params = None
        code = tc3_refusal(request, self.secret_id, self.secret_key) or scripted
        if code is None and throttled:
            code = "RequestLimitExceeded"
        if code is None and (
            action != "SendTtsVoice" or request.headers.get("x-tc-version") != VERSION
        ):
            code = "InvalidAction"
        if code is None and not isinstance(params, dict):
            code = "InvalidParameter"
        if code is None:
            body = self._call(params)
            if isinstance(body, dict):
                return action, 200, {}, {"Response": {**body, "RequestId": request_id}}
            code = body
        error = {"Error": {"Code": code, "Message": ERRORS[code]}, "RequestId": request_id}
        return action, 200, {}, {"Response": error}

    def _throttled(self) -> bool:
        now = time.monotonic()
        self._recent.append(now)
        while self._recent and self._recent[0] < now - 1:
            self._recent.popleft()
        return self.per_second is not None and len(self._recent) > self.per_second

    def _call(self, params: dict[str, Any]) -> dict[str, Any] | str:
        if self.voice_sdk_app_id and params.get("VoiceSdkAppid") != self.voice_sdk_app_id:
            return "UnauthorizedOperation.VoiceSdkAppidVerifyFail"
        callee = str(params.get("CalledNumber") or "")
        template = str(params.get("TemplateId") or "")
        values = params.get("TemplateParamSet")
        play_times = params.get("PlayTimes", 2)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return "InvalidParameter"
        if not isinstance(play_times, int) or not 1 <= play_times <= 3:
            return "InvalidParameter"
        if not _CALLEE.match(callee):
            return "InvalidParameterValue.CalledNumberVerifyFail"
        if self.templates is not None:
            text = self.templates.get(template)
            if text is None or len(set(_PLACEHOLDER.findall(text))) != len(values):
                return "FailedOperation.TemplateIncorrectOrUnapproved"
            spoken = _PLACEHOLDER.sub(lambda m: values[int(m.group(1)) - 1], text)
            if len(spoken) > MAX_CONTENT_CHARS:
                return "InvalidParameterValue.ContentLengthLimit"
        with self._state:
            now = time.monotonic()
            recent = self._by_callee[callee]
            for window, most in CALLEE_LIMITS:
                if sum(1 for t in recent if t > now - window) >= most:
                    return "LimitExceeded.DeliveryFrequencyLimit"
            recent.append(now)
            call_id = str(uuid.uuid4())
            context = str(params.get("SessionContext") or "")
            self.calls.append(
                Call(call_id, callee, template, tuple(values), context, play_times, time.time())
            )
        return {"SendStatus": {"CallId": call_id, "SessionContext": context}}
