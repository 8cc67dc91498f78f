"""Changing a community after it was made: `community update` and the console's settings.

Only what is named changes. The providers (`sms_provider`, `voice_provider`) say who
sends the community's texts and places its reminder calls; "" puts one back to the
service's default (`SMS_SENDER`). Nothing here checks credentials: they are the
service's settings, and the send path fails a message plainly (`cn_auth`) when the
provider it needs is not set up.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.community.models import Community
from core.community.services import CommunityError
from core.context import Core
from core.i18n import LANGUAGES
from core.phones import InvalidPhone, normalize_phone

#: Who may send a community's texts and place its calls.
PROVIDERS = ("twilio", "aliyun", "tencent", "console")


@dataclass(frozen=True)
class CommunityProviders:
    community_id: int
    sms_provider: str | None
    voice_provider: str | None


def check_provider(value: str | None, what: str) -> str | None:
    """None (not named), "" (back to the default) or one of PROVIDERS; raises CommunityError."""
    if value is None or value == "":
        return value
    if value not in PROVIDERS:
        raise CommunityError(f"{what} must be one of {', '.join(PROVIDERS)}, not {value!r}")
    return value


def update_community(
    core: Core,
    *,
    community_id: int,
    name: str | None = None,
    timezone: str | None = None,
    language: str | None = None,
    pickup_place: str | None = None,
    staff_phones: list[str] | None = None,
    allow_self_registration: bool | None = None,
    sms_provider: str | None = None,
    voice_provider: str | None = None,
) -> CommunityProviders:
    """Change what is named (raises CommunityError, changing nothing, for a bad value)."""
    if name is not None and not name.strip():
        raise CommunityError("a name cannot be empty")
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommunityError(f"unknown time zone {timezone!r}") from exc
    if language is not None and language not in LANGUAGES:
        raise CommunityError(f"language must be zh or en, not {language!r}")
    try:
        staff = [normalize_phone(p) for p in staff_phones] if staff_phones is not None else None
    except InvalidPhone as exc:
        raise CommunityError(str(exc)) from exc
    sms = check_provider(sms_provider, "the SMS provider")
    voice = check_provider(voice_provider, "the voice provider")
    with core.db.transaction() as session:
        community = session.get(Community, community_id)
        if community is None:
            raise CommunityError(f"no community {community_id}")
        changes = {
            "name": name.strip() if name is not None else None,
            "timezone": timezone,
            "language": language,
            "pickup_place": pickup_place,
            "staff_phones": staff,
            "allow_self_registration": allow_self_registration,
        }
        for field, value in changes.items():
            if value is not None:
                setattr(community, field, value)
        if sms is not None:
            community.sms_provider = sms or None
        if voice is not None:
            community.voice_provider = voice or None
        return CommunityProviders(community.id, community.sms_provider, community.voice_provider)
