"""What Aliyun's codes mean for a send: our short code, and whether the reason may pass.

From the SendSms error list (help.aliyun.com/zh/sms/developer-reference/api-error-codes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from darabonba.exceptions import DaraException, UnretryableException

from core.carriers import codes
from core.ports.carriers import SendFailed

#: code -> (our code, transient)
BUSINESS: dict[str, tuple[str, bool]] = {
    "isv.BUSINESS_LIMIT_CONTROL": (codes.DAILY_CAP, False),
    "isv.DAY_LIMIT_CONTROL": (codes.DAILY_CAP, False),
    "isv.MOBILE_NUMBER_ILLEGAL": (codes.BAD_NUMBER, False),
    "isv.MOBILE_COUNT_OVER_LIMIT": (codes.BAD_NUMBER, False),
    "isv.SMS_TEMPLATE_ILLEGAL": (codes.TEMPLATE, False),
    "isv.TEMPLATE_MISSING_PARAMETERS": (codes.TEMPLATE, False),
    "isv.TEMPLATE_PARAMS_ILLEGAL": (codes.TEMPLATE, False),
    "isv.PARAM_LENGTH_LIMIT": (codes.TEMPLATE, False),
    "isv.PARAM_NOT_SUPPORT_URL": (codes.TEMPLATE, False),
    "isv.BLACK_KEY_CONTROL_LIMIT": (codes.TEMPLATE, False),
    "isv.INVALID_JSON_PARAM": (codes.TEMPLATE, False),
    "isv.INVALID_PARAMETERS": (codes.TEMPLATE, False),
    "isv.SMS_SIGNATURE_ILLEGAL": (codes.SIGNATURE, False),
    "isv.SMS_SIGN_ILLEGAL": (codes.SIGNATURE, False),
    "isv.AMOUNT_NOT_ENOUGH": (codes.BALANCE, True),
    "isv.OUT_OF_SERVICE": (codes.BALANCE, True),
    "isv.ACCOUNT_NOT_EXISTS": (codes.AUTH, False),
    "isv.ACCOUNT_ABNORMAL": (codes.AUTH, False),
    "isv.BLACK_USER_CONTROL": (codes.BLOCKED, False),
    "isp.SYSTEM_ERROR": (codes.PROVIDER, True),
    "isp.RAM_PERMISSION_DENY": (codes.AUTH, False),
}


def classify(code: str, status: int | None = None) -> tuple[str, bool]:
    """Our code and whether to retry, for a business code or an API refusal (4xx/5xx)."""
    if code in BUSINESS:
        return BUSINESS[code]
    if code.startswith("Throttling") or status == 429:
        return codes.THROTTLED, True
    if code.startswith(("SignatureDoesNotMatch", "InvalidAccessKeyId", "Forbidden")):
        return codes.AUTH, False
    if status is not None and status >= 500:
        return codes.PROVIDER, True
    # An unknown refusal: fail it (a loop of retries on a refusal helps nobody), and
    # keep Aliyun's words in the detail for the operator.
    return codes.PROVIDER, False


def sdk_call(
    call: Callable[[], Any], classify: Callable[[str, int | None], tuple[str, bool]] = classify
) -> Any:
    """The body of one SDK call, or SendFailed saying whether the reason may pass."""
    try:
        return call().body
    except AlibabaCloudException as exc:
        ours, transient = classify(str(exc.code), getattr(exc, "status_code", None))
        raise SendFailed(ours, f"{exc.code}: {exc.message}", transient=transient) from exc
    except UnretryableException as exc:
        # A timeout or a broken connection: the request may have reached Aliyun, so
        # the next attempt asks first (where Aliyun can be asked).
        raise SendFailed("timeout", str(exc)[:500], transient=True) from exc
    except DaraException as exc:  # the SDK refused our request before sending it
        raise SendFailed(codes.PROVIDER, str(exc)[:500], transient=False) from exc
