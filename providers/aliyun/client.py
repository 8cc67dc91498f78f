"""The one place that builds the official Aliyun clients: SMS (dysmsapi) and voice (dyvmsapi).

Retries are off (Aliyun advises it: SendSms and SingleCallByTts are not idempotent, and
a retry after a timeout must first ask QuerySendDetails); `endpoint` (settings
`ALIYUN_SMS_ENDPOINT`, `ALIYUN_VOICE_ENDPOINT`) points the SDK at a stand-in, over plain
HTTP when it is on loopback.
"""

from __future__ import annotations

from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dyvmsapi20170525.client import Client as VoiceClient
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions

DEFAULT_ENDPOINT = "dysmsapi.aliyuncs.com"
DEFAULT_VOICE_ENDPOINT = "dyvmsapi.aliyuncs.com"
LOOPBACK_PREFIXES = ("127.0.0.1:", "localhost:", "[::1]:")


def make_aliyun_client(
    access_key_id: str, access_key_secret: str, *, endpoint: str | None, timeout_s: float
) -> Client:
    host = endpoint or DEFAULT_ENDPOINT
    return Client(_config(access_key_id, access_key_secret, host, timeout_s))


def make_aliyun_voice_client(
    access_key_id: str, access_key_secret: str, *, endpoint: str | None, timeout_s: float
) -> VoiceClient:
    host = endpoint or DEFAULT_VOICE_ENDPOINT
    return VoiceClient(_config(access_key_id, access_key_secret, host, timeout_s))


def _config(access_key_id: str, access_key_secret: str, host: str, timeout_s: float) -> Config:
    if not access_key_id or not access_key_secret:
        # The SDK would otherwise fall back to ALIBABA_CLOUD_* in os.environ.
        raise ValueError("an Aliyun client needs an access key id and secret")
    config = Config(
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        endpoint=host.removeprefix("http://").removeprefix("https://"),
        connect_timeout=int(min(timeout_s, 5) * 1000),
        read_timeout=int(timeout_s * 1000),
    )
    if host.startswith("http://") or host.startswith(LOOPBACK_PREFIXES):
        config.protocol = "http"
    return config


def no_retries(timeout_s: float) -> RuntimeOptions:
    """Per-call options: one attempt, our timeout."""
    return RuntimeOptions(
        autoretry=False,
        max_attempts=0,
        connect_timeout=int(min(timeout_s, 5) * 1000),
        read_timeout=int(timeout_s * 1000),
    )
