"""Staff accounts and the audit trail."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from core.accounts.models import AuditLog, Role, StaffUser
from core.context import Core


class AccountError(ValueError):
    pass


def audit(
    session: Session, *, actor: str, action: str, community_id: int | None, **detail: object
) -> None:
    """Record who did what; written in the caller's transaction so it stands or falls with it."""
    session.add(AuditLog(community_id=community_id, actor=actor, action=action, detail=detail))


def create_staff_user(
    core: Core, username: str, password: str, role: str, phone: str | None = None
) -> int:
    username = username.strip()
    if not username:
        raise AccountError("a username is required")
    if role not in tuple(Role):
        raise AccountError(f"role must be admin or staff, not {role!r}")
    if len(password) < 8:
        raise AccountError("the password needs at least 8 characters")
    with core.db.transaction() as session:
        if session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
            raise AccountError(f"staff user {username!r} exists already")
        user = StaffUser(
            username=username,
            password_hash=generate_password_hash(password),
            role=role,
            phone=phone,
        )
        session.add(user)
        session.flush()
        audit(session, actor="system", action="staff.create", community_id=None, username=username)
        return user.id


def check_login(core: Core, username: str, password: str) -> StaffUser | None:
    with core.db.transaction() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip()))
        if user is None or not check_password_hash(user.password_hash, password):
            return None
        return user
