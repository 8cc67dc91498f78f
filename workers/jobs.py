"""RQ jobs: send one message, send a bulk batch, and the periodic housekeeping.

Jobs take ids, reload the rows and do nothing the second time: the database says
what is sent (see workers/delivery.py). Each worker process installs its runtime
once (workers/runtime.py).
"""

from __future__ import annotations

import contextlib

from redis.exceptions import RedisError
from rq import get_current_job

from workers.delivery import deliver, deliver_many
from workers.relay import BATCH_OF
from workers.runtime import runtime


def send_message(message_id: int) -> str:
    """The job the relay and the sweep enqueue per message (workers.relay.SEND_JOB)."""
    job = get_current_job()
    return deliver(runtime(), message_id, job_id=job.id if job else None)


def send_many(message_ids: list[int]) -> dict[str, int]:
    """A bulk batch (workers.relay.SEND_MANY_JOB): how many of each outcome."""
    rt = runtime()
    job = get_current_job()
    try:
        outcomes = deliver_many(rt, list(message_ids), job_id=job.id if job else None)
    finally:
        with contextlib.suppress(RedisError):  # the sweep copes with a stale entry
            rt.redis.hdel(BATCH_OF, *message_ids)
    summary: dict[str, int] = {}
    for outcome in outcomes.values():
        word = outcome.split(" ", 1)[0]
        summary[word] = summary.get(word, 0) + 1
    return summary


def housekeeping() -> dict[str, object]:
    """The periodic job: deadlines, due reminders, and the outbox sweep."""
    from workers.housekeeping import run_housekeeping

    return run_housekeeping(runtime()).as_dict()
