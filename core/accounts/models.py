"""Staff logins, the communities each one runs, the audit log of what they did, and
their tries at the console's login form."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    # A resident who leads a team: their team's page and its message, nothing else
    # (core.teams.leaders). Made only with its link to the resident, never by role alone.
    LEADER = "leader"


#: The roles a login is given or changed to by role alone (the command line, the
#: accounts page); a leader's login is made on the team's page, with its resident.
STAFF_ROLES = (Role.ADMIN, Role.STAFF)


class StaffUser(Base):
    """A person's login. What they may do is per community (`StaffMembership`), except
    for a superuser (the street office), who runs every community of the deployment."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Written into the session cookie at login; bumping it ends every session at once.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffMembership(Base):
    """One staff login's role in one community."""

    __tablename__ = "staff_memberships"

    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(10), default=Role.STAFF)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    actor: Mapped[str] = mapped_column(String(80))  # a staff username, a volunteer's name, "system"
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LoginAttempt(Base):
    """One try at the console's login form.

    Kept in the database, not Redis: the limit must hold when Redis is down, and a
    guessing attack is exactly when nobody wants the lock to fall open.
    """

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
