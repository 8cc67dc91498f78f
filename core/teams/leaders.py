"""Team leaders in the console: a login for the resident who leads a team.

A leader is a resident, not committee staff. An admin gives the team's leader a login
from the team's page; it has the role `leader` in the community and is linked to the
resident (`LeaderLogin`). It reaches the page of each team that resident leads now,
and that team's message, and nothing else: every other console use case refuses it
(`core.accounts.acting.authorize`), and the team use cases let it in through
`core.teams.access.leader_acting`, which checks the team asked for. What it does is
audited under its username, like any login.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.accounts.acting import acting
from core.accounts.models import Role, StaffMembership, StaffUser
from core.accounts.passwords import hash_password
from core.accounts.services import MIN_PASSWORD, audit
from core.context import Core
from core.residents.models import Resident
from core.teams.access import leader_login_of
from core.teams.models import LeaderLogin, TeamKind
from core.teams.services import team_of


class LeaderLoginRefusal(enum.StrEnum):
    NO_LEADER = "no_leader"  # name the leader first
    HAS_LOGIN = "has_login"  # this resident has one already (the accounts page resets it)
    USERNAME = "username"  # empty, or over 50 characters
    TAKEN = "taken"
    PASSWORD_SHORT = "password_short"


@dataclass(frozen=True)
class LeaderLoginMade:
    username: str
    leader: str  # the resident's name


@acting(admin=True)
def make_leader_login(
    core: Core, *, community_id: int, team: TeamKind, username: str, password: str, by: str
) -> LeaderLoginMade | LeaderLoginRefusal:
    """A console login for the team's leader, limited to the teams they lead."""
    username = username.strip()
    if not username or len(username) > 50:
        return LeaderLoginRefusal.USERNAME
    if len(password) < MIN_PASSWORD:
        return LeaderLoginRefusal.PASSWORD_SHORT
    password_hash = hash_password(password)  # before the transaction: it takes a while
    with core.db.transaction() as session:
        found = team_of(session, community_id, team)
        leader_id = found.leader_resident_id
        leader = session.get(Resident, leader_id) if leader_id is not None else None
        if leader is None:
            return LeaderLoginRefusal.NO_LEADER
        if leader_login_of(session, community_id=community_id, resident_id=leader.id):
            return LeaderLoginRefusal.HAS_LOGIN
        if session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
            return LeaderLoginRefusal.TAKEN
        try:
            with session.begin_nested():
                user = StaffUser(username=username, password_hash=password_hash)
                session.add(user)
                session.flush()
        except IntegrityError:  # the same name taken a moment ago
            return LeaderLoginRefusal.TAKEN
        session.add(
            StaffMembership(staff_user_id=user.id, community_id=community_id, role=Role.LEADER)
        )
        session.add(
            LeaderLogin(
                staff_user_id=user.id,
                community_id=community_id,
                resident_id=leader.id,
                created_by=by,
                created_at=core.now(),
            )
        )
        audit(session, actor=by, action="team.leader_login", community_id=community_id,
              team=team.value, username=username, resident_id=leader.id)  # fmt: skip
        return LeaderLoginMade(username, leader.name)
