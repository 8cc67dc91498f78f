"""Texts through Aliyun SMS: one filed template per message kind, under the community's signature.

SendSms takes our outbox id as `OutId`, which Aliyun hands back in QuerySendDetails and
in the SmsReport receipt: that is how an attempt of unknown outcome is found, and how a
receipt finds its row. Aliyun answers a refused text with HTTP 200 and a `Code` other
than "OK"; only API-level refusals (flow control, a bad signature) are raised.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from alibabacloud_dysmsapi20170525 import models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from darabonba.exceptions import DaraException, UnretryableException

from core.carriers import codes
from core.messages.models import MessageChannel
from core.messages.sending import Outgoing
from providers.aliyun.client import no_retries
from providers.aliyun.errors import classify
from workers.senders import SendFailed

log = logging.getLogger(__name__)

#: Aliyun keeps and shows send details by the day in China's time.
CHINA = ZoneInfo("Asia/Shanghai")
DETAILS_PAGE = 50


def aliyun_number(phone: str) -> str:
    """Mainland numbers as Aliyun writes them (11 digits); others with their country code."""
    if phone.startswith("+86"):
        return phone[3:]
    return phone.removeprefix("+")


class AliyunSender:
    name = "aliyun"

    def __init__(self, client: Client, *, timeout_s: float) -> None:
        self.client = client
        self.timeout_s = timeout_s

    def send(self, out: Outgoing) -> str:
        if out.channel == MessageChannel.VOICE:
            raise SendFailed(
                codes.NO_VOICE, "reminder calls through Aliyun are not built yet", transient=False
            )
        template = out.template
        if template is None:
            raise SendFailed(
                codes.TEMPLATE, f"no Aliyun template filed for {out.kind!r}", transient=False
            )
        request = models.SendSmsRequest(
            phone_numbers=aliyun_number(out.to),
            sign_name=template.sign_name,
            template_code=template.template_code,
            template_param=json.dumps(template.as_dict(), ensure_ascii=False),
            out_id=str(out.message_id),
        )
        body = self._call(lambda: self.client.send_sms_with_options(request, self._options()))
        if body.code != "OK":
            ours, transient = classify(body.code or "")
            if ours == codes.TEMPLATE:
                log.error(
                    "message %s: Aliyun refused template %s: %s %s",
                    out.message_id,
                    template.template_code,
                    body.code,
                    body.message,
                )
            raise SendFailed(ours, f"{body.code}: {body.message}", transient=transient)
        return str(body.biz_id)

    def find_sent(self, out: Outgoing) -> str | None:
        """QuerySendDetails lists a number's texts of one day: ours carries our OutId."""
        if out.channel == MessageChannel.VOICE:
            return None
        days = {out.created_at.astimezone(CHINA).date(), datetime.now(CHINA).date()}
        for day in sorted(days):
            request = models.QuerySendDetailsRequest(
                phone_number=aliyun_number(out.to),
                send_date=day.strftime("%Y%m%d"),
                page_size=DETAILS_PAGE,
                current_page=1,
            )
            try:
                body = self._call(
                    lambda r=request: self.client.query_send_details_with_options(
                        r, self._options()
                    )
                )
            except SendFailed as exc:
                log.warning("message %s: could not ask Aliyun about it (%s)", out.message_id, exc)
                return None
            details = body.sms_send_detail_dtos.sms_send_detail_dto if body.code == "OK" else []
            for detail in details or []:
                if detail.out_id == str(out.message_id):
                    # QuerySendDetails gives no BizId: name the attempt by day and OutId.
                    return f"ALIYUN-{day:%Y%m%d}-{out.message_id}"
        return None

    def _options(self):  # type: ignore[no-untyped-def]
        return no_retries(self.timeout_s)

    def _call(self, call):  # type: ignore[no-untyped-def]
        """The body of one SDK call, or SendFailed saying whether the reason may pass."""
        try:
            return call().body
        except AlibabaCloudException as exc:
            ours, transient = classify(str(exc.code), getattr(exc, "status_code", None))
            raise SendFailed(ours, f"{exc.code}: {exc.message}", transient=transient) from exc
        except UnretryableException as exc:
            # A timeout or a broken connection: the request may have reached Aliyun, so
            # the next attempt asks QuerySendDetails first.
            raise SendFailed("timeout", str(exc)[:500], transient=True) from exc
        except DaraException as exc:  # the SDK refused our request before sending it
            raise SendFailed(codes.PROVIDER, str(exc)[:500], transient=False) from exc
