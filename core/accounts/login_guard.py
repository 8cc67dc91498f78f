"""Logging staff in, with growing waits between guesses instead of lockouts.

Every try is a row in the database (so the rule holds across web workers and with
Redis down). Recent failures make the next try wait, longer after each: the first
`FREE_PER_USER` wrong passwords for a username cost nothing, then each one doubles
the wait from `FIRST_WAIT`, up to `MAX_WAIT`; one address gets `FREE_PER_ADDRESS`
failures across usernames before its own waits start. A try during a wait is
refused without looking at the password and is not counted, so hammering does not
make the wait grow.

No stranger can shut a named account out: a username and address pair that has
logged in successfully before is judged only by its own recent failures, so the
admin's office PC still gets in while someone elsewhere guesses at the admin's name.
(Behind a proxy this needs `TRUSTED_PROXIES`, or every client has the proxy's address.)

An unknown username is checked against a dummy hash, so it takes as long as a known
one with a wrong password, and both get the same answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from core.accounts.acting import StaffView, communities_for, view_of
from core.accounts.models import LoginAttempt, StaffUser
from core.accounts.passwords import hash_password, needs_rehash, verify_nobody, verify_password
from core.accounts.services import audit
from core.context import Core

FREE_PER_USER = 3
FREE_PER_ADDRESS = 10
FIRST_WAIT = timedelta(seconds=5)
MAX_WAIT = timedelta(minutes=15)
#: Failures older than this no longer count.
WINDOW = timedelta(hours=24)
#: How long a successful login makes its address a known one for that username.
KNOWN_ADDRESS_FOR = timedelta(days=180)
KEEP_FAILURES = timedelta(days=30)  # long enough to read back an attack


@dataclass(frozen=True)
class LoginThrottled:
    """Too many wrong passwords lately: the next try must wait `seconds`."""

    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True)
class LoginWrong:
    """Unknown username or wrong password (deliberately not saying which)."""

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True)
class LoginDisabled:
    """The right password for an account an admin has switched off."""

    def __bool__(self) -> bool:
        return False


LoginResult = StaffView | LoginThrottled | LoginWrong | LoginDisabled


def required_wait(failures: int, free: int) -> timedelta:
    """Nothing for the first `free` failures, then 5 s, 10 s, 20 s, ... up to 15 minutes."""
    if failures < free:
        return timedelta(0)
    return min(MAX_WAIT, FIRST_WAIT * 2 ** min(failures - free, 20))


def attempt_login(core: Core, *, username: str, password: str, address: str) -> LoginResult:
    """Check the wait first, then the password; every try that is judged is recorded."""
    username = username.strip()[:80]
    address = (address or "unknown")[:64]
    now = core.now()
    with core.db.transaction() as session:
        ready_at = _ready_at(session, username, address, now)
        stored = session.scalar(
            select(StaffUser.password_hash).where(StaffUser.username == username)
        )
    if ready_at is not None and ready_at > now:
        return LoginThrottled(seconds=max(1, math.ceil((ready_at - now).total_seconds())))
    if not (username and password):
        correct = False
    elif stored is None:
        correct = verify_nobody(password)
    else:
        correct = verify_password(stored, password)
    with core.db.transaction() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == username))
        disabled = user is not None and user.disabled_at is not None
        succeeded = correct and user is not None and not disabled
        session.add(LoginAttempt(username=username, address=address, succeeded=succeeded, at=now))
        session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.at < now - KEEP_FAILURES, LoginAttempt.succeeded.is_(False)
            )
        )
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KNOWN_ADDRESS_FOR))
        if not succeeded:
            session.flush()
            if _ready_at(session, username, address, now) is not None:
                audit(
                    session,
                    actor=username or "?",
                    action="staff.login_throttled",
                    community_id=None,
                    address=address,
                )
            return LoginDisabled() if correct and disabled else LoginWrong()
        assert user is not None and stored is not None
        if needs_rehash(stored):
            user.password_hash = hash_password(password)
        view = view_of(session, user)
    opened_in = communities_for(core, view.id)
    with core.db.transaction() as session:
        audit(
            session,
            actor=view.username,
            action="staff.login",
            community_id=opened_in[0].id if opened_in else None,
            address=address,
        )
    return view


def _failures(
    session: Session, who: ColumnElement[bool], now: datetime, *, reset: bool
) -> list[datetime]:
    """Failures inside the window (after the last success, when `reset`), newest first."""
    recent = [LoginAttempt.at > now - WINDOW]
    if reset:
        last_success = session.scalar(
            select(func.max(LoginAttempt.id)).where(who, LoginAttempt.succeeded.is_(True))
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


def _ready_at(session: Session, username: str, address: str, now: datetime) -> datetime | None:
    """When the next try may be judged, or None when no wait applies at all."""
    pair = (LoginAttempt.username == username) & (LoginAttempt.address == address)
    known = session.scalar(
        select(LoginAttempt.id)
        .where(pair, LoginAttempt.succeeded.is_(True), LoginAttempt.at > now - KNOWN_ADDRESS_FOR)
        .limit(1)
    )
    if known is not None:
        buckets = [(_failures(session, pair, now, reset=True), FREE_PER_USER)]
    else:
        # Successes reset neither: the admin logging in from the office must not hand a
        # stranger fresh guesses, nor one account's success wipe guessing at others.
        buckets = [
            (
                _failures(session, LoginAttempt.username == username, now, reset=False),
                FREE_PER_USER,
            ),
            (
                _failures(session, LoginAttempt.address == address, now, reset=False),
                FREE_PER_ADDRESS,
            ),
        ]
    ready = None
    for failures, free in buckets:
        wait = required_wait(len(failures), free)
        if wait:
            at = failures[0] + wait
            ready = at if ready is None else max(ready, at)
    return ready
