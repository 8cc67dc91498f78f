"""The job port: work handed to a worker, to be done after the request or the commit.

Channels and the core's callers enqueue through it (`mianhua().jobs`), never through
RQ: the queue's retry and TTL policy is set once, where it is implemented
(workers/job_queue.py), and a job is named by its function, so a rename fails at
import, not in a worker hours later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Queue(StrEnum):
    """The queues; their values are the names workers listen on (and Redis keeps)."""

    #: Replies, order confirmations, staff replies, call backs: a resident is waiting.
    REPLIES = "mianhua-replies"
    #: Inbound texts waiting to be read: the webhook records a text and answers at once.
    INBOX = "mianhua-inbox"
    #: Reminders and deal news.
    REMINDERS = "mianhua-reminders"
    #: Bulk reminders and broadcasts: everything else goes first.
    BROADCASTS = "mianhua-broadcasts"
    #: The periodic work (deadlines, due reminders, the sweeps).
    HOUSEKEEPING = "mianhua-housekeeping"
    #: Resident imports started from the console (seconds of work each).
    IMPORTS = "mianhua-imports"


class JobsUnavailable(Exception):
    """The queue cannot be reached (Redis is down): the caller carries on without it,
    and the periodic sweeps find what was left, since the database holds the work."""


class Jobs(Protocol):
    def enqueue(
        self,
        job: Callable[..., object],
        *args: object,
        queue: Queue,
        key: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        """Queue `job(*args)` (`at`: not before then). `key` names the piece of work:
        while a job under it waits or runs, this does nothing and says False.
        Raises JobsUnavailable."""
        ...

    def wake(self, job: Callable[..., object], *args: object, queue: Queue, key: str) -> bool:
        """Queue `job(*args)` unless one woken under `key` has not started yet: one job
        for a burst of work kept elsewhere (the database), however often it is asked
        for. The job calls `woken(key)` when it starts, before it looks for work, so
        what arrives after that wakes a new one. False when one waits already.
        Raises JobsUnavailable."""
        ...

    def woken(self, key: str) -> None:
        """The job woken under `key` has started: the next `wake` queues another.
        Raises JobsUnavailable."""
        ...
