"""Who may join by text: the community's choice, asked by every channel that offers it.

A community that lets residents register themselves (`注册 王芳 3-2-401`) tells
strangers so; one that does not sends them to the committee's phone instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.community.models import Community
from core.context import Core
from core.residents.services import ResidentView, register_resident, resident_by_phone
from core.results import Refusal, RefusalReason


@dataclass(frozen=True)
class SelfRegistration:
    resident: ResidentView
    already: bool  # registered before this text: nothing was changed


def may_register_by_text(community: Community) -> bool:
    """Whether a stranger's text may make them a resident of this community."""
    return bool(community.allow_self_registration)


def register_by_text(
    core: Core,
    *,
    community_id: int,
    phone: str,
    name: str,
    building: str = "",
    unit: str = "",
    room: str = "",
    language: str | None = None,
) -> SelfRegistration | Refusal:
    """Register the sender, when the community allows it and they are not registered yet.

    A resident already known is never overwritten by a text (only staff change an
    address); raises ResidentError for a name or address that cannot be stored.
    """
    with core.db.transaction() as session:
        known = resident_by_phone(session, community_id, phone)
        if known is not None:
            return SelfRegistration(ResidentView.of(known), already=True)
        if not may_register_by_text(session.get_one(Community, community_id)):
            return Refusal(RefusalReason.NOT_REGISTERED)
    resident = register_resident(
        core,
        community_id=community_id,
        phone=phone,
        name=name,
        building=building,
        unit=unit,
        room=room,
        language=language,
        notes="registered by SMS",
    )
    return SelfRegistration(resident, already=False)
