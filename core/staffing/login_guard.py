"""Logging staff in, with a limit on guessing.

The rule: after `MAX_FAILURES_PER_USER` wrong passwords for one username within
`WINDOW`, that username is locked until the oldest of those failures leaves the
window; one address may fail `MAX_FAILURES_PER_ADDRESS` times (across usernames)
before it is locked the same way. A success clears the username's count. Attempts
are rows in the database, so the lock holds with Redis down and across web workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.accounts.models import StaffUser
from core.accounts.services import audit, check_login
from core.context import Core
from core.staffing.models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
KEEP_ATTEMPTS = timedelta(days=30)  # long enough to read back an attack in the audit


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    role: str
    phone: str | None

    @classmethod
    def of(cls, user: StaffUser) -> StaffView:
        return cls(user.id, user.username, user.role, user.phone)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class LoginLocked:
    """Too many wrong passwords lately; try again in `minutes`."""

    minutes: int

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True)
class LoginWrong:
    """Unknown username or wrong password (deliberately not saying which)."""

    failures_left: int

    def __bool__(self) -> bool:
        return False


LoginResult = StaffView | LoginLocked | LoginWrong


def attempt_login(core: Core, *, username: str, password: str, address: str) -> LoginResult:
    """Check a login against the limit first, then the password; every try is recorded."""
    username = username.strip()[:80]
    address = (address or "unknown")[:64]
    now = core.now()
    with core.db.transaction() as session:
        locked_until = _locked_until(session, username, address, now)
    if locked_until is not None:
        return LoginLocked(minutes=max(1, math.ceil((locked_until - now).total_seconds() / 60)))
    user = check_login(core, username, password) if username and password else None
    with core.db.transaction() as session:
        session.add(LoginAttempt(username=username, address=address, succeeded=bool(user), at=now))
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_ATTEMPTS))
        if user is None:
            failures = len(_recent_failures(session, LoginAttempt.username == username, now))
            if failures >= MAX_FAILURES_PER_USER:
                audit(
                    session,
                    actor=username or "?",
                    action="staff.login_locked",
                    community_id=None,
                    address=address,
                )
            return LoginWrong(failures_left=max(MAX_FAILURES_PER_USER - failures, 0))
        audit(
            session, actor=user.username, action="staff.login", community_id=None, address=address
        )
        return StaffView.of(user)


def _recent_failures(
    session: Session, who: object, now: datetime, *, reset_by_success: bool = True
) -> list[datetime]:
    """Failures inside the window (after the last success, for a username), newest first."""
    recent = [LoginAttempt.at > now - WINDOW]
    if reset_by_success:
        last_success = session.scalar(
            select(func.max(LoginAttempt.id)).where(who, LoginAttempt.succeeded.is_(True), *recent)
        )
        if last_success is not None:
            recent.append(LoginAttempt.id > last_success)  # ids, not times: clocks can tie
    return list(
        session.scalars(
            select(LoginAttempt.at)
            .where(who, LoginAttempt.succeeded.is_(False), *recent)
            .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
        )
    )


def _locked_until(session: Session, username: str, address: str, now: datetime) -> datetime | None:
    # One account's success must not wipe an address's record of guessing at others.
    checks = (
        (LoginAttempt.username == username, MAX_FAILURES_PER_USER, True),
        (LoginAttempt.address == address, MAX_FAILURES_PER_ADDRESS, False),
    )
    until = None
    for who, limit, reset in checks:
        failures = _recent_failures(session, who, now, reset_by_success=reset)
        if len(failures) >= limit:
            # Locked until the failure that made the count reach the limit leaves the window.
            release = failures[limit - 1] + WINDOW
            until = release if until is None else max(until, release)
    return until


def staff_user(core: Core, user_id: int) -> StaffView | None:
    """The logged-in user, reloaded on each request so a changed role takes effect at once."""
    with core.db.transaction() as session:
        user = session.get(StaffUser, user_id)
        return StaffView.of(user) if user else None
