"""A stand-in for Tencent Cloud SMS (API 2021-01-11) on a loopback port.

The official SDK, pointed here by `TENCENT_SMS_ENDPOINT`, POSTs JSON to `/` with the
action in `X-TC-Action` and a TC3-HMAC-SHA256 `Authorization`; the stand-in checks the
signature and answers SendSms and PullSmsSendStatus in their documented shapes. As Tencent
does, a refusal of the whole request is `{"Response": {"Error": {...}}}` (the SDK raises
it: AuthFailure.SignatureFailure, RequestLimitExceeded, FailedOperation.*, ...), while a
refusal of one number is that number's `Code` in `SendStatusSet`
(LimitExceeded.PhoneNumberDailyLimit once a number had `daily_limit` texts today,
InvalidParameterValue.IncorrectPhoneNumber, ...)::

    with FakeTencentSms(secret_id="id", secret_key="key", sdk_app_id="1400000001") as fake:
        fake.on_number("+8613800000004", "InvalidParameterValue.IncorrectPhoneNumber")
        fake.queue("RequestLimitExceeded")
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from tests.support.loopback import LoopbackApi, Received

VERSION = "2021-01-11"
SERVICE = "sms"
CHINA = timezone(timedelta(hours=8))
#: Texts to one number in a natural day, as the carriers allow non-marketing texts
#: (Tencent's own default is lower: cloud.tencent.com/document/faq/382/13303).
DAILY_LIMIT = 10
MAX_NUMBERS = 200
MAX_VARIABLE_CHARS = 20

# Refusals of one number, in its SendStatusSet entry.
PER_NUMBER: dict[str, str] = {
    "LimitExceeded.PhoneNumberDailyLimit": "单个手机号日下发短信条数超过设定的上限",
    "LimitExceeded.PhoneNumberThirtySecondLimit": "单个手机号30秒内下发短信条数超过设定的上限",
    "LimitExceeded.PhoneNumberOneHourLimit": "单个手机号1小时内下发短信条数超过设定的上限",
    "LimitExceeded.PhoneNumberSameContentDailyLimit": "单个手机号下发相同内容超过设定的上限",
    "InvalidParameterValue.IncorrectPhoneNumber": "手机号格式错误",
    "FailedOperation.PhoneNumberInBlacklist": "手机号在免打扰名单库中",
    "FailedOperation.InsufficientBalanceInSmsPackage": "套餐包余量不足",
}
# Refusals of the whole request, as {"Response": {"Error": ...}}.
WHOLE: dict[str, str] = {
    "AuthFailure.SignatureFailure": "The provided credentials could not be validated.",
    "AuthFailure.SecretIdNotFound": "The SecretId is not found.",
    "RequestLimitExceeded": "Your current request times equals to `20` in a second.",
    "InternalError.Timeout": "请求下发短信超时",
    "FailedOperation.TemplateIncorrectOrUnapproved": "模板未审批或内容不匹配",
    "FailedOperation.SignatureIncorrectOrUnapproved": "签名未审批或格式错误",
    "InvalidParameterValue.TemplateParameterFormatError": "验证码模板参数格式错误",
    "InvalidParameterValue.TemplateParameterLengthLimit": "单个模板变量字符数超过上限",
    "LimitExceeded.PhoneNumberCountLimit": "调用接口单次提交的手机号个数超过200个",
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": "SmsSdkAppId 校验失败",
    "InvalidAction": "接口不存在",
    "InvalidParameter": "参数错误",
}
_MOBILE = re.compile(r"^(?:\+86)?1[3-9]\d{9}$")


@dataclass(frozen=True)
class Sent:
    """One text Tencent took; `reported` once a PullSmsSendStatus handed out its receipt."""

    serial_no: str
    phone: str  # E.164, as Tencent echoes it
    sign_name: str
    template_id: str
    params: tuple[str, ...]
    session_context: str
    sent_at: datetime
    delivered: bool | None = None
    reported: bool = False
    extend_code: str = ""  # ExtendCode: the resident's reply comes back under it


class FakeTencentSms(LoopbackApi):
    name = "fake-tencent-sms"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        secret_id: str | None = None,
        secret_key: str | None = None,
        sdk_app_id: str | None = None,
        templates: dict[str, str] | None = None,
        daily_limit: int = DAILY_LIMIT,
        per_second: int | None = None,
        max_variable_chars: int = MAX_VARIABLE_CHARS,
    ) -> None:
        super().__init__(host, port)
        self.secret_id, self.secret_key, self.sdk_app_id = secret_id, secret_key, sdk_app_id
        #: The longest value a template variable takes (Tencent: 20 for most variables).
        self.max_variable_chars = max_variable_chars
        #: Approved templates, id -> text with {1}{2}: when given, others are refused.
        self.templates = templates
        self.daily_limit = daily_limit
        self.per_second = per_second
        self._state = threading.Lock()
        self._queue: deque[str] = deque()
        self._by_number: dict[str, str] = {}
        self._counts: Counter[tuple[str, str]] = Counter()
        self._recent: deque[float] = deque()
        self.sent: list[Sent] = []

    # --- scripting --------------------------------------------------------------------

    def queue(self, *codes: str) -> None:
        """Refuse the next requests as a whole with these codes (WHOLE), in order."""
        for code in codes:
            if code not in WHOLE:
                raise ValueError(f"unknown code {code!r}")
        with self._state:
            self._queue.extend(codes)

    def on_number(self, phone: str, code: str) -> None:
        """Refuse every text to this E.164 number with a PER_NUMBER code."""
        if code not in PER_NUMBER:
            raise ValueError(f"unknown per-number code {code!r}")
        with self._state:
            self._by_number[phone] = code

    def sent_to(self, phone: str) -> list[Sent]:
        with self._state:
            return [s for s in self.sent if s.phone == phone]

    def reply_fields(self, phone: str) -> dict[str, str]:
        """What the reply callback names a reply to the last text this number got: its
        signature and, as `extend`, the extension code that text was sent with."""
        with self._state:
            last = [s for s in self.sent if s.phone == phone][-1]
        return {"sign": last.sign_name, "extend": last.extend_code}

    def settle(self, serial_no: str, *, delivered: bool) -> None:
        """The carrier's receipt came: the next PullSmsSendStatus hands it out."""
        with self._state:
            self.sent = [
                Sent(**{**s.__dict__, "delivered": delivered}) if s.serial_no == serial_no else s
                for s in self.sent
            ]

    # --- answering --------------------------------------------------------------------

    def answer(self, request: Received) -> tuple[str, int, dict[str, str], Any]:
        action = request.headers.get("x-tc-action", "")
        request_id = str(uuid.uuid4())
        with self._state:
            scripted = self._queue.popleft() if self._queue else None
            throttled = self._throttled()
        try:
            params = json.loads(request.body or b"{}")
        except json.JSONDecodeError:
            params = None
        code = self._authenticate(request) or scripted
        if code is None and throttled:
            code = "RequestLimitExceeded"
        if code is None and (
            action not in ACTIONS or request.headers.get("x-tc-version") != VERSION
        ):
            code = "InvalidAction"
        if code is None and not isinstance(params, dict):
            code = "InvalidParameter"
        if code is None and self.sdk_app_id and params.get("SmsSdkAppId") != self.sdk_app_id:
            code = "UnauthorizedOperation.SmsSdkAppIdVerifyFail"
        if code is None:
            body = ACTIONS[action](self, params)
            if isinstance(body, str):
                code = body
            else:
                return action, 200, {}, {"Response": {**body, "RequestId": request_id}}
        error = {"Error": {"Code": code, "Message": WHOLE[code]}, "RequestId": request_id}
        return action, 200, {}, {"Response": error}

    def _throttled(self) -> bool:
        now = time.monotonic()
        self._recent.append(now)
        while self._recent and self._recent[0] < now - 1:
            self._recent.popleft()
        return self.per_second is not None and len(self._recent) > self.per_second

    def _authenticate(self, request: Received) -> str | None:
        return tc3_refusal(request, self.secret_id, self.secret_key)

    def _send(self, params: dict[str, Any]) -> dict[str, Any] | str:
        phones = params.get("PhoneNumberSet") or []
        values = params.get("TemplateParamSet") or []
        template = str(params.get("TemplateId") or "")
        sign = str(params.get("SignName") or "")
        if not isinstance(phones, list) or not phones or not isinstance(values, list):
            return "InvalidParameter"
        if len(phones) > MAX_NUMBERS:
            return "LimitExceeded.PhoneNumberCountLimit"
        if not sign:
            return "FailedOperation.SignatureIncorrectOrUnapproved"
        if self.templates is not None:
            text = self.templates.get(template)
            if text is None or len(re.findall(r"\{\d+\}", text)) != len(values):
                return "FailedOperation.TemplateIncorrectOrUnapproved"
        if any(len(str(v)) > self.max_variable_chars for v in values):
            return "InvalidParameterValue.TemplateParameterLengthLimit"
        context = str(params.get("SessionContext") or "")
        extend = str(params.get("ExtendCode") or "")
        if extend and not extend.isdigit():
            return "InvalidParameter"
        statuses = []
        now = datetime.now(CHINA)
        with self._state:
            for phone in phones:
                e164 = phone if str(phone).startswith("+") else f"+86{phone}"
                code = self._by_number.get(e164)
                if code is None and not _MOBILE.match(str(phone)):
                    code = "InvalidParameterValue.IncorrectPhoneNumber"
                day = now.strftime("%Y%m%d")
                if code is None and self._counts[(e164, day)] >= self.daily_limit:
                    code = "LimitExceeded.PhoneNumberDailyLimit"
                entry = {
                    "SerialNo": "",
                    "PhoneNumber": e164,
                    "Fee": 0,
                    "SessionContext": context,
                    "Code": code or "Ok",
                    "Message": PER_NUMBER.get(code or "", "send success"),
                    "IsoCode": "CN",
                }
                if code is None:
                    serial = f"2028:{uuid.uuid4().int % 10**19:019d}"
                    self._counts[(e164, day)] += 1
                    self.sent.append(
                        Sent(
                            serial,
                            e164,
                            sign,
                            template,
                            tuple(map(str, values)),
                            context,
                            now,
                            extend_code=extend,
                        )
                    )
                    entry.update(SerialNo=serial, Fee=1)
                statuses.append(entry)
        return {"SendStatusSet": statuses}

    def _pull(self, params: dict[str, Any]) -> dict[str, Any] | str:
        limit = params.get("Limit")
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            return "InvalidParameter"
        with self._state:
            ready = [s for s in self.sent if s.delivered is not None and not s.reported][:limit]
            taken = {s.serial_no for s in ready}
            self.sent = [
                Sent(**{**s.__dict__, "reported": True}) if s.serial_no in taken else s
                for s in self.sent
            ]
        return {"PullSmsSendStatusSet": [_report(s) for s in ready]}

    def _pull_by_number(self, params: dict[str, Any]) -> dict[str, Any] | str:
        """One number's receipts in [BeginTime, EndTime]; only texts whose receipt came."""
        phone, begin, end = (
            params.get("PhoneNumber"),
            params.get("BeginTime"),
            params.get("EndTime"),
        )
        limit, offset = params.get("Limit"), params.get("Offset")
        if not isinstance(begin, int) or not isinstance(end, int) or not phone:
            return "InvalidParameter"
        if not isinstance(limit, int) or not 1 <= limit <= 100 or not isinstance(offset, int):
            return "InvalidParameter"
        e164 = phone if str(phone).startswith("+") else f"+86{phone}"
        with self._state:
            found = [
                s
                for s in self.sent
                if s.phone == e164
                and s.delivered is not None
                and begin <= s.sent_at.timestamp() <= end + 1
            ]
        return {"PullSmsSendStatusSet": [_report(s) for s in found[offset : offset + limit]]}


