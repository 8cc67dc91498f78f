"""The job port on RQ: every queue's retry and TTL policy, in this one table.

Callers name a queue and hand a function; what a job on that queue may cost
(its timeout), how often it is tried again, and how long Redis keeps it come
from `POLICIES`, never from the call site. A Redis that cannot be reached is
`JobsUnavailable` to the caller: the database holds the work, and the sweeps
enqueue what was left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import RedisError
from rq import Queue as RqQueue
from rq import Retry
from rq.job import Job

from core.ports.jobs import JobsUnavailable, Queue

DAY_S = 86400


@dataclass(frozen=True)
class Policy:
    timeout_s: int
    #: Seconds before each retry of a job that raised; none: it fails at once.
    retries: tuple[int, ...] = ()
    #: How long a job's result is kept: 0, the database holds the outcome.
    result_ttl_s: int = 0
    #: How long a failed job is kept, to be looked at.
    failure_ttl_s: int = DAY_S

    def retry(self) -> Retry | None:
        return Retry(max=len(self.retries), interval=list(self.retries)) if self.retries else None


POLICIES: dict[Queue, Policy] = {
    # A send does its own retries through the outbox (SEND_RETRY_DELAYS); a call back
    # raises on a passing failure, and the resident waits by the phone: soon, then stop.
    Queue.REPLIES: Policy(timeout_s=120, retries=(5, 20)),
    # Reading a phone's texts raises while another job holds the phone's turn.
    Queue.INBOX: Policy(timeout_s=180, retries=(1, 2, 5, 10, 30)),
    # Bulk sends go a hundred messages a job.
    Queue.REMINDERS: Policy(timeout_s=600),
    Queue.BROADCASTS: Policy(timeout_s=600),
    Queue.HOUSEKEEPING: Policy(timeout_s=600),
    # Long enough for the largest upload the console takes, on a busy PostgreSQL; the
    # run's row says how it went, the result is kept an hour for the log.
    Queue.IMPORTS: Policy(timeout_s=600, result_ttl_s=3600),
}

#: RQ states of a job that will still run: a key held in one of them is not queued again.
_WAITING_OR_RUNNING = {b"queued", b"scheduled", b"deferred", b"started"}
#: Redis keys saying a job woken under a key waits to start (`RqJobs.wake`).
WAKE_PREFIX = "mianhua:wake:"
#: A wake's mark outlives a lost job at most this long: then the next wake queues again.
WAKE_TTL_S = 60


@contextmanager
def _reachable() -> Iterator[None]:
    try:
        yield
    except RedisError as exc:
        raise JobsUnavailable(str(exc)) from exc


class RqJobs:
    """`core.ports.jobs.Jobs` on RQ, plus what the worker side needs beyond it."""

    def __init__(self, connection: Callable[[], Redis]) -> None:
        self._connection = connection  # built on first use: nothing connects at import

    def queue(self, queue: Queue) -> RqQueue:
        return RqQueue(queue.value, connection=self._connection())

    def enqueue(
        self,
        job: Callable[..., object],
        *args: object,
        queue: Queue,
        key: str | None = None,
        at: datetime | None = None,
        at_front: bool = False,
    ) -> bool:
        policy = POLICIES[queue]
        with _reachable():
            if key is not None and self.holds(key):
                return False
            options = dict(
                job_id=key,
                job_timeout=policy.timeout_s,
                result_ttl=policy.result_ttl_s,
                failure_ttl=policy.failure_ttl_s,
                retry=policy.retry(),
            )
            if at is not None:
                self.queue(queue).enqueue_at(at, job, *args, **options)
            else:
                self.queue(queue).enqueue(job, *args, at_front=at_front, **options)
        return True

    def wake(self, job: Callable[..., object], *args: object, queue: Queue, key: str) -> bool:
        """One waiting job per `key`: a mark set only if absent (one round trip, all a
        burst's later wakes cost), then the job. The mark expires, so a job Redis lost
        holds up the next wake for WAKE_TTL_S at most; two jobs at once are harmless."""
        policy = POLICIES[queue]
        with _reachable():
            if not self._connection().set(WAKE_PREFIX + key, "1", nx=True, ex=WAKE_TTL_S):
                return False
            try:
                self.queue(queue).enqueue(
                    job,
                    *args,
                    job_timeout=policy.timeout_s,
                    result_ttl=policy.result_ttl_s,
                    failure_ttl=policy.failure_ttl_s,
                    retry=policy.retry(),
                )
            except RedisError:
                self._connection().delete(WAKE_PREFIX + key)
                raise
        return True

    def woken(self, key: str) -> None:
        with _reachable():
            self._connection().delete(WAKE_PREFIX + key)

    def holds(self, key: str) -> bool:
        """Whether the job under `key` is still waiting or running."""
        with _reachable():
            status = self._connection().hget(Job.key_for(key), "status")
        return status in _WAITING_OR_RUNNING

    def enqueue_many(
        self,
        job: Callable[..., object],
        calls: Sequence[tuple[tuple[object, ...], str]],
        *,
        queue: Queue,
        alongside: Callable[[Pipeline], None] | None = None,
        at_front: bool = False,
    ) -> None:
        """Many `(args, key)` calls of one job in one round trip, with whatever
        `alongside` writes in the same pipeline. For the outbox relay: its keys are
        guarded by the rows' own status, so they are not checked first. `at_front`:
        ahead of the queue, the first call first (RQ pushes each to the front in turn)."""
        policy = POLICIES[queue]
        ordered = list(reversed(calls)) if at_front else calls
        with _reachable():
            rq_queue = self.queue(queue)
            pipeline = rq_queue.connection.pipeline()
            if alongside is not None:
                alongside(pipeline)
            rq_queue.enqueue_many(
                [
                    RqQueue.prepare_data(
                        job,
                        args=args,
                        job_id=key,
                        timeout=policy.timeout_s,
                        result_ttl=policy.result_ttl_s,
                        failure_ttl=policy.failure_ttl_s,
                        retry=policy.retry(),
                        at_front=at_front,
                    )
                    for args, key in ordered
                ],
                pipeline=pipeline,
            )
            pipeline.execute()
