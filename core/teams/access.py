"""Which team a team leader's console login may reach: the teams its resident leads now.

Read on every call, from `Team.leader_resident_id`: when staff name another leader,
the old leader's login reaches nothing more, at once. The team use cases are wrapped
in `leader_acting`, which lets staff in as ever and a leader's login for its own team.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.acting import Actor, acting, authorize
from core.accounts.models import StaffUser
from core.context import Core
from core.teams.models import LeaderLogin, Team, TeamKind

R = TypeVar("R")


def led_teams(session: Session, *, user_id: int, community_id: int) -> list[TeamKind]:
    """The teams of the community that this leader's login's resident leads now."""
    link = session.get(LeaderLogin, user_id)
    if link is None or link.community_id != community_id:
        return []
    kinds = session.scalars(
        select(Team.kind)
        .where(Team.community_id == community_id, Team.leader_resident_id == link.resident_id)
        .order_by(Team.id)
    )
    return [TeamKind(kind) for kind in kinds]


def leads_team(session: Session, actor: Actor, kwargs: dict[str, Any]) -> bool:
    """A leader's login may act on the team it leads (the use case's `team`), no other."""
    team = kwargs.get("team")
    if team is None:
        return False
    return TeamKind(team) in led_teams(
        session, user_id=actor.user_id, community_id=actor.community_id
    )


def leader_acting(*, by: str | None = "by") -> Callable[[Callable[..., R]], Callable[..., R]]:
    """`acting` for a team's own use cases: staff as ever, and the team's leader too."""
    return acting(by=by, leader_may=leads_team)


def my_teams(core: Core, *, actor: Actor) -> list[TeamKind]:
    """Where a leader's login lands: the teams it leads (none once another leads)."""
    with core.db.transaction() as session:
        authorize(session, actor, leaders=True)
        return led_teams(session, user_id=actor.user_id, community_id=actor.community_id)


def leader_login_of(session: Session, *, community_id: int, resident_id: int) -> str | None:
    """The username of the console login made for this resident, if any."""
    return session.scalar(
        select(StaffUser.username)
        .join(LeaderLogin, LeaderLogin.staff_user_id == StaffUser.id)
        .where(LeaderLogin.community_id == community_id, LeaderLogin.resident_id == resident_id)
    )
