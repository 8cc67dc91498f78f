"""Reminder calls through Tencent Cloud VMS (API 2020-09-02, SendTtsVoice).

One call speaks the community's approved TTS template (`TemplateId`, its values in
order) to one number, twice, under the VMS application (`TENCENT_VOICE_SDK_APP_ID`);
our outbox id rides as `SessionContext`. The answer's `SendStatus.CallId` is kept as the
row's sid: Tencent's voice callback names the call by it. Refusals are raised by the SDK.
"""

from __future__ import annotations

import logging

from tencentcloud.vms.v20200902 import models
from tencentcloud.vms.v20200902.vms_client import VmsClient

from core.carriers import codes
from core.messages.sending import Outgoing
from core.ports.carriers import SendFailed
from providers.mainland_voice import PLAY_TIMES, filed_voice_template
from providers.tencent.errors import classify, sdk_call

log = logging.getLogger(__name__)

#: SendTtsVoice's refusals (the SDK's vms/v20200902/errorcodes.py), where they differ
#: from the SMS ones in providers/tencent/errors.py.
VOICE_CODES: dict[str, tuple[str, bool]] = {
    "InvalidParameterValue.CalledNumberVerifyFail": (codes.BAD_NUMBER, False),
    "LimitExceeded.DeliveryFrequencyLimit": (codes.NUMBER_PACE, True),
    "FailedOperation.TemplateIncorrectOrUnapproved": (codes.TEMPLATE, False),
    "FailedOperation.ContainSensitiveWord": (codes.TEMPLATE, False),
    "InvalidParameterValue.ContentLengthLimit": (codes.TEMPLATE, False),
    "FailedOperation.InsufficientBalanceInVoicePackage": (codes.BALANCE, True),
    "UnauthorizedOperation.ServiceSuspendDueToArrears": (codes.BALANCE, True),
    "FailedOperation.PhonenumberUnappliedOrExpired": (codes.PROVIDER, False),
    "InvalidParameterValue.SdkAppidNotExist": (codes.AUTH, False),
    "UnauthorizedOperation.SdkAppidIsDisabled": (codes.AUTH, False),
    "UnauthorizedOperation.VoiceSdkAppidVerifyFail": (codes.AUTH, False),
    "FailedOperation.AccessUpstreamTimeout": (codes.PROVIDER, True),
    "FailedOperation.FailResolvePacket": (codes.PROVIDER, True),
}


def classify_call(code: str) -> tuple[str, bool]:
    if code in VOICE_CODES:
        return VOICE_CODES[code]
    return classify(code)


class TencentCallPlacer:
    name = "tencent"

    def __init__(self, client: VmsClient, *, voice_sdk_app_id: str) -> None:
        self.client = client
        self.voice_sdk_app_id = voice_sdk_app_id

    def reminder_call(self, out: Outgoing) -> str:
        template = filed_voice_template(out, "Tencent")
        request = models.SendTtsVoiceRequest()
        request.TemplateId = template.template_code
        request.TemplateParamSet = template.in_order()
        request.CalledNumber = out.to
        request.VoiceSdkAppid = self.voice_sdk_app_id
        request.PlayTimes = PLAY_TIMES
        request.SessionContext = str(out.message_id)
        try:
            answer = sdk_call(lambda: self.client.SendTtsVoice(request), classify_call)
        except SendFailed as failure:
            if failure.code == codes.TEMPLATE:
                log.error(
                    "message %s: Tencent refused TTS template %s: %s",
                    out.message_id,
                    template.template_code,
                    failure.detail,
                )
            raise
        status = answer.SendStatus
        if status is None or not status.CallId:
            raise SendFailed(codes.PROVIDER, "SendTtsVoice answered no CallId", transient=True)
        return str(status.CallId)

    def find_placed(self, out: Outgoing) -> str | None:
        """VMS has no way to ask after a call: a doubt costs a second call at most."""
        return None
