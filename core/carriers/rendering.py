"""What a resident on Aliyun or Tencent actually reads or hears: the filed template's
words with the message's values in place, the signature in front of a text.

The send path hands the provider only a template code and values; this puts them back
together the way the provider will (Aliyun `${name}`, Tencent `{1}`), for the
simulator's chat and anyone checking a message by eye.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.carriers.models import CarrierAccount, CarrierTemplate
from core.carriers.variables import MessageFacts, fill
from core.carriers.voice_models import VoiceTemplate
from core.messages.models import MessageChannel

_ALIYUN = re.compile(r"\$\{(\w+)\}")
_TENCENT = re.compile(r"\{(\d+)\}")


def render(text: str, values: list[tuple[str, str]]) -> str:
    """A template's words with its values: by name (${content}) or by place ({1})."""
    by_name = dict(values)
    in_order = [value for _, value in values]
    text = _ALIYUN.sub(lambda m: by_name.get(m.group(1), m.group(0)), text)

    def placed(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return in_order[index] if 0 <= index < len(in_order) else match.group(0)

    return _TENCENT.sub(placed, text)


def rendered_text(
    session: Session,
    *,
    community_id: int,
    provider: str,
    kind: str,
    channel: str,
    facts: MessageFacts,
) -> str | None:
    """What the provider will send for this message; None when nothing is filed for it
    (then nothing is sent either) or the template's words were not recorded."""
    if channel == MessageChannel.VOICE:
        voice = session.scalar(
            select(VoiceTemplate).where(
                VoiceTemplate.community_id == community_id, VoiceTemplate.provider == provider
            )
        )
        if voice is None or not voice.template_text:
            return None
        return render(voice.template_text, fill(tuple(voice.variables), facts))
    account = session.scalar(
        select(CarrierAccount).where(
            CarrierAccount.community_id == community_id, CarrierAccount.provider == provider
        )
    )
    entry = session.scalar(
        select(CarrierTemplate).where(
            CarrierTemplate.community_id == community_id,
            CarrierTemplate.provider == provider,
            CarrierTemplate.kind == kind,
        )
    )
    if account is None or entry is None or not entry.template_text:
        return None
    return f"【{account.sign_name}】" + render(
        entry.template_text, fill(tuple(entry.variables), facts)
    )
