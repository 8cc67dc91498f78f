"""The outbox sweep: whatever the database says must go, and Redis does not hold, goes.

Three kinds of rows are taken up, each checked before it is touched again:
- `pending` and due: never queued (Redis was down at commit), a retry whose time
  came, or a reminder released after quiet hours;
- `queued` for longer than SEND_STUCK_AFTER_SECONDS whose job is no longer in
  Redis (Redis restarted without its data, or the job was lost);
- `sending` for longer than that: the worker holding it died. A row with a
  provider id went out and is only marked sent; the others are sent again after
  the send job asks the carrier whether the lost attempt got through.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis import Redis
from rq.executions import Execution
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.utils import parse_composite_key

from bootstrap import Mianhua
from core.messages.recovery import (
    due_pending,
    long_queued,
    mark_queued,
    still_queued,
    take_back_stuck,
)
from workers.delivery import BATCH_OF, message_job_ids
from workers.queues import WORKER_QUEUES

log = logging.getLogger(__name__)

_WAITING = {"queued", "scheduled", "deferred"}


@dataclass(frozen=True)
class SweepReport:
    enqueued: int  # pending rows handed to the queues
    requeued: int  # queued rows whose job had vanished
    taken_back: int  # rows a dead worker held

    def as_dict(self) -> dict[str, int]:
        return {"enqueued": self.enqueued, "requeued": self.requeued, "taken_back": self.taken_back}


def sweep(root: Mianhua) -> SweepReport:
    settings = root.settings
    patience = timedelta(seconds=settings.send_stuck_after_seconds)
    taken = take_back_stuck(
        root.core, older_than=patience, max_attempts=len(settings.send_retry_delays) + 1
    )
    # What it took back goes now, at the front of its queue: it had its place in line
    # before its worker died (bench/scale_out.py: behind the rest of a broadcast, two
    # minutes later). due_pending leaves rows written a moment ago to the relay.
    pending = due_pending(root.core)
    for rows, at_front in ((taken, True), (pending, False)):
        if rows:
            root.relay.enqueue_ids(rows, at_front=at_front)  # JobsUnavailable: next sweep
            mark_queued(root.core, [message_id for message_id, _ in rows])
    queued = long_queued(root.core, older_than=patience)
    alive = jobs_alive(root.redis, [message_id for message_id, _ in queued], patience)
    lost = [(message_id, kind) for message_id, kind in queued if message_id not in alive]
    if lost:
        # A batch that sent its rows and ended between the two looks has no job left
        # (bench/scale_out.py: 1-9 such rows a tick while a broadcast went): the rows
        # read again after Redis was asked, only those still queued lost their job.
        still = still_queued(root.core, [message_id for message_id, _ in lost])
        lost = [(message_id, kind) for message_id, kind in lost if message_id in still]
    if lost:
        root.redis.hdel(BATCH_OF, *[message_id for message_id, _ in lost])
        root.relay.enqueue_ids(lost, at_front=True)
        log.warning("sweep: %d queued message(s) had lost their job; enqueued again", len(lost))
    enqueued = len(taken) + len(pending)
    return SweepReport(enqueued=enqueued, requeued=len(lost), taken_back=len(taken))


def jobs_alive(redis: Redis, message_ids: list[int], patience: timedelta) -> set[int]:
    """The messages for which Redis still holds a job that will send them.

    A job `started` longer ago than the sweep's patience belonged to a worker that
    died before claiming the row (a live one claims within moments, or gives the
    job back); it counts as lost. Batch jobs are asked first, each once however many
    messages it carries: a broadcast's thousands of queued rows cost a lookup per
    hundred, and only a message whose batch is gone is looked for under its own ids.
    """
    if not message_ids:
        return set()
    batch_of = {
        message_id: batch.decode()
        for message_id, batch in zip(message_ids, redis.hmget(BATCH_OF, message_ids), strict=True)
        if batch
    }
    taken = _taken_by_workers(redis)
    now = datetime.now(UTC)
    batches = _alive_among(redis, set(batch_of.values()), taken, now, patience)
    alive = {message_id for message_id, batch in batch_of.items() if batch in batches}
    rest = {m: message_job_ids(m) for m in message_ids if m not in alive}
    own = _alive_among(redis, {job_id for ids in rest.values() for job_id in ids}, taken, now,
                       patience)  # fmt: skip
    return alive | {m for m, ids in rest.items() if any(job_id in own for job_id in ids)}


def _alive_among(
    redis: Redis, job_ids: set[str], taken: dict[str, datetime], now: datetime,
    patience: timedelta,
) -> set[str]:  # fmt: skip
    """Of these jobs, the ones still waiting or running: one round trip."""
    ordered = sorted(job_ids)
    pipe = redis.pipeline(transaction=False)
    for job_id in ordered:
        pipe.hmget(Job.key_for(job_id), "status", "started_at")
    return {
        job_id
        for job_id, (status, started_at) in zip(ordered, pipe.execute(), strict=True)
        if _is_alive(job_id, status, started_at, taken, now, patience)
    }


def _taken_by_workers(redis: Redis) -> dict[str, datetime]:
    """Jobs a worker has taken off a queue (RQ's started registries, a job or so per
    worker), by when: a worker SIGKILLed between taking a job and marking it started
    leaves it `queued` in no queue, which would look alive until RQ's own cleanup, a job
    timeout later (measured in bench/scale_out.py: one reminder held eleven minutes)."""
    pipe = redis.pipeline(transaction=False)
    for queue in WORKER_QUEUES:
        pipe.zrange(StartedJobRegistry.key_template.format(queue.value), 0, -1)
    members = [m.decode() for found in pipe.execute() for m in found]
    if not members:
        return {}
    for member in members:
        job_id, execution_id = parse_composite_key(member)
        pipe.hget(Execution(execution_id, job_id, redis).key, "created_at")
    taken = {}
    for member, created in zip(members, pipe.execute(), strict=True):
        if created is not None:
            taken[parse_composite_key(member)[0]] = datetime.fromtimestamp(float(created), UTC)
    return taken


def _is_alive(
    job_id: str,
    status: bytes | None,
    started_at: bytes | None,
    taken: dict[str, datetime],
    now: datetime,
    patience: timedelta,
) -> bool:
    state = status.decode() if status else None
    if state == "queued" and job_id in taken:  # a worker took it: alive while it could be
        return now - taken[job_id] < patience
    if state in _WAITING:
        return True
    if state == "started" and started_at:
        started = datetime.strptime(started_at.decode(), "%Y-%m-%dT%H:%M:%S.%fZ")
        return now - started.replace(tzinfo=UTC) < patience
    return False
