"""Who is acting, and in which community: the scope of every console read and action.

A console use case is called with an `Actor` (the staff login and the community it is
acting in). Before the use case runs, `authorize` reads the login again and refuses
when it is gone or disabled, when it is not a member of that community (superusers,
the street office, are members of every one), or when an admin-only action is asked
by a plain staff member. The refusal is an exception the console answers as 404
(`OutsideCommunity`: another community's rows are not to be confirmed to exist) or
403 (`AdminOnly`). Channels that act for a community they found by its phone number
(SMS, calls, the command line, workers) call the same use cases without an actor.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import Role, StaffMembership, StaffUser
from core.community.models import Community
from core.context import Core

R = TypeVar("R")


@dataclass(frozen=True)
class Actor:
    """A staff login acting in one community (chosen with the console's switcher)."""

    user_id: int
    username: str
    community_id: int


class OutsideCommunity(LookupError):
    """The actor may not see or touch this community (or its account is disabled)."""


class AdminOnly(PermissionError):
    """The action needs the admin role in the community acted in."""


class NotForLeaders(PermissionError):
    """A team leader's login asked for something beyond its team's page."""


#: Whether a leader's login may make this call: given the session, the actor and the
#: use case's keyword arguments (e.g. whether it leads the `team` asked for).
LeaderCheck = Callable[[Session, Actor, dict[str, Any]], bool]


@dataclass(frozen=True)
class StaffView:
    """A staff login as the console sees it: its roles by community id."""

    id: int
    username: str
    phone: str | None
    is_superuser: bool = False
    disabled: bool = False
    session_version: int = 1
    roles: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, user: StaffUser, roles: dict[int, str]) -> StaffView:
        return cls(
            id=user.id,
            username=user.username,
            phone=user.phone,
            is_superuser=user.is_superuser,
            disabled=user.disabled_at is not None,
            session_version=user.session_version,
            roles=dict(roles),
        )

    def role_in(self, community_id: int) -> str | None:
        """admin, staff, or None for a community this login does not run."""
        if self.is_superuser:
            return Role.ADMIN
        return self.roles.get(community_id)

    def is_admin_in(self, community_id: int) -> bool:
        return self.role_in(community_id) == Role.ADMIN


def roles_of(session: Session, user_id: int) -> dict[int, str]:
    rows = session.execute(
        select(StaffMembership.community_id, StaffMembership.role).where(
            StaffMembership.staff_user_id == user_id
        )
    ).all()
    return {community_id: role for community_id, role in rows}


def view_of(session: Session, user: StaffUser) -> StaffView:
    return StaffView.of(user, roles_of(session, user.id))


def staff_user(core: Core, user_id: int) -> StaffView | None:
    """The logged-in user, reloaded on each request so a changed role takes effect at once."""
    with core.db.transaction() as session:
        user = session.get(StaffUser, user_id)
        return view_of(session, user) if user else None


def communities_for(core: Core, user_id: int) -> list[Community]:
    """The communities a login runs, in the order they were made (all, for a superuser)."""
    with core.db.transaction() as session:
        user = session.get(StaffUser, user_id)
        if user is None or user.disabled_at is not None:
            return []
        query = select(Community).order_by(Community.id)
        if not user.is_superuser:
            query = query.join(
                StaffMembership,
                (StaffMembership.community_id == Community.id)
                & (StaffMembership.staff_user_id == user.id),
            )
        return list(session.scalars(query))


def authorize(
    session: Session, actor: Actor, *, admin: bool = False, leaders: bool = False
) -> StaffView:
    """The actor's login, if it may act in its community (as admin, when asked); else raise.

    A team leader's login is refused unless the caller lets leaders in (`leaders`), and
    then checks which team itself.
    """
    user = session.get(StaffUser, actor.user_id)
    if user is None or user.disabled_at is not None:
        raise OutsideCommunity("this login is gone or disabled")
    view = view_of(session, user)
    if view.is_superuser:
        if session.get(Community, actor.community_id) is None:
            raise OutsideCommunity(f"no community {actor.community_id}")
        return view
    role = view.role_in(actor.community_id)
    if role is None:
        raise OutsideCommunity(f"{user.username} is not a member of {actor.community_id}")
    if role == Role.LEADER and not leaders:
        raise NotForLeaders(f"{user.username} is a team leader's login")
    if admin and role != Role.ADMIN:
        raise AdminOnly(f"{user.username} is not an admin of {actor.community_id}")
    return view


def acting(
    *, admin: bool = False, by: str | None = "by", leader_may: LeaderCheck | None = None
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Let a use case be called for a staff actor: `use_case(core, actor=actor, ...)`.

    With an actor, the login is authorized first (see `authorize`), the community is
    the actor's (a `community_id` naming another one is refused), and the audit name
    (`by`, or the use case's own parameter name) is the actor's username. Without one,
    the caller is a channel that found the community itself and passes `community_id`.
    A team leader's login is let in only where `leader_may` is given and says yes
    (another team's page is answered as if it did not exist).
    """

    def decorate(use_case: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(use_case)
        def scoped(core: Core, *args: Any, actor: Actor | None = None, **kwargs: Any) -> R:
            if actor is not None:
                wanted = kwargs.setdefault("community_id", actor.community_id)
                with core.db.transaction() as session:
                    view = authorize(session, actor, admin=admin, leaders=leader_may is not None)
                    if (
                        leader_may is not None
                        and view.role_in(actor.community_id) == Role.LEADER
                        and not leader_may(session, actor, kwargs)
                    ):
                        raise OutsideCommunity(f"{actor.username} does not lead this team")
                if wanted != actor.community_id:
                    raise OutsideCommunity(f"acting in {actor.community_id}, not {wanted}")
                if by is not None:
                    kwargs.setdefault(by, actor.username)
            return use_case(core, *args, **kwargs)

        return scoped

    return decorate
