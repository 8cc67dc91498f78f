"""A stand-in for Aliyun SMS (dysmsapi 2017-05-25) on a loopback port.

The official SDK, pointed here by `ALIYUN_SMS_ENDPOINT`, signs each request with
ACS3-HMAC-SHA256 and puts the API's parameters in the query string (RPC style); the
stand-in checks that signature, answers SendSms, SendBatchSms and QuerySendDetails in
their documented shapes, and refuses as Aliyun does: business refusals are HTTP 200 with
a `Code` other than "OK" (isv.MOBILE_NUMBER_ILLEGAL, isv.BUSINESS_LIMIT_CONTROL once a
number had `daily_limit` texts of one signature and template, ...), flow control and a
bad signature are HTTP 4xx, which the SDK raises::

    with FakeAliyunSms(access_key_id="ak", access_key_secret="sk") as fake:
        fake.on_number("13800000004", "isv.MOBILE_NUMBER_ILLEGAL")
        fake.queue("Throttling.User")      # the next request, whoever it is for
        ...
        fake.sent_to("13800000001")
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
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, quote

from tests.support.loopback import LoopbackApi, Received

VERSION = "2017-05-25"
CHINA = timezone(timedelta(hours=8))
#: Notifications per signature + template + number in a day
#: (help.aliyun.com/document_detail/2881383.html).
DAILY_LIMIT = 50
MAX_SEND_SMS_NUMBERS = 1000
#: The longest value a text variable takes (Aliyun's "other" variable property).
MAX_VARIABLE_CHARS = 35
MAX_BATCH_NUMBERS = 100

# Business refusals, answered with HTTP 200 (the SDK returns them as a body).
BUSINESS: dict[str, str] = {
    "isv.MOBILE_NUMBER_ILLEGAL": "非法手机号",
    "isv.BUSINESS_LIMIT_CONTROL": "触发号码天级流控Permits:50",
    "isv.DAY_LIMIT_CONTROL": "触发日发送限额",
    "isv.SMS_TEMPLATE_ILLEGAL": "该账号下找不到对应模板",
    "isv.SMS_SIGNATURE_ILLEGAL": "该账号下找不到对应签名",
    "isv.TEMPLATE_MISSING_PARAMETERS": "模板变量中存在未赋值变量",
    "isv.PARAM_LENGTH_LIMIT": "参数超出长度限制",
    "isv.AMOUNT_NOT_ENOUGH": "账户余额不足",
    "isv.OUT_OF_SERVICE": "业务停机",
    "isv.BLACK_KEY_CONTROL_LIMIT": "模板变量中存在黑名单关键字",
    "isv.INVALID_PARAMETERS": "参数格式不正确",
    "isp.SYSTEM_ERROR": "系统错误",
}
# API-level refusals: (HTTP status, message); the SDK raises these.
REFUSALS: dict[str, tuple[int, str]] = {
    "Throttling.User": (400, "Request was denied due to user flow control."),
    "SignatureDoesNotMatch": (400, "Specified signature does not match our calculation."),
    "InvalidAccessKeyId.NotFound": (404, "Specified access key is not found."),
    "InvalidAction.NotFound": (404, "Specified api is not found, please check your url."),
    "ServiceUnavailable": (503, "The request has failed due to a temporary failure of the server."),
}
OK = "OK"
_MOBILE = re.compile(r"^(?:\+?86|0086)?1[3-9]\d{9}$")
_VARIABLE = re.compile(r"\$\{(\w+)\}")


@dataclass(frozen=True)
class Sent:
    """One text Aliyun took, as QuerySendDetails would show it."""

    biz_id: str
    phone: str
    sign_name: str
    template_code: str
    params: dict[str, str]
    out_id: str
    sent_at: datetime
    status: int = 1  # 1 waiting for the receipt, 2 failed, 3 delivered
    extend_code: str = ""  # SmsUpExtendCode: the resident's reply comes back under it

    @property
    def content(self) -> str:
        return f"【{self.sign_name}】" + json.dumps(self.params, ensure_ascii=False)


class FakeAliyunSms(LoopbackApi):
    name = "fake-aliyun-sms"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        templates: dict[str, str] | None = None,
        daily_limit: int = DAILY_LIMIT,
        per_second: int | None = None,
        max_variable_chars: int = MAX_VARIABLE_CHARS,
    ) -> None:
        super().__init__(host, port)
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.max_variable_chars = max_variable_chars
        #: Approved templates, code -> text with ${name}: when given, others are refused.
        self.templates = templates
        self.daily_limit = daily_limit
        self.per_second = per_second
        self._state = threading.Lock()
        self._queue: deque[str] = deque()
        self._by_number: dict[str, str] = {}
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._recent: deque[float] = deque()
        self.sent: list[Sent] = []

    # --- scripting --------------------------------------------------------------------

    def queue(self, *codes: str) -> None:
        """Answer the next requests with these codes (BUSINESS or REFUSALS), in order."""
        for code in codes:
            if code not in BUSINESS and code not in REFUSALS:
                raise ValueError(f"unknown code {code!r}")
        with self._state:
            self._queue.extend(codes)

    def on_number(self, phone: str, code: str) -> None:
        """Refuse every text to this number (as Aliyun writes it: 11 digits) with `code`."""
        if code not in BUSINESS:
            raise ValueError(f"unknown business code {code!r}")
        with self._state:
            self._by_number[_national(phone)] = code

    def sent_to(self, phone: str) -> list[Sent]:
        with self._state:
            return [s for s in self.sent if s.phone == _national(phone)]

    def reply_fields(self, phone: str) -> dict[str, str]:
        """What SmsUp names a reply to the last text this number got: its signature and,
        as `dest_code`, the extension code that text was sent with."""
        with self._state:
            last = [s for s in self.sent if s.phone == _national(phone)][-1]
        return {"sign_name": last.sign_name, "dest_code": last.extend_code}

    def settle(self, biz_id: str, *, delivered: bool) -> None:
        """The carrier's receipt came: QuerySendDetails shows it delivered or failed."""
        with self._state:
            self.sent = [
                Sent(**{**s.__dict__, "status": 3 if delivered else 2}) if s.biz_id == biz_id else s
                for s in self.sent
            ]

    # --- answering --------------------------------------------------------------------

    def answer(self, request: Received) -> tuple[str, int, dict[str, str], Any]:
        action = request.headers.get("x-acs-action") or request.query.get("Action", "")
        request_id = str(uuid.uuid4()).upper()
        with self._state:
            scripted = self._queue.popleft() if self._queue else None
            throttled = self._throttled()
        refusal = self._authenticate(request)
        if refusal is None and request.headers.get("x-acs-version", VERSION) != VERSION:
            refusal = "InvalidAction.NotFound"
        if refusal is None and scripted in REFUSALS:
            refusal = scripted
        if refusal is None and throttled:
            refusal = "Throttling.User"
        if refusal is None and action not in {"SendSms", "SendBatchSms", "QuerySendDetails"}:
            refusal = "InvalidAction.NotFound"
        if refusal is not None:
            status, message = REFUSALS[refusal]
            payload = {"RequestId": request_id, "Code": refusal, "Message": message}
            return action, status, {}, payload
        if scripted is not None:
            return action, 200, {}, _business(scripted, request_id)
        # RPC parameters come in the query, and the long ones (SendBatchSms's lists) in a form body.
        params = {**request.query, **dict(parse_qsl(request.body.decode("utf-8")))}
        if action == "QuerySendDetails":
            return action, 200, {}, self._details(params, request_id)
        return action, 200, {}, self._send(action, params, request_id)

    def _throttled(self) -> bool:
        now = time.monotonic()
        self._recent.append(now)
        while self._recent and self._recent[0] < now - 1:
            self._recent.popleft()
        return self.per_second is not None and len(self._recent) > self.per_second

    def _authenticate(self, request: Received) -> str | None:
        return acs3_refusal(request, self.access_key_id, self.access_key_secret)

    def _send(self, action: str, query: dict[str, str], request_id: str) -> dict[str, Any]:
        template = query.get("TemplateCode", "")
        try:
            if action == "SendSms":
                phones = [p for p in query.get("PhoneNumbers", "").split(",") if p]
                signs = [query.get("SignName", "")] * len(phones)
                params = [json.loads(query.get("TemplateParam") or "{}")] * len(phones)
                extends = [query.get("SmsUpExtendCode", "")] * len(phones)
                limit = MAX_SEND_SMS_NUMBERS
            else:
                phones = json.loads(query.get("PhoneNumberJson") or "[]")
                signs = json.loads(query.get("SignNameJson") or "[]")
                params = json.loads(query.get("TemplateParamJson") or "[{}]")
                extends = json.loads(query.get("SmsUpExtendCodeJson") or "null") or [""] * len(
                    phones
                )
                limit = MAX_BATCH_NUMBERS
        except json.JSONDecodeError:
            return _business("isv.INVALID_PARAMETERS", request_id)
        if not phones or len(phones) > limit or len(signs) != len(phones):
            return _business("isv.INVALID_PARAMETERS", request_id)
        if len(extends) != len(phones) or not all(str(e).isdigit() or e == "" for e in extends):
            return _business("isv.INVALID_PARAMETERS", request_id)
        if len(params) != len(phones) or not all(isinstance(p, dict) for p in params):
            return _business("isv.INVALID_PARAMETERS", request_id)
        if not all(signs):
            return _business("isv.SMS_SIGNATURE_ILLEGAL", request_id)
        if self.templates is not None:
            if template not in self.templates:
                return _business("isv.SMS_TEMPLATE_ILLEGAL", request_id)
            wanted = set(_VARIABLE.findall(self.templates[template]))
            if any(wanted - set(p) for p in params):
                return _business("isv.TEMPLATE_MISSING_PARAMETERS", request_id)
        if any(len(str(v)) > self.max_variable_chars for p in params for v in p.values()):
            return _business("isv.PARAM_LENGTH_LIMIT", request_id)
        with self._state:
            for phone, sign in zip(phones, signs, strict=True):
                national = _national(phone)
                if not _MOBILE.match(phone):
                    return _business("isv.MOBILE_NUMBER_ILLEGAL", request_id)
                if national in self._by_number:
                    return _business(self._by_number[national], request_id)
                if self._counts[(sign, template, national)] >= self.daily_limit:
                    return _business("isv.BUSINESS_LIMIT_CONTROL", request_id)
            biz_id = f"{uuid.uuid4().int % 10**18:018d}^0"
            now = datetime.now(CHINA)
            for phone, sign, values, extend in zip(phones, signs, params, extends, strict=True):
                national = _national(phone)
                self._counts[(sign, template, national)] += 1
                out_id = query.get("OutId", "")
                self.sent.append(
                    Sent(biz_id, national, sign, template, values, out_id, now, 1, str(extend))
                )
        return {"RequestId": request_id, "Code": OK, "Message": "OK", "BizId": biz_id}

    def _details(self, query: dict[str, str], request_id: str) -> dict[str, Any]:
        phone = _national(query.get("PhoneNumber", ""))
        day = query.get("SendDate", "")
        if not phone or not re.fullmatch(r"\d{8}", day):
            return _business("isv.INVALID_PARAMETERS", request_id)
        size = min(int(query.get("PageSize") or 10), 50)
        page = max(int(query.get("CurrentPage") or 1), 1)
        with self._state:
            found = [
                s
                for s in self.sent
                if s.phone == phone
                and s.sent_at.strftime("%Y%m%d") == day
                and (not query.get("BizId") or s.biz_id == query["BizId"])
            ]
        shown = found[(page - 1) * size : page * size]
        return {
            "RequestId": request_id,
            "Code": OK,
            "Message": "OK",
            "TotalCount": len(found),
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": [_detail(s) for s in shown]},
        }


