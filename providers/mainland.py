"""Builds the mainland sender that `SMS_SENDER=aliyun|tencent` names, from settings."""

from __future__ import annotations

from core.carriers import codes
from core.messages.models import MessageChannel
from core.messages.sending import Outgoing
from core.ports.carriers import SendFailed
from core.settings import Settings


def filed_template(out: Outgoing, carrier: str):  # type: ignore[no-untyped-def]
    """The approved template a mainland text goes out in; a call, or a kind with no filed
    template, is a permanent failure (nothing is sent that the provider would refuse)."""
    if out.channel == MessageChannel.VOICE:
        raise SendFailed(
            codes.NO_VOICE, f"reminder calls through {carrier} are not built yet", transient=False
        )
    if out.template is None:
        raise SendFailed(
            codes.TEMPLATE, f"no {carrier} template filed for {out.kind!r}", transient=False
        )
    return out.template


def make_mainland_sender(settings: Settings, *, timeout_s: float):  # type: ignore[no-untyped-def]
    """An AliyunSender or TencentSender; credentials were checked by load_settings."""
    if settings.sms_sender == "aliyun":
        from providers.aliyun.client import make_aliyun_client
        from providers.aliyun.sender import AliyunSender

        client = make_aliyun_client(
            settings.aliyun_access_key_id or "",
            settings.aliyun_access_key_secret or "",
            endpoint=settings.aliyun_sms_endpoint,
            timeout_s=timeout_s,
        )
        return AliyunSender(client, timeout_s=timeout_s)
    if settings.sms_sender == "tencent":
        from providers.tencent.client import make_tencent_client
        from providers.tencent.sender import TencentSender

        client = make_tencent_client(
            settings.tencent_secret_id or "",
            settings.tencent_secret_key or "",
            endpoint=settings.tencent_sms_endpoint,
            timeout_s=timeout_s,
        )
        return TencentSender(client, sdk_app_id=settings.tencent_sms_sdk_app_id or "")
    raise ValueError(f"not a mainland sender: {settings.sms_sender!r}")
