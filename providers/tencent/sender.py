"""Texts through Tencent Cloud SMS: one filed template per message kind, under the
community's signature.

SendSms takes our outbox id as `SessionContext`, which Tencent echoes in the answer, in
PullSmsSendStatusByPhoneNumber and in the receipt callback: that is how an attempt of
unknown outcome is found, and how a receipt finds its row. A refusal of the number comes
back in `SendStatusSet[0].Code`; a refusal of the request is raised by the SDK.
"""

from __future__ import annotations

import logging
import time

from tencentcloud.sms.v20210111 import models
from tencentcloud.sms.v20210111.sms_client import SmsClient

from core.carriers import codes
from core.messages.models import MessageChannel
from core.messages.sending import Outgoing
from core.ports.carriers import SendFailed
from providers.batching import batch_context, batches, in_batch_context
from providers.mainland import filed_template
from providers.tencent.errors import classify, sdk_call

log = logging.getLogger(__name__)

#: PullSmsSendStatusByPhoneNumber looks back at most this far (Tencent keeps 7 days).
LOOKBACK_S = 2 * 86400
PAGE = 100
#: SendSms: numbers per call, and the longest SessionContext (bytes; ours are ASCII).
BATCH_NUMBERS, MAX_CONTEXT = 200, 500


class TencentSender:
    name = "tencent"

    def __init__(self, client: SmsClient, *, sdk_app_id: str) -> None:
        self.client = client
        self.sdk_app_id = sdk_app_id

    def send(self, out: Outgoing) -> str:
        template = filed_template(out, "Tencent")
        request = models.SendSmsRequest()
        request.SmsSdkAppId = self.sdk_app_id
        request.SignName = template.sign_name
        request.TemplateId = template.template_code
        request.TemplateParamSet = template.in_order()
        request.PhoneNumberSet = [out.to]
        request.SessionContext = str(out.message_id)
        if template.extend_code:  # the community's: its residents' replies come back under it
            request.ExtendCode = template.extend_code
        answer = self._call(lambda: self.client.SendSms(request))
        statuses = answer.SendStatusSet or []
        if not statuses:
            raise SendFailed(codes.PROVIDER, "SendSms answered no status", transient=True)
        status = statuses[0]
        if status.Code != "Ok":
            ours, transient = classify(status.Code or "")
            if ours == codes.TEMPLATE:
                log.error(
                    "message %s: Tencent refused template %s: %s %s",
                    out.message_id,
                    template.template_code,
                    status.Code,
                    status.Message,
                )
            raise SendFailed(ours, f"{status.Code}: {status.Message}", transient=transient)
        return str(status.SerialNo)

    def send_batch(self, outs: list[Outgoing]) -> dict[int, str | SendFailed]:
        """Texts with the same template and values share one SendSms call, up to 200
        numbers; each number's own status says whether its text went."""
        results: dict[int, str | SendFailed] = {}
        ready = [o for o in outs if o.template is not None and o.channel == MessageChannel.SMS]
        for out in outs:
            if out not in ready:
                results[out.message_id] = self._single(out)

        def same_call(out: Outgoing) -> tuple[str, str, str, tuple[str, ...]]:
            assert out.template is not None
            t = out.template
            return t.template_code, t.sign_name, t.extend_code, tuple(t.in_order())

        for chunk in batches(ready, same_call, max_numbers=BATCH_NUMBERS, max_context=MAX_CONTEXT):
            if len(chunk) == 1:
                results[chunk[0].message_id] = self._single(chunk[0])
            else:
                results.update(self._batch(chunk))
        return results

    def _batch(self, chunk: list[Outgoing]) -> dict[int, str | SendFailed]:
        template = chunk[0].template
        assert template is not None
        request = models.SendSmsRequest()
        request.SmsSdkAppId = self.sdk_app_id
        request.SignName = template.sign_name
        request.TemplateId = template.template_code
        request.TemplateParamSet = template.in_order()
        request.PhoneNumberSet = [out.to for out in chunk]
        request.SessionContext = batch_context([out.message_id for out in chunk])
        if template.extend_code:
            request.ExtendCode = template.extend_code
        try:
            answer = self._call(lambda: self.client.SendSms(request))
        except SendFailed as failure:
            return {out.message_id: failure for out in chunk}
        by_number = {status.PhoneNumber: status for status in answer.SendStatusSet or []}
        results: dict[int, str | SendFailed] = {}
        for out in chunk:
            status = by_number.get(out.to)
            if status is None:
                results[out.message_id] = SendFailed(
                    codes.PROVIDER, "no status for this number", transient=True
                )
            elif status.Code == "Ok":
                results[out.message_id] = str(status.SerialNo)
            else:
                ours, transient = classify(status.Code or "")
                message = f"{status.Code}: {status.Message}"
                results[out.message_id] = SendFailed(ours, message, transient=transient)
        return results

    def _single(self, out: Outgoing) -> str | SendFailed:
        try:
            return self.send(out)
        except SendFailed as failure:
            return failure

    def find_sent(self, out: Outgoing) -> str | None:
        """The number's recent receipts: ours carries our SessionContext."""
        if out.channel == MessageChannel.VOICE:
            return None
        request = models.PullSmsSendStatusByPhoneNumberRequest()
        request.SmsSdkAppId = self.sdk_app_id
        request.PhoneNumber = out.to
        request.BeginTime = int(max(out.created_at.timestamp() - 60, time.time() - LOOKBACK_S))
        request.EndTime = int(time.time())
        request.Offset, request.Limit = 0, PAGE
        try:
            answer = self._call(lambda: self.client.PullSmsSendStatusByPhoneNumber(request))
        except SendFailed as exc:
            log.warning("message %s: could not ask Tencent about it (%s)", out.message_id, exc)
            return None
        for report in answer.PullSmsSendStatusSet or []:
            context = report.SessionContext or ""
            ours = context == str(out.message_id) or in_batch_context(context, out.message_id)
            if ours and report.SerialNo and report.PhoneNumber in (out.to, None):
                return str(report.SerialNo)
        return None

    def _call(self, call):  # type: ignore[no-untyped-def]
        return sdk_call(call)