def _detail(sent: Sent) -> dict[str, Any]:
    return {
        "PhoneNum": sent.phone,
        "SendStatus": sent.status,
        "ErrCode": {1: "", 2: "MK:0001", 3: "DELIVERED"}[sent.status],
        "TemplateCode": sent.template_code,
        "Content": sent.content,
        "SendDate": sent.sent_at.strftime("%Y-%m-%d %H:%M:%S"),
        "ReceiveDate": sent.sent_at.strftime("%Y-%m-%d %H:%M:%S") if sent.status != 1 else "",
        "OutId": sent.out_id,
    }


def _business(code: str, request_id: str) -> dict[str, Any]:
    return {"RequestId": request_id, "Code": code, "Message": BUSINESS[code]}


def _national(phone: str) -> str:
    """Aliyun writes mainland numbers as 11 digits; +86/0086 are accepted on the way in."""
    digits = phone.removeprefix("+").removeprefix("00")
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def acs3_refusal(request: Received, key_id: str | None, secret: str | None) -> str | None:
    """Why Aliyun would refuse this request's ACS3-HMAC-SHA256 signature (None: it holds,
    or no secret is set); shared by the SMS and voice stand-ins."""
    if secret is None:
        return None
    auth = request.headers.get("authorization", "")
    match = re.match(
        r"^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$",
        auth,
    )
    if match is None:
        return "SignatureDoesNotMatch"
    sent_key, signed, signature = match.groups()
    if sent_key != key_id:
        return "InvalidAccessKeyId.NotFound"
    headers = "".join(f"{h}:{request.headers.get(h, '').strip()}\n" for h in signed.split(";"))
    query = "&".join(f"{k}={quote(v, safe='~')}" for k, v in sorted(request.query.items()))
    payload = hashlib.sha256(request.body).hexdigest()
    if request.headers.get("x-acs-content-sha256") != payload:
        return "SignatureDoesNotMatch"
    canonical = f"{request.method}\n{request.path}\n{query}\n{headers}\n{signed}\n{payload}"
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    expected = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, signature) else "SignatureDoesNotMatch"
