"""Creating communities and finding them by the number residents text and call."""

from __future__ import annotations

import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from core.community.models import Community
from core.context import Core
from core.i18n import LANGUAGES
from core.phones import InvalidPhone, normalize_phone


class CommunityError(ValueError):
    pass


def create_community(
    core: Core,
    *,
    name: str,
    phone: str,
    timezone: str = "Asia/Shanghai",
    language: str = "zh",
    pickup_place: str = "",
    staff_phones: list[str] | None = None,
    allow_self_registration: bool = False,
) -> int:
    if not name.strip():
        raise CommunityError("a name is required")
    try:
        e164 = normalize_phone(phone)
        staff = [normalize_phone(p) for p in staff_phones or []]
    except InvalidPhone as exc:
        raise CommunityError(str(exc)) from exc
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CommunityError(f"unknown time zone {timezone!r}") from exc
    if language not in LANGUAGES:
        raise CommunityError(f"language must be zh or en, not {language!r}")
    with core.db.transaction() as session:
        if session.scalar(select(Community.id).where(Community.phone == e164)):
            raise CommunityError(f"a community with phone {e164} exists already")
        community = Community(
            name=name.strip(),
            phone=e164,
            timezone=timezone,
            language=language,
            pickup_place=pickup_place,
            staff_phones=staff,
            allow_self_registration=allow_self_registration,
        )
        session.add(community)
        session.flush()
        return community.id


def community_by_phone(core: Core, phone: str) -> Community | None:
    """The community whose number was texted or called (`To`)."""
    try:
        e164 = normalize_phone(phone)
    except InvalidPhone:
        return None
    with core.db.transaction() as session:
        return session.scalar(select(Community).where(Community.phone == e164))


def resolve_community(core: Core, phone: str | None) -> Community:
    """For the command line: the named community, or the only one there is."""
    if phone:
        found = community_by_phone(core, phone)
        if found is None:
            raise CommunityError(f"no community with phone {phone}")
        return found
    with core.db.transaction() as session:
        communities = session.scalars(select(Community).limit(2)).all()
    if len(communities) == 1:
        return communities[0]
    if not communities:
        raise CommunityError("no community yet: run `community create` first")
    raise CommunityError("there are several communities: name one with --community PHONE")


class CommunityDirectory:
    """Which community owns a number, remembered for a short while.

    Every inbound text needs it and numbers almost never move, so the SMS webhook
    asks here instead of the database; only found numbers are remembered, so a
    community created a moment ago is found at once.
    """

    def __init__(self, core: Core, ttl_seconds: float = 60.0) -> None:
        self.core = core
        self.ttl_seconds = ttl_seconds
        self._known: dict[str, tuple[float, int]] = {}

    def id_for(self, phone: str) -> int | None:
        hit = self._known.get(phone)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        community = community_by_phone(self.core, phone)
        if community is None:
            return None
        self._known[phone] = (time.monotonic() + self.ttl_seconds, community.id)
        return community.id
