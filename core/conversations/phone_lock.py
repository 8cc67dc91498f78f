"""One phone read by one request at a time: the lock that keeps a resident's texts in order.

"2" then "3" typed quickly arrive as two webhooks that may run at once in two
workers; read in parallel, the "3" would miss the question the "2" asked. So a
request takes the phone's lock before reading its texts. Every write of the phone's
conversation row holds the lock too (the readers, and staff lifting a hold), so a
reader reads the row without a row lock of its own.

On PostgreSQL the lock is a transaction-scoped advisory lock. A text read in one
transaction takes it in that transaction (`phone_turn`: its first statement), so
reading a text costs no transaction of its own for the lock; a reading of several
transactions (a text read again step by step) holds it on a connection of its own
(`hold_phone`; the core calls made meanwhile use other connections and never touch
it). A crashed worker's connection ends its transaction, so a lock can never be left
taken. SQLite serialises writers but not a sequence of transactions, and is only
ever served by one process, so there it is a lock in this process.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.context import Core

#: How long a request waits for another to finish with the same phone.
LOCK_WAIT_SECONDS = 10.0


class PhoneBusy(RuntimeError):
    """Another request held this phone's lock for longer than we wait; its texts stay queued."""


def lock_key(community_id: int, phone: str) -> int:
    """A signed 64-bit key for pg_advisory_xact_lock, stable across processes."""
    # "sms-turn": the key's old name, kept so processes of both versions exclude each other.
    digest = hashlib.blake2b(f"sms-turn:{community_id}:{phone}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def hold_phone(
    core: Core, *, community_id: int, phone: str, wait_seconds: float = LOCK_WAIT_SECONDS
) -> Iterator[None]:
    """Hold the lock of one phone in one community; raises PhoneBusy after `wait_seconds`."""
    if core.db.is_postgres:
        with _postgres_lock(core, lock_key(community_id, phone), wait_seconds):
            yield
    else:
        with _local_lock(f"{community_id}:{phone}", wait_seconds):
            yield


@contextmanager
def phone_turn(
    core: Core, *, community_id: int, phone: str, wait_seconds: float = LOCK_WAIT_SECONDS
) -> Iterator[Session]:
    """One transaction that holds the phone's lock from its first statement to its end;
    raises PhoneBusy (the transaction rolled back) after `wait_seconds`."""
    if core.db.is_postgres:
        with core.db.transaction() as session:
            _take(session.connection(), lock_key(community_id, phone), wait_seconds)
            yield session
    else:
        with _local_lock(f"{community_id}:{phone}", wait_seconds), core.db.transaction() as session:
            yield session


@contextmanager
def _postgres_lock(core: Core, key: int, wait_seconds: float) -> Iterator[None]:
    with core.db.engine.connect() as connection, connection.begin():
        _take(connection, key, wait_seconds)
        yield  # the transaction (and with it the lock) ends on leaving


def _take(connection: Connection, key: int, wait_seconds: float) -> None:
    """Take the advisory lock for the rest of `connection`'s transaction.

    Nearly always free: one statement takes it. Only when another reader holds the
    phone is the wait bounded (lock_timeout, set for the wait and put back after it, so
    the rest of the transaction waits for its row locks as it would have).
    """
    if connection.execute(_TRY_LOCK, {"key": key}).scalar_one():
        return
    before = connection.execute(_LOCK_TIMEOUT_NOW).scalar_one()
    connection.execute(_LOCK_TIMEOUT, {"value": f"{max(int(wait_seconds * 1000), 1)}ms"})
    try:
        connection.execute(_LOCK, {"key": key})
    except OperationalError as exc:  # lock_timeout: LockNotAvailable
        raise PhoneBusy(f"phone lock {key} still held after {wait_seconds}s") from exc
    connection.execute(_LOCK_TIMEOUT, {"value": before})


# Built once (run for every phone read): the statements, not their text, are what
# SQLAlchemy keeps compiled. set_config(..., true) is SET LOCAL with a bound value.
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:key)")
_LOCK_TIMEOUT_NOW = text("SELECT current_setting('lock_timeout')")
_LOCK_TIMEOUT = text("SELECT set_config('lock_timeout', :value, true)")
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


class _KeyedLocks:
    """Per-key locks that disappear when nobody holds or waits for them."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: str, wait_seconds: float) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            if not lock.acquire(timeout=wait_seconds):
                raise PhoneBusy(f"phone lock {key} still held after {wait_seconds}s")
            try:
                yield
            finally:
                lock.release()
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


_LOCAL = _KeyedLocks()


def _local_lock(key: str, wait_seconds: float):  # type: ignore[no-untyped-def]
    return _LOCAL.hold(key, wait_seconds)
