"""Builds the mainland sender that `SMS_SENDER=aliyun|tencent` names, from settings."""

from __future__ import annotations

from core.settings import Settings


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
