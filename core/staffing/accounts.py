"""Managing staff logins from the console: an admin runs the logins of the community
acted in; a login's own page lets it change its password and end its sessions.

A password, a disabled flag and the sessions belong to the whole account, which may
run other communities too: an admin may change them only for accounts whose every
community the admin also administers (a superuser, for all). Problems are catalog
keys for the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.acting import Actor, OutsideCommunity, authorize, roles_of
from core.accounts.models import AuditLog, Role, StaffMembership, StaffUser
from core.accounts.passwords import hash_password, verify_password
from core.accounts.services import MIN_PASSWORD, AccountError, audit, create_staff_user
from core.context import Core


@dataclass(frozen=True)
class MemberView:
    """One login as the community's admin sees it."""

    id: int
    username: str
    phone: str | None
    role: str
    disabled: bool
    other_communities: int  # how many more communities this login runs


@dataclass(frozen=True)
class SessionEnded:
    """What a bump left: the new version, for the session that asked to stay logged in."""

    username: str
    session_version: int


def _member_view(session: Session, user: StaffUser, community_id: int) -> MemberView:
    roles = roles_of(session, user.id)
    return MemberView(
        id=user.id,
        username=user.username,
        phone=user.phone,
        role=Role.ADMIN if user.is_superuser else roles.get(community_id, Role.STAFF),
        disabled=user.disabled_at is not None,
        other_communities=len([c for c in roles if c != community_id]),
    )


def list_staff(core: Core, *, actor: Actor) -> list[MemberView]:
    """The logins that are members of the community acted in, by username."""
    community_id = actor.community_id
    with core.db.transaction() as session:
        authorize(session, actor, admin=True)
        users = session.scalars(
            select(StaffUser)
            .join(StaffMembership, StaffMembership.staff_user_id == StaffUser.id)
            .where(StaffMembership.community_id == community_id)
            .order_by(StaffUser.username)
        ).all()
        return [_member_view(session, u, community_id) for u in users]


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
    if role not in tuple(Role):
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
        return _member_view(session, user, community_id)


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
        return _member_view(session, user, community_id)


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
        return _member_view(session, user, community_id)


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
        view = _member_view(session, user, community_id)
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
        authorize(session, actor)
        user = session.get_one(StaffUser, actor.user_id)
        if not verify_password(user.password_hash, current):
            raise AccountError("staff.account.error.current_password")
        user.password_hash = new_hash
        user.session_version += 1
        audit(
            session, actor=user.username, action="staff.password", community_id=actor.community_id
        )
        return SessionEnded(user.username, user.session_version)


def recent_audit(core: Core, *, actor: Actor, limit: int = 200) -> list[dict[str, object]]:
    """The community's audit log, newest first; a superuser also sees deployment-wide
    entries (throttled logins, superusers made)."""
    with core.db.transaction() as session:
        me = authorize(session, actor, admin=True)
        scope = AuditLog.community_id == actor.community_id
        if me.is_superuser:
            scope = scope | AuditLog.community_id.is_(None)
        rows = session.scalars(
            select(AuditLog).where(scope).order_by(AuditLog.id.desc()).limit(limit)
        ).all()
        return [
            {"at": r.created_at, "actor": r.actor, "action": r.action, "detail": dict(r.detail)}
            for r in rows
        ]


def add_staff(
    core: Core, *, actor: Actor, username: str, password: str, role: str, phone: str | None
) -> MemberView:
    """A new login, a member of this community; problems come back as catalog keys."""
    username = username.strip()
    if not username or len(username) > 50:
        raise AccountError("staff.account.error.username")
    if len(password) < MIN_PASSWORD:
        raise AccountError("staff.account.error.password_short")
    if role not in tuple(Role):
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
        return _member_view(session, session.get_one(StaffUser, user_id), actor.community_id)
