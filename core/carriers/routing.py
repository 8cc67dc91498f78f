"""Which provider a community's messages leave through: texts and reminder calls apart.

A community names its SMS provider and its voice provider (`communities.sms_provider`,
`voice_provider`); one that names none keeps the service's `SMS_SENDER`, and its calls
follow its texts. The send path asks here, inside its own transaction, for the provider
and, for Aliyun and Tencent, the filled template the message must go out in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.carriers.models import Carrier
from core.carriers.services import template_for
from core.carriers.variables import FilledTemplate, MessageFacts
from core.carriers.voice import voice_template_for
from core.community.models import Community
from core.context import Core
from core.messages.models import Message, MessageChannel

#: Providers that send only templates filed beforehand.
TEMPLATE_PROVIDERS = frozenset(Carrier)


@dataclass(frozen=True)
class Route:
    provider: str
    # The filled template for Aliyun and Tencent; None there means nothing was filed.
    template: FilledTemplate | None = None


def sms_provider_of(core: Core, community: Community) -> str:
    return community.sms_provider or core.sms_provider


def voice_provider_of(core: Core, community: Community) -> str:
    """A community's calls go where its texts go unless it names a voice provider."""
    return community.voice_provider or sms_provider_of(core, community)


def route_for(core: Core, session: Session, message: Message, community: Community) -> Route:
    """The provider of this message, and what it is to be sent as there."""
    facts = MessageFacts(body=message.body, community_name=community.name)
    if message.channel == MessageChannel.VOICE:
        provider = voice_provider_of(core, community)
        if provider not in TEMPLATE_PROVIDERS:
            return Route(provider)
        found = voice_template_for(
            session, community_id=community.id, provider=provider, facts=facts
        )
        return Route(provider, found)
    provider = sms_provider_of(core, community)
    if provider not in TEMPLATE_PROVIDERS:
        return Route(provider)
    filled = template_for(
        session, community_id=community.id, provider=provider, kind=message.kind, facts=facts
    )
    return Route(provider, filled)
