"""Staff accounts, their community memberships, and the audit trail.

These are the operator's tools (the command line, the demo seed); the console's own
account management, scoped to the admin's community, is `core.staffing.accounts`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import AuditLog, Role, StaffMembership, StaffUser
from core.accounts.passwords import hash_password
from core.community.models import Community
from core.context import Core

MIN_PASSWORD = 8


class AccountError(ValueError):
    pass


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
    if role not in tuple(Role):
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
    if role not in tuple(Role):
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
