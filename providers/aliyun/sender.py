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

from core.carriers import codes
from core.messages.models import MessageChannel
from core.messages.sending import Outgoing
from core.ports.carriers import SendFailed
from providers.aliyun.client import no_retries
from providers.aliyun.errors import classify, sdk_call
from providers.batching import batch_context, batches, in_batch_context
from providers.mainland import filed_template

log = logging.getLogger(__name__)

#: Aliyun keeps and shows send details by the day in China's time.
CHINA = ZoneInfo("Asia/Shanghai")
DETAILS_PAGE = 50
#: SendBatchSms: numbers per call, and the longest OutId.
BATCH_NUMBERS, MAX_OUT_ID = 100, 256
#: Refusals of a batch that may be one number's doing: its texts are then sent one by one.
ONE_NUMBERS_DOING = frozenset({codes.BAD_NUMBER, codes.DAILY_CAP, codes.BLOCKED})


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
        template = filed_template(out, "Aliyun")
        request = models.SendSmsRequest(
            phone_numbers=aliyun_number(out.to),
            sign_name=template.sign_name,
            template_code=template.template_code,
            template_param=json.dumps(template.as_dict(), ensure_ascii=False),
            out_id=str(out.message_id),
            # the community's extension code: its residents' replies come back under it
            sms_up_extend_code=template.extend_code or None,
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

    def send_batch(self, outs: list[Outgoing]) -> dict[int, str | SendFailed]:
        """Texts of one template in SendBatchSms calls; a text's id is `BizId:number`,
        which is how SmsReport names it (the call's OutId names the whole batch)."""
        results: dict[int, str | SendFailed] = {}
        ready = [o for o in outs if o.template is not None and o.channel == MessageChannel.SMS]
        for out in outs:
            if out not in ready:
                results[out.message_id] = self._single(out)
        key = lambda o: o.template.template_code if o.template else ""  # noqa: E731
        for chunk in batches(ready, key, max_numbers=BATCH_NUMBERS, max_context=MAX_OUT_ID):
            if len(chunk) == 1:
                results[chunk[0].message_id] = self._single(chunk[0])
                continue
            results.update(self._batch(chunk))
        return results

    def _batch(self, chunk: list[Outgoing]) -> dict[int, str | SendFailed]:
        templates = [out.template for out in chunk if out.template is not None]
        numbers = [aliyun_number(out.to) for out in chunk]
        request = models.SendBatchSmsRequest(
            phone_number_json=json.dumps(numbers),
            sign_name_json=json.dumps([t.sign_name for t in templates], ensure_ascii=False),
            template_code=templates[0].template_code,
            template_param_json=json.dumps([t.as_dict() for t in templates], ensure_ascii=False),
            out_id=batch_context([out.message_id for out in chunk]),
            sms_up_extend_code_json=(
                json.dumps([t.extend_code for t in templates])
                if any(t.extend_code for t in templates)
                else None
            ),
        )
        try:
            body = self._call(
                lambda: self.client.send_batch_sms_with_options(request, self._options())
            )
        except SendFailed as failure:
            return {out.message_id: failure for out in chunk}
        if body.code == "OK":
            return {
                out.message_id: f"{body.biz_id}:{number}"
                for out, number in zip(chunk, numbers, strict=True)
            }
        ours, transient = classify(body.code or "")
        if ours in ONE_NUMBERS_DOING:  # find out whose: each on its own
            return {out.message_id: self._single(out) for out in chunk}
        failure = SendFailed(ours, f"{body.code}: {body.message}", transient=transient)
        return {out.message_id: failure for out in chunk}

    def _single(self, out: Outgoing) -> str | SendFailed:
        try:
            return self.send(out)
        except SendFailed as failure:
            return failure

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
                if detail.out_id == str(out.message_id) or in_batch_context(
                    detail.out_id or "", out.message_id
                ):
                    # QuerySendDetails gives no BizId: name the attempt by day and OutId.
                    return f"ALIYUN-{day:%Y%m%d}-{out.message_id}"
        return None

    def _options(self):  # type: ignore[no-untyped-def]
        return no_retries(self.timeout_s)

    def _call(self, call):  # type: ignore[no-untyped-def]
        """The body of one SDK call, or SendFailed saying whether the reason may pass."""
        return sdk_call(call)
