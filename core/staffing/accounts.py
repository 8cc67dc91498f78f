"""Managing staff logins from the console (admins only; the channel checks the role)."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from core.accounts.models import AuditLog, Role, StaffUser
from core.accounts.services import AccountError, audit, create_staff_user
from core.context import Core
from core.staffing.login_guard import StaffView

MIN_PASSWORD = 8


def list_staff(core: Core) -> list[StaffView]:
    with core.db.transaction() as session:
        users = session.scalars(select(StaffUser).order_by(StaffUser.username)).all()
        return [StaffView.of(u) for u in users]


def set_role(core: Core, *, user_id: int, role: str, by: str) -> StaffView:
    """Change a login's role; the last admin cannot be demoted, or nobody could manage logins."""
    if role not in tuple(Role):
        raise AccountError("staff.account.error.role")
    with core.db.transaction() as session:
        user = session.get(StaffUser, user_id)
        if user is None:
            raise AccountError("staff.account.error.unknown")
        if user.role == Role.ADMIN and role != Role.ADMIN:
            admins = session.scalars(select(StaffUser.id).where(StaffUser.role == Role.ADMIN)).all()
            if len(admins) <= 1:
                raise AccountError("staff.account.error.last_admin")
        user.role = role
        audit(
            session,
            actor=by,
            action="staff.role",
            community_id=None,
            username=user.username,
            role=role,
        )
        return StaffView.of(user)


def reset_password(core: Core, *, user_id: int, password: str, by: str) -> StaffView:
    if len(password) < MIN_PASSWORD:
        raise AccountError("staff.account.error.password_short")
    with core.db.transaction() as session:
        user = session.get(StaffUser, user_id)
        if user is None:
            raise AccountError("staff.account.error.unknown")
        user.password_hash = generate_password_hash(password)
        audit(session, actor=by, action="staff.password", community_id=None, username=user.username)
        return StaffView.of(user)


def recent_audit(core: Core, *, community_id: int, limit: int = 200) -> list[dict[str, object]]:
    """The audit log, newest first: who did what, for the admin's audit page."""
    with core.db.transaction() as session:
        rows = session.scalars(
            select(AuditLog)
            .where((AuditLog.community_id == community_id) | AuditLog.community_id.is_(None))
            .order_by(AuditLog.id.desc())
            .limit(limit)
        ).all()
        return [
            {"at": r.created_at, "actor": r.actor, "action": r.action, "detail": dict(r.detail)}
            for r in rows
        ]


def add_staff(
    core: Core, *, username: str, password: str, role: str, phone: str | None, by: str
) -> StaffView:
    """A new login; problems come back as catalog keys for the form."""
    username = username.strip()
    if not username or len(username) > 50:
        raise AccountError("staff.account.error.username")
    if len(password) < MIN_PASSWORD:
        raise AccountError("staff.account.error.password_short")
    if role not in tuple(Role):
        raise AccountError("staff.account.error.role")
    with core.db.transaction() as session:
        if session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
            raise AccountError("staff.account.error.taken")
    user_id = create_staff_user(core, username, password, role, phone or None)
    with core.db.transaction() as session:
        audit(
            session, actor=by, action="staff.add", community_id=None, username=username, role=role
        )
        return StaffView.of(session.get_one(StaffUser, user_id))
