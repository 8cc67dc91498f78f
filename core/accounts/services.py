"""Changing staff accounts, their community memberships, and the audit trail.

The operator's tools (the command line, the demo seed) make logins and grant them
communities. The console's own management is scoped to the community acted in: an
admin runs the logins there, and a login's own page changes its password and ends
its sessions.

A password, a disabled flag and the sessions belong to the whole account, which may
run other communities too: an admin may change them only for accounts whose every
community the admin also administers (a superuser, for all). The console's problems
are catalog keys for the form; the operator's are plain sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.acting import Actor, OutsideCommunity, authorize, roles_of
from core.accounts.models import STAFF_ROLES, AuditLog, Role, StaffMembership, StaffUser
from core.accounts.passwords import hash_password, verify_password
from core.accounts.queries import MemberView, member_view
from core.community.models import Community
from core.context import Core

MIN_PASSWORD = 8


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class SessionEnded:
    """What a bump left: the new version, for the session that asked to stay logged in."""

    username: str
    session_version: int


def audit(
    session: Session, *, actor: str, action: str, community_id: int | None, **detail: object
) -> None:
    """Record who did what; written in the caller's transaction so it stands or falls with it."""
    session.add(AuditLog(community_id=community_id, actor=actor, action=action, detail=detail))


def create_staff_user(
    core: Core,
    username: str,
    password: str,
    role: str,
    phone: str | None = None,
    *,
    community_ids: list[int] | None = None,
    superuser: bool = False,
    by: str = "system",
) -> int:
    """A login with `role` in each community named; with none named, the only community.

    A superuser (the street office) may be made without any membership: it runs them all.
    """
    username = username.strip()
    if not username or len(username) > 50:
        raise AccountError("a username of 1 to 50 characters is required")
    if role not in STAFF_ROLES:
        raise AccountError(f"role must be admin or staff, not {role!r}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    password_hash = hash_password(password)  # before the transaction: it takes a while
    with core.db.transaction() as session:
        if session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
            raise AccountError(f"staff user {username!r} exists already")
        communities = _communities(session, community_ids, superuser=superuser)
        user = StaffUser(
            username=username, password_hash=password_hash, phone=phone, is_superuser=superuser
        )
        session.add(user)
        session.flush()
        for community_id in communities:
            session.add(
                StaffMembership(staff_user_id=user.id, community_id=community_id, role=role)
            )
            audit(
                session,
                actor=by,
                action="staff.create",
                community_id=community_id,
                username=username,
                role=role,
            )
        if superuser:
            audit(session, actor=by, action="staff.superuser", community_id=None, username=username)
        return user.id


def grant_membership(
    core: Core,
    username: str,
    *,
    role: str,
    community_ids: list[int],
    superuser: bool | None = None,
    by: str = "system",
) -> None:
    """Give an existing login a role in more communities (or change it), or make it a
    superuser: for the operator, on the command line."""
    if role not in STAFF_ROLES:
        raise AccountError(f"role must be admin or staff, not {role!r}")
    with core.db.transaction() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip()))
        if user is None:
            raise AccountError(f"no staff user {username!r}")
        for community_id in _communities(session, community_ids, superuser=True):
            membership = session.get(StaffMembership, (user.id, community_id))
            if membership is None:
                session.add(
                    StaffMembership(staff_user_id=user.id, community_id=community_id, role=role)
                )
            else:
                membership.role = role
            audit(
                session,
                actor=by,
                action="staff.role",
                community_id=community_id,
                username=user.username,
                role=role,
            )
        if superuser is not None and superuser != user.is_superuser:
            user.is_superuser = superuser
            user.session_version += 1  # powers taken away end the sessions that had them
            audit(
                session,
                actor=by,
                action="staff.superuser" if superuser else "staff.not_superuser",
                community_id=None,
                username=user.username,
            )


