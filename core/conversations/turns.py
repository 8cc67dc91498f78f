"""One phone, one turn at a time: the lock that keeps a resident's texts in order.

"2" then "3" typed quickly arrive as two webhooks that may run at once in two
workers; read in parallel, the "3" would miss the question the "2" asked. So a
request takes the phone's turn before reading its texts.

On PostgreSQL the turn is a transaction-scoped advisory lock, held on a
connection of its own while the texts are read (the core calls made meanwhile
use other connections and never touch it). A crashed worker's connection ends
its transaction, so a turn can never be left taken. SQLite serialises writers
but not a sequence of transactions, and is only ever served by one process, so
there the turn is a lock in this process.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from core.context import Core

#: How long a request waits for another to finish with the same phone.
TURN_WAIT_SECONDS = 10.0


class TurnBusy(RuntimeError):
    """Another request held this phone's turn for longer than we wait; its texts stay queued."""


def turn_key(community_id: int, phone: str) -> int:
    """A signed 64-bit key for pg_advisory_xact_lock, stable across processes."""
    digest = hashlib.blake2b(f"sms-turn:{community_id}:{phone}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def phone_turn(
    core: Core, *, community_id: int, phone: str, wait_seconds: float = TURN_WAIT_SECONDS
) -> Iterator[None]:
    """Hold the turn of one phone in one community; raises TurnBusy after `wait_seconds`."""
    if core.db.is_postgres:
        with _postgres_turn(core, turn_key(community_id, phone), wait_seconds):
            yield
    else:
        with _local_turn(f"{community_id}:{phone}", wait_seconds):
            yield


@contextmanager
def _postgres_turn(core: Core, key: int, wait_seconds: float) -> Iterator[None]:
    with core.db.engine.connect() as connection, connection.begin():
        timeout_ms = max(int(wait_seconds * 1000), 1)
        connection.execute(text(f"SET LOCAL lock_timeout = {timeout_ms}"))
        try:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        except OperationalError as exc:  # lock_timeout: LockNotAvailable
            raise TurnBusy(f"turn {key} still held after {wait_seconds}s") from exc
        yield  # the transaction (and with it the lock) ends on leaving


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
                raise TurnBusy(f"turn {key} still held after {wait_seconds}s")
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


def _local_turn(key: str, wait_seconds: float):  # type: ignore[no-untyped-def]
    return _LOCAL.hold(key, wait_seconds)
