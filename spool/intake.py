"""Taking the spool in: each waiting file, oldest arrival first, into the database.

A file is removed only after its row is committed; then what follows (a read job,
a call back) is queued. The database going away again stops the pass, leaving the
rest for the next one. A file that cannot be read, or that names something that
can never be taken in, is moved to bad/ and reported; so is one that failed
`GIVE_UP_AFTER` times in a row with the database up: nothing is retried forever,
and nothing is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from spool import from_mainland, from_mainland_voice, from_twilio
from spool.records import (
    CALL_STATUS,
    CALLBACK_REQUEST,
    REMINDER_CALL_STATUS,
    SMS_INBOUND,
    SMS_STATUS,
    BadRecord,
    SpoolRecord,
)
from spool.store import Spool

if TYPE_CHECKING:
    from bootstrap import Mianhua

log = logging.getLogger(__name__)

Handler = Callable[["Mianhua", SpoolRecord], from_twilio.TakenIn]

#: (provider, kind) -> the handler that takes such a record in.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("twilio", SMS_INBOUND): from_twilio.sms_inbound,
    ("twilio", SMS_STATUS): from_twilio.sms_status,
    ("aliyun", SMS_INBOUND): from_mainland.push,
    ("aliyun", SMS_STATUS): from_mainland.push,
    ("tencent", SMS_INBOUND): from_mainland.push,
    ("tencent", SMS_STATUS): from_mainland.push,
    ("aliyun", REMINDER_CALL_STATUS): from_mainland_voice.call_receipt,
    ("tencent", REMINDER_CALL_STATUS): from_mainland_voice.call_receipt,
    ("twilio", CALL_STATUS): from_twilio.call_status,
    ("twilio", REMINDER_CALL_STATUS): from_twilio.reminder_call_status,
    ("twilio", CALLBACK_REQUEST): from_twilio.callback_request,
}
#: Failures in a row, with the database answering, before a file is set aside.
GIVE_UP_AFTER = 5
#: How long `spool drain` waits for another process's pass to finish.
CLI_WAIT_S = 30.0

_failures: dict[str, int] = {}  # file name -> failures in a row, in this process


@dataclass
class DrainReport:
    taken: int = 0  # new rows committed
    duplicates: int = 0  # the database had them already
    set_aside: int = 0
    left: int = 0  # still waiting when the pass ended
    stopped: str | None = None  # why the pass ended early (the database went away)
    busy: bool = False  # another process was taking the spool in
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "taken": self.taken,
            "duplicates": self.duplicates,
            "set_aside": self.set_aside,
            "left": self.left,
            "stopped": self.stopped,
            "busy": self.busy,
        }


def database_answers(mianhua: Mianhua) -> bool:
    try:
        with mianhua.core.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure to reach it means "not yet"
        return False
    return True


def _database_gone(exc: BaseException) -> bool:
    """Whether the failure says the database is unreachable, not that the record is bad."""
    if isinstance(exc, OperationalError | InterfaceError | DisconnectionError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def drain(mianhua: Mianhua, *, wait_s: float = 0.0, limit: int | None = None) -> DrainReport:
    """One pass over this host's spool; several processes may call it, one runs at a time."""
    spool: Spool = mianhua.spool
    report = DrainReport()
    with spool.exclusive(wait_s) as ours:
        if not ours:
            report.busy = True
            report.left = len(spool.pending())
            return report
        spool.sweep_temporaries()
        for path in spool.pending()[:limit]:
            try:
                taken = _take_in(mianhua, spool, path)
            except FileNotFoundError:
                continue  # taken in by a pass that held the lock before us
            except (BadRecord, from_twilio.Unusable) as exc:
                _set_aside(spool, path, str(exc), report)
                continue
            except ProgrammingError as exc:
                # The schema is not this code's yet (a migration still to run): the files
                # are fine, so they wait, uncounted, for `db upgrade`.
                report.stopped = f"database not ready: {exc.orig!r}"[:300]
                break
            except Exception as exc:
                if _database_gone(exc) and not database_answers(mianhua):
                    report.stopped = f"database unavailable: {type(exc).__name__}"
                    break
                failures = _failures[path.name] = _failures.get(path.name, 0) + 1
                log.exception("spool: could not take in %s (%d)", path.name, failures)
                if failures >= GIVE_UP_AFTER:
                    _set_aside(spool, path, f"failed {failures} times: {exc!r}"[:500], report)
                else:
                    report.stopped = f"could not take in {path.name}: {type(exc).__name__}"
                    break
                continue
            _failures.pop(path.name, None)
            spool.remove(path)
            if taken.duplicate:
                report.duplicates += 1
            else:
                report.taken += 1
            if taken.then is not None:
                try:
                    taken.then()
                except RedisError as exc:  # the sweeps find what was not queued
                    log.warning("spool: %s taken in, not queued: %s", path.name, exc)
                except Exception:  # its row stands; one failed follow-up must not stop the pass
                    log.exception("spool: %s taken in, its follow-up failed", path.name)
        report.left = len(spool.pending())
    if report.taken or report.duplicates or report.set_aside:
        log.warning("spool: drained %s", report.as_dict())
    return report


def _take_in(mianhua: Mianhua, spool: Spool, path: Path) -> from_twilio.TakenIn:
    """Read the file and hand it to its handler; once more if a pooled connection had
    died with the old database server (the first use after a restart fails)."""
    record = spool.read(path)
    handler = HANDLERS.get((record.provider, record.kind))
    if handler is None:
        raise from_twilio.Unusable(f"nothing takes in {record.provider} {record.kind}")
    try:
        return handler(mianhua, record)
    except Exception as exc:
        if not (_database_gone(exc) and database_answers(mianhua)):
            raise
    return handler(mianhua, record)


def _set_aside(spool: Spool, path: Path, reason: str, report: DrainReport) -> None:
    _failures.pop(path.name, None)
    try:
        spool.set_aside(path, reason)
    except FileNotFoundError:
        return
    report.set_aside += 1
    report.problems.append(f"{path.name}: {reason}")