ACTIONS = {
    "SendSms": FakeTencentSms._send,
    "PullSmsSendStatus": FakeTencentSms._pull,
    "PullSmsSendStatusByPhoneNumber": FakeTencentSms._pull_by_number,
}


def _report(sent: Sent) -> dict[str, Any]:
    return {
        "UserReceiveTime": sent.sent_at.strftime("%Y-%m-%d %H:%M:%S"),
        "CountryCode": "86",
        "SubscriberNumber": sent.phone.removeprefix("+86"),
        "PhoneNumber": sent.phone,
        "SerialNo": sent.serial_no,
        "ReportStatus": "SUCCESS" if sent.delivered else "FAIL",
        "Description": "DELIVRD" if sent.delivered else "MK:0001",
        "SessionContext": sent.session_context,
    }


def tc3_refusal(request: Received, secret_id: str | None, secret_key: str | None) -> str | None:
    """Why Tencent Cloud would refuse this request's TC3-HMAC-SHA256 signature (None: it
    holds, or no key is set); shared by the SMS and voice stand-ins."""
    if secret_key is None:
        return None
    match = re.match(
        r"^TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/(\w+)/tc3_request, "
        r"SignedHeaders=content-type;host, Signature=([0-9a-f]+)$",
        request.headers.get("authorization", ""),
    )
    if match is None:
        return "AuthFailure.SignatureFailure"
    sent_id, date, service, signature = match.groups()
    if sent_id != secret_id:
        return "AuthFailure.SecretIdNotFound"
    timestamp = request.headers.get("x-tc-timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
        return "AuthFailure.SignatureFailure"
    if datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d") != date:
        return "AuthFailure.SignatureFailure"
    headers = (
        f"content-type:{request.headers.get('content-type', '')}\n"
        f"host:{request.headers.get('host', '')}\n"
    )
    canonical = (
        f"{request.method}\n{request.path}\n\n{headers}\ncontent-type;host\n"
        f"{hashlib.sha256(request.body).hexdigest()}"
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = (
        f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n"
        f"{hashlib.sha256(canonical.encode()).hexdigest()}"
    )
    key = ("TC3" + secret_key).encode()
    for part in (date, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, signature) else "AuthFailure.SignatureFailure"