def _communities(session: Session, wanted: list[int] | None, *, superuser: bool) -> list[int]:
    """The communities named, checked; none named means the only one there is."""
    existing = list(session.scalars(select(Community.id).order_by(Community.id)))
    if wanted:
        unknown = [c for c in wanted if c not in existing]
        if unknown:
            raise AccountError(f"no community {unknown[0]}")
        return list(dict.fromkeys(wanted))
    if len(existing) == 1:
        return existing
    if superuser:
        return []
    if not existing:
        raise AccountError("there is no community yet: create one first (community create)")
    raise AccountError("there are several communities: name the login's with --community PHONE")


def _member(session: Session, community_id: int, user_id: int) -> StaffUser:
    """A login of this community; any other login is not this admin's to see."""
    membership = session.get(StaffMembership, (user_id, community_id))
    user = session.get(StaffUser, user_id) if membership else None
    if user is None:
        raise OutsideCommunity(f"no staff login {user_id} in community {community_id}")
    return user


def _whole_account_is_mine(session: Session, actor_id: int, user: StaffUser) -> None:
    """An account-wide change needs the admin role in every community the account runs."""
    me = session.get_one(StaffUser, actor_id)
    if me.is_superuser:
        return
    mine = {c for c, role in roles_of(session, actor_id).items() if role == Role.ADMIN}
    if user.is_superuser or not set(roles_of(session, user.id)) <= mine:
        raise AccountError("staff.account.error.other_communities")


def _active_admins(session: Session, community_id: int) -> list[int]:
    return list(
        session.scalars(
            select(StaffUser.id)
            .join(StaffMembership, StaffMembership.staff_user_id == StaffUser.id)
            .where(
                StaffMembership.community_id == community_id,
                StaffMembership.role == Role.ADMIN,
                StaffUser.disabled_at.is_(None),
            )
        )
    )


def set_role(core: Core, *, actor: Actor, user_id: int, role: str) -> MemberView:
    """A member's role here; the last admin cannot be demoted, or nobody could manage logins."""
    if role not in STAFF_ROLES:
        raise AccountError("staff.account.error.role")
    community_id = actor.community_id
    with core.db.transaction() as session:
        authorize(session, actor, admin=True)
        user = _member(session, community_id, user_id)
        membership = session.get_one(StaffMembership, (user_id, community_id))
        admins = _active_admins(session, community_id)
        if membership.role == Role.ADMIN and role != Role.ADMIN and admins == [user_id]:
            raise AccountError("staff.account.error.last_admin")
        membership.role = role
        audit(
            session,
            actor=actor.username,
            action="staff.role",
            community_id=community_id,
            username=user.username,
            role=role,
        )
        return member_view(session, user, community_id)


def reset_password(core: Core, *, actor: Actor, user_id: int, password: str) -> MemberView:
    """A new password from the admin; every session the old one opened ends."""
    if len(password) < MIN_PASSWORD:
        raise AccountError("staff.account.error.password_short")
    new_hash = hash_password(password)
    community_id = actor.community_id
    with core.db.transaction() as session:
        authorize(session, actor, admin=True)
        user = _member(session, community_id, user_id)
        _whole_account_is_mine(session, actor.user_id, user)
        user.password_hash = new_hash
        user.session_version += 1
        audit(
            session,
            actor=actor.username,
            action="staff.password",
            community_id=community_id,
            username=user.username,
        )
        return member_view(session, user, community_id)


def set_disabled(core: Core, *, actor: Actor, user_id: int, disabled: bool) -> MemberView:
    """Switch a login off (its sessions end, it cannot log in) or back on."""
    community_id = actor.community_id
    with core.db.transaction() as session:
        authorize(session, actor, admin=True)
        user = _member(session, community_id, user_id)
        if disabled and user.id == actor.user_id:
            raise AccountError("staff.account.error.disable_self")
        _whole_account_is_mine(session, actor.user_id, user)
        if disabled and user.disabled_at is None:
            for community in roles_of(session, user.id):
                if _active_admins(session, community) == [user.id]:
                    raise AccountError("staff.account.error.last_admin")
            user.disabled_at = core.now()
            user.session_version += 1
        elif not disabled:
            user.disabled_at = None
        audit(
            session,
            actor=actor.username,
            action="staff.disable" if disabled else "staff.enable",
            community_id=community_id,
            username=user.username,
        )
        return member_view(session, user, community_id)


