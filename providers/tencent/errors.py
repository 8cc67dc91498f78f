"""What Tencent's codes mean for a send: our short code, and whether the reason may pass.

From the SendSms error list (cloud.tencent.com/document/api/382/55981, 382/52075).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from core.carriers import codes
from core.ports.carriers import SendFailed

#: code -> (our code, transient); per number (SendStatusSet) and for the whole request alike.
CODES: dict[str, tuple[str, bool]] = {
    "LimitExceeded.PhoneNumberDailyLimit": (codes.DAILY_CAP, False),
    "LimitExceeded.PhoneNumberSameContentDailyLimit": (codes.DAILY_CAP, False),
    "LimitExceeded.DeliveryFrequencyLimit": (codes.DAILY_CAP, False),
    "LimitExceeded.PhoneNumberThirtySecondLimit": (codes.NUMBER_PACE, True),
    "LimitExceeded.PhoneNumberOneHourLimit": (codes.NUMBER_PACE, True),
    "InvalidParameterValue.IncorrectPhoneNumber": (codes.BAD_NUMBER, False),
    "FailedOperation.ContainDomesticAndInternationalPhoneNumber": (codes.BAD_NUMBER, False),
    "UnsupportedOperation.UnsupportedRegion": (codes.BAD_NUMBER, False),
    "FailedOperation.PhoneNumberInBlacklist": (codes.BLOCKED, False),
    "FailedOperation.TemplateIncorrectOrUnapproved": (codes.TEMPLATE, False),
    "FailedOperation.MissingTemplateToModify": (codes.TEMPLATE, False),
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": (codes.TEMPLATE, False),
    "InvalidParameterValue.TemplateParameterFormatError": (codes.TEMPLATE, False),
    "InvalidParameterValue.TemplateParameterLengthLimit": (codes.TEMPLATE, False),
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": (codes.TEMPLATE, False),
    "InvalidParameterValue.ContentLengthLimit": (codes.TEMPLATE, False),
    "InvalidParameterValue.DirtyWordFound": (codes.TEMPLATE, False),
    "FailedOperation.SignatureIncorrectOrUnapproved": (codes.SIGNATURE, False),
    "FailedOperation.InsufficientBalanceInSmsPackage": (codes.BALANCE, True),
    "FailedOperation.FailResolvePacket": (codes.PROVIDER, True),
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": (codes.AUTH, False),
    "UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny": (codes.AUTH, False),
    "AuthFailure.SignatureFailure": (codes.AUTH, False),
    "AuthFailure.SecretIdNotFound": (codes.AUTH, False),
    "RequestLimitExceeded": (codes.THROTTLED, True),
    "InternalError.Timeout": (codes.PROVIDER, True),
    "InternalError.RequestTimeException": (codes.PROVIDER, True),
    "ServerNetworkError": (codes.PROVIDER, True),
}


def classify(code: str) -> tuple[str, bool]:
    """Our code and whether to retry; unknown refusals fail with Tencent's words kept."""
    if code in CODES:
        return CODES[code]
    if code.startswith("InternalError"):
        return codes.PROVIDER, True
    if code.startswith("RequestLimitExceeded"):
        return codes.THROTTLED, True
    return codes.PROVIDER, False


def sdk_call(
    call: Callable[[], Any], classify: Callable[[str], tuple[str, bool]] = classify
) -> Any:
    """The answer of one SDK call, or SendFailed saying whether the reason may pass."""
    try:
        return call()
    except TencentCloudSDKException as exc:
        if exc.code == "ClientNetworkError":
            # A timeout or a broken connection: it may have gone; ask first next time.
            raise SendFailed("timeout", str(exc.message)[:500], transient=True) from exc
        ours, transient = classify(str(exc.code))
        raise SendFailed(ours, f"{exc.code}: {exc.message}", transient=transient) from exc
