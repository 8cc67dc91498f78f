"""The console's view of who sends a community's texts and places its calls, and the
admin's change of it (the command line's `community update` does the same, unscoped).

What the page needs beside the choice: what the service falls back to, and for each
mainland provider whether the community is ready for it (a signature filed, a TTS
template for its reminder calls), so a committee does not switch to a provider that
would refuse every text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from core.accounts.acting import acting
from core.accounts.services import audit
from core.carriers.models import Carrier, CarrierAccount, CarrierTemplate
from core.carriers.routing import sms_provider_of, voice_provider_of
from core.carriers.voice_models import VoiceTemplate
from core.community.models import Community
from core.community.updates import CommunityProviders, check_provider
from core.context import Core


@dataclass(frozen=True)
class Readiness:
    """What a community has filed with one mainland provider."""

    provider: str
    sign_name: str | None
    templates: int  # SMS message kinds with a template filed
    voice_template: str | None  # the TTS template's code
    extend_code: str = ""  # its replies' extension code, under a signature it may share


@dataclass(frozen=True)
class ProvidersView:
    sms_provider: str | None  # as chosen; None: the service's default
    voice_provider: str | None
    sms_in_use: str  # what actually sends, after the defaults
    voice_in_use: str
    service_default: str  # SMS_SENDER
    mainland: tuple[Readiness, ...]


@acting(by=None)
def providers_of(core: Core, *, community_id: int) -> ProvidersView:
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        ready = []
        for provider in Carrier:
            account = session.scalar(
                select(CarrierAccount).where(
                    CarrierAccount.community_id == community_id,
                    CarrierAccount.provider == provider,
                )
            )
            templates = session.scalar(
                select(func.count()).where(
                    CarrierTemplate.community_id == community_id,
                    CarrierTemplate.provider == provider,
                )
            )
            voice = session.scalar(
                select(VoiceTemplate.template_code).where(
                    VoiceTemplate.community_id == community_id, VoiceTemplate.provider == provider
                )
            )
            ready.append(
                Readiness(
                    provider,
                    account.sign_name if account else None,
                    templates or 0,
                    voice,
                    account.extend_code if account else "",
                )
            )
        return ProvidersView(
            sms_provider=community.sms_provider,
            voice_provider=community.voice_provider,
            sms_in_use=sms_provider_of(core, community),
            voice_in_use=voice_provider_of(core, community),
            service_default=core.sms_provider,
            mainland=tuple(ready),
        )


@acting(admin=True)
def set_providers(
    core: Core, *, community_id: int, sms_provider: str, voice_provider: str, by: str
) -> CommunityProviders:
    """Choose both ("" for the default); raises CommunityError for an unknown provider."""
    sms = check_provider(sms_provider, "the SMS provider") or None
    voice = check_provider(voice_provider, "the voice provider") or None
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        if (community.sms_provider, community.voice_provider) != (sms, voice):
            community.sms_provider, community.voice_provider = sms, voice
            audit(
                session,
                actor=by,
                action="community.providers",
                community_id=community_id,
                sms_provider=sms,
                voice_provider=voice,
            )
        return CommunityProviders(community_id, sms, voice)