def remove_member(core: Core, *, actor: Actor, user_id: int) -> MemberView:
    """Take a login off this community (its other communities keep it); the next
    request it makes here is refused, since membership is read on every call."""
    community_id = actor.community_id
    with core.db.transaction() as session:
        authorize(session, actor, admin=True)
        user = _member(session, community_id, user_id)
        membership = session.get_one(StaffMembership, (user_id, community_id))
        if membership.role == Role.ADMIN and _active_admins(session, community_id) == [user_id]:
            raise AccountError("staff.account.error.last_admin")
        view = member_view(session, user, community_id)
        session.delete(membership)
        audit(
            session,
            actor=actor.username,
            action="staff.remove",
            community_id=community_id,
            username=user.username,
        )
        return view


def end_sessions_of(core: Core, *, actor: Actor, user_id: int) -> SessionEnded:
    """Log a member of this community out on every device, at once."""
    community_id = actor.community_id
    with core.db.transaction() as session:
        authorize(session, actor, admin=True)
        user = _member(session, community_id, user_id)
        user.session_version += 1
        audit(
            session,
            actor=actor.username,
            action="staff.sessions_ended",
            community_id=community_id,
            username=user.username,
        )
        return SessionEnded(user.username, user.session_version)


def end_my_sessions(core: Core, *, user_id: int, community_id: int | None) -> SessionEnded:
    """Logging out, or "log out everywhere": every cookie of this login stops working.

    Not scoped to a community: a login may always end its own sessions, even one that
    runs no community any more.
    """
    with core.db.transaction() as session:
        user = session.get(StaffUser, user_id)
        if user is None:
            raise OutsideCommunity("this login is gone")
        user.session_version += 1
        audit(session, actor=user.username, action="staff.logout", community_id=community_id)
        return SessionEnded(user.username, user.session_version)


def change_my_password(core: Core, *, actor: Actor, current: str, new: str) -> SessionEnded:
    """A login's own new password, proven by the current one; other sessions end."""
    if len(new) < MIN_PASSWORD:
        raise AccountError("staff.account.error.password_short")
    new_hash = hash_password(new)
    with core.db.transaction() as session:
        authorize(session, actor, leaders=True)  # a team leader's login keeps its password too
        user = session.get_one(StaffUser, actor.user_id)
        if not verify_password(user.password_hash, current):
            raise AccountError("staff.account.error.current_password")
        user.password_hash = new_hash
        user.session_version += 1
        audit(
            session, actor=user.username, action="staff.password", community_id=actor.community_id
        )
        return SessionEnded(user.username, user.session_version)


def add_staff(
    core: Core, *, actor: Actor, username: str, password: str, role: str, phone: str | None
) -> MemberView:
    """A new login, a member of this community; problems come back as catalog keys."""
    username = username.strip()
    if not username or len(username) > 50:
        raise AccountError("staff.account.error.username")
    if len(password) < MIN_PASSWORD:
        raise AccountError("staff.account.error.password_short")
    if role not in STAFF_ROLES:
        raise AccountError("staff.account.error.role")
    with core.db.transaction() as session:
        authorize(session, actor, admin=True)
        if session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
            raise AccountError("staff.account.error.taken")
    user_id = create_staff_user(
        core,
        username,
        password,
        role,
        phone or None,
        community_ids=[actor.community_id],
        by=actor.username,
    )
    with core.db.transaction() as session:
        return member_view(session, session.get_one(StaffUser, user_id), actor.community_id)
