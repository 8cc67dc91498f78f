"""Reminder calls through Aliyun voice notification (dyvmsapi 2017-05-25, SingleCallByTts).

One call speaks the community's approved TTS template (`TtsCode`, its variables in
`TtsParam`) to one landline, twice; our outbox id rides as `OutId`, which the VoiceReport
receipt hands back with the `CallId` we keep as the row's sid. Like SendSms, a refusal is
HTTP 200 with a `Code` other than "OK"; flow control and bad credentials are raised.
"""

from __future__ import annotations

import json
import logging

from alibabacloud_dyvmsapi20170525 import models
from alibabacloud_dyvmsapi20170525.client import Client as VoiceClient

from core.carriers import codes
from core.messages.sending import Outgoing
from core.ports.carriers import SendFailed
from providers.aliyun.client import no_retries
from providers.aliyun.errors import classify, sdk_call
from providers.mainland_voice import PLAY_TIMES, filed_voice_template

log = logging.getLogger(__name__)

#: SingleCallByTts's own refusals (help.aliyun.com/zh/vms/developer-reference/api-error-codes),
#: where they differ from the SMS ones in providers/aliyun/errors.py.
VOICE_CODES: dict[str, tuple[str, bool]] = {
    # The same callee at most once a minute, 5 times an hour, 20 a day: it passes.
    "isv.BUSINESS_LIMIT_CONTROL": (codes.NUMBER_PACE, True),
    "isv.CALLED_NUMBER_ILLEGAL": (codes.BAD_NUMBER, False),
    "isv.MOBILE_NUMBER_ILLEGAL": (codes.BAD_NUMBER, False),
    "isv.TTS_TEMPLATE_ILLEGAL": (codes.TEMPLATE, False),
    "isv.TTSCODE_ILLEGAL": (codes.TEMPLATE, False),
    "isv.VOICE_FILE_ILLEGAL": (codes.TEMPLATE, False),
    "isv.PARAM_LENGTH_LIMIT": (codes.TEMPLATE, False),
    "isv.DISPLAY_NUMBER_ILLEGAL": (codes.PROVIDER, False),
    "isv.CALLED_SHOW_NUMBER_ILLEGAL": (codes.PROVIDER, False),
}
#: Aliyun's speed runs from -500 to 500; a community that asks for slow speech gets this.
SLOW_SPEED = -150


def classify_call(code: str, status: int | None = None) -> tuple[str, bool]:
    if code in VOICE_CODES:
        return VOICE_CODES[code]
    return classify(code, status)


def aliyun_callee(phone: str) -> str:
    """Mainland numbers as Aliyun dials them: mobiles 11 digits, landlines with their 0
    (031188886666); others with their country code."""
    if phone.startswith("+86"):
        national = phone[3:]
        return national if national.startswith("1") else "0" + national
    return phone.removeprefix("+")


class AliyunCallPlacer:
    name = "aliyun"

    def __init__(
        self, client: VoiceClient, *, timeout_s: float, show_number: str | None = None
    ) -> None:
        self.client = client
        self.timeout_s = timeout_s
        # The purchased number the call shows (专属号码); none for a public-mode template.
        self.show_number = show_number

    def reminder_call(self, out: Outgoing) -> str:
        template = filed_voice_template(out, "Aliyun")
        request = models.SingleCallByTtsRequest(
            called_number=aliyun_callee(out.to),
            called_show_number=self.show_number or None,
            tts_code=template.template_code,
            tts_param=json.dumps(template.as_dict(), ensure_ascii=False),
            play_times=PLAY_TIMES,
            speed=SLOW_SPEED if out.voice_rate == "slow" else None,
            out_id=str(out.message_id),
        )
        body = sdk_call(
            lambda: self.client.single_call_by_tts_with_options(
                request, no_retries(self.timeout_s)
            ),
            classify_call,
        )
        if body.code != "OK":
            ours, transient = classify_call(body.code or "")
            if ours == codes.TEMPLATE:
                log.error(
                    "message %s: Aliyun refused TTS template %s: %s %s",
                    out.message_id,
                    template.template_code,
                    body.code,
                    body.message,
                )
            raise SendFailed(ours, f"{body.code}: {body.message}", transient=transient)
        if not body.call_id:
            raise SendFailed(codes.PROVIDER, "SingleCallByTts answered no CallId", transient=True)
        return str(body.call_id)

    def find_placed(self, out: Outgoing) -> str | None:
        """Aliyun finds a call only by its CallId (QueryCallDetailByCallId), which an
        attempt of unknown outcome never heard: a doubt costs a second call at most."""
        return None
