"""The simulator playing a community on Aliyun or Tencent: a text typed on the screen goes
to the real push route as that provider pushes replies (Aliyun's SmsUp JSON array,
Tencent's reply callback object) with the community's push key, and the chat shows each
outbound message as the provider will deliver it: the filed template, filled in.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from flask import current_app

from core.carriers.models import Carrier
from core.carriers.rendering import rendered_text
from core.carriers.routing import sms_provider_of, voice_provider_of
from core.carriers.services import AccountView, account_of
from core.carriers.variables import MessageFacts
from core.community.models import Community
from core.context import Core

CHINA = ZoneInfo("Asia/Shanghai")
#: What the simulator may play a community's texts as; "" is the community's own choice.
PLAYS = ("", "twilio", "aliyun", "tencent")


class NotFiled(LookupError):
    """The community has no signature (and so no push key) with this provider yet."""


def mainland_provider(core: Core, community: Community, asked: object) -> str | None:
    """The mainland provider this text should be pushed as, or None for Twilio's form."""
    chosen = str(asked or "") if str(asked or "") in PLAYS else ""
    provider = chosen or sms_provider_of(core, community)
    return provider if provider in Carrier.__members__.values() else None


def push_text(
    core: Core, community: Community, phone: str, body: str, provider: str
) -> dict[str, Any]:
    """Post the text to /sms/<provider>/inbound as the provider would; its answer."""
    account = account_of(core, community_id=community.id, provider=provider)
    if account is None:
        raise NotFiled(provider)
    payload = (
        _aliyun_reply(account, phone, body)
        if provider == "aliyun"
        else _tencent_reply(account, phone, body)
    )
    response = current_app.test_client().post(
        f"/sms/{provider}/inbound?key={account.push_key}",
        data=json.dumps(payload, ensure_ascii=False),
        content_type="application/json",
    )
    return {
        "status": response.status_code,
        "provider": provider,
        "push": payload,
        "answer": response.get_json(silent=True),
    }


def template_texts(core: Core, community: Community, rows: list[Any]) -> dict[int, str]:
    """Each outbound message as its provider will deliver it, where one is filed."""
    found: dict[int, str] = {}
    sms, voice = sms_provider_of(core, community), voice_provider_of(core, community)
    with core.db.transaction() as session:
        for m in rows:
            provider = voice if m.channel == "voice" else sms
            if m.inbound or provider not in Carrier.__members__.values():
                continue
            text = rendered_text(
                session,
                community_id=community.id,
                provider=provider,
                kind=m.kind,
                channel=m.channel,
                facts=MessageFacts(body=m.body, community_name=community.name),
            )
            if text is not None:
                found[m.id] = text
    return found


def _national(phone: str) -> str:
    return phone[3:] if phone.startswith("+86") else phone


def _aliyun_reply(account: AccountView, phone: str, body: str) -> list[dict[str, Any]]:
    return [
        {
            "phone_number": _national(phone),
            "content": body,
            "send_time": datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
            "sequence_id": secrets.randbelow(10**12),
            "dest_code": account.extend_code,
            "sign_name": account.sign_name,
        }
    ]


def _tencent_reply(account: AccountView, phone: str, body: str) -> dict[str, Any]:
    number = phonenumbers.parse(phone)  # Tencent splits off the country code
    nation, mobile = str(number.country_code), str(number.national_number)
    return {
        "extend": account.extend_code,
        "mobile": mobile,
        "nationcode": nation,
        "sign": account.sign_name,
        "text": body,
        "time": int(time.time()),
    }
