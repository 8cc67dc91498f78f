"""Reading the staff logins of a community and its audit log, as its admin sees them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.acting import Actor, authorize, roles_of
from core.accounts.models import AuditLog, Role, StaffMembership, StaffUser
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


def member_view(session: Session, user: StaffUser, community_id: int) -> MemberView:
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
        return [member_view(session, u, community_id) for u in users]


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
