"""The one place that builds the official Tencent Cloud clients: SMS and voice (VMS).

The SDK retries nothing unless given a retryer, and we give none; `endpoint` (settings
`TENCENT_SMS_ENDPOINT`, `TENCENT_VOICE_ENDPOINT`) points it at a stand-in, over plain
HTTP when it is on loopback.
"""

from __future__ import annotations

from tencentcloud.common.credential import Credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111.sms_client import SmsClient
from tencentcloud.vms.v20200902.vms_client import VmsClient

#: SMS and VMS are served from these regions; the API answers for the whole account.
REGION = "ap-guangzhou"
LOOPBACK_PREFIXES = ("127.0.0.1:", "localhost:", "[::1]:")


def make_tencent_client(
    secret_id: str, secret_key: str, *, endpoint: str | None, timeout_s: float
) -> SmsClient:
    credential, profile = _parts(secret_id, secret_key, endpoint, timeout_s)
    return SmsClient(credential, REGION, profile)


def make_tencent_voice_client(
    secret_id: str, secret_key: str, *, endpoint: str | None, timeout_s: float
) -> VmsClient:
    credential, profile = _parts(secret_id, secret_key, endpoint, timeout_s)
    return VmsClient(credential, REGION, profile)


def _parts(
    secret_id: str, secret_key: str, endpoint: str | None, timeout_s: float
) -> tuple[Credential, ClientProfile]:
    if not secret_id or not secret_key:
        raise ValueError("a Tencent Cloud client needs a secret id and key")
    host = endpoint.removeprefix("http://").removeprefix("https://") if endpoint else None
    plain = bool(endpoint) and (
        endpoint.startswith("http://") or endpoint.startswith(LOOPBACK_PREFIXES)
    )
    http = HttpProfile(
        protocol="http" if plain else "https",
        endpoint=host,
        reqTimeout=max(1, round(timeout_s)),
    )
    return Credential(secret_id, secret_key), ClientProfile(httpProfile=http)
