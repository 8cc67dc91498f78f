"""The outbox relay: after a transaction commits, put its new messages on RQ.

The database row is the record; the RQ job only carries the message id. If Redis
cannot be reached the rows stay `pending` and the periodic sweep enqueues them
later, so the relay logs and carries on instead of failing the caller.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from redis.client import Pipeline

from core.db import OutboxEntry, utcnow
from core.ports.jobs import JobsUnavailable, Queue
from workers.delivery import BATCH_OF, batch_job_id, send_job_id, send_many, send_message
from workers.job_queue import RqJobs
from workers.queues import queue_for

log = logging.getLogger(__name__)

#: Reminders and broadcasts written many at once go in batches: one job per this many,
#: or, when the number keeps a pace, about PACED_BATCH_S of it (at least PACED_BATCH_MIN):
#: a batch is one worker's, and the last ones of a broadcast must be small enough that
#: the workers share them to the end (bench/scale_out.py: a last batch of 100 went at
#: half the pace of 50 a second, on one worker, for its last four seconds).
SEND_BATCH = 100
PACED_BATCH_S = 0.5
PACED_BATCH_MIN = 10
#: Replies written many at once (a reader's batch of texts) go in smaller batches, so
#: the first goes out soon and the workers share them: a job per this many.
REPLY_BATCH = 16
#: Fewer than this from one transaction go one job per message. A reader's replies go
#: together from two: a job costs a worker more than sending a reply does, and a reader
#: keeping up with a trickle of texts claims a few at a time (bench/scale_out.py).
BATCH_FROM = {Queue.REMINDERS: 10, Queue.BROADCASTS: 10, Queue.REPLIES: 2}
#: Jobs per pipeline round trip: a 10,000-resident reminder goes in a handful.
ENQUEUE_BATCH = 1000


def bulk_batch_size(send_rate_per_second: float) -> int:
    """Messages a bulk job carries: SEND_BATCH, or about PACED_BATCH_S of a kept pace."""
    if send_rate_per_second <= 0:
        return SEND_BATCH
    paced = round(send_rate_per_second * PACED_BATCH_S)
    return max(PACED_BATCH_MIN, min(SEND_BATCH, paced))


class OutboxRelay:
    def __init__(
        self,
        jobs: RqJobs,
        clock: Callable[[], datetime] = utcnow,
        on_enqueued: Callable[[list[int]], None] | None = None,
        send_rate_per_second: float = 0.0,
    ) -> None:
        self._jobs = jobs
        bulk = bulk_batch_size(send_rate_per_second)
        # The queues whose messages go in batch jobs (`send_many`), and how many a job.
        self._batch_size = {
            Queue.REMINDERS: bulk,
            Queue.BROADCASTS: bulk,
            Queue.REPLIES: REPLY_BATCH,
        }
        self._clock = clock
        # Told the ids that reached the queue, to mark their rows `queued`: the sweep
        # then leaves them to their jobs instead of enqueueing them again.
        self._on_enqueued = on_enqueued
        self._local = threading.local()

    def __call__(self, entries: list[OutboxEntry]) -> None:
        held = getattr(self._local, "held", None)
        if held is not None:
            held.extend(entries)
            return
        self.enqueue(entries)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold back what this thread's transactions commit meanwhile, and enqueue it
        all on leaving: the replies of a reader's batch of texts go in one round trip
        per queue and are marked `queued` in one statement, instead of both per reply.
        Rows are committed before they are held, so a crash in between leaves them
        `pending` for the sweep, as a Redis outage does."""
        if getattr(self._local, "held", None) is not None:  # the outer one enqueues
            yield
            return
        self._local.held = []
        try:
            yield
        finally:
            entries, self._local.held = self._local.held, None
            if entries:
                self.enqueue(entries)

    def enqueue(self, entries: Iterable[OutboxEntry]) -> bool:
        """Enqueue what is due now; False (and logged) when Redis could not be reached.

        Messages held for later (quiet hours) are left to the sweep, which
        enqueues them when their time comes.
        """
        now = self._clock()
        due = [e for e in entries if e.not_before is None or e.not_before <= now]
        ok = True
        if due:
            try:
                self.enqueue_ids((e.message_id, e.kind) for e in due)
            except JobsUnavailable as exc:
                log.warning(
                    "outbox relay: Redis unreachable, %d left for the sweep: %s", len(due), exc
                )
                ok = False
            else:
                self._mark_enqueued([e.message_id for e in due])
        self._local.last_ok = ok
        return ok

    def _mark_enqueued(self, ids: list[int]) -> None:
        if self._on_enqueued is None:
            return
        try:
            self._on_enqueued(ids)
        except Exception as exc:  # a listener must not raise; the rows simply stay pending
            log.warning("outbox relay: could not mark %d message(s) queued: %s", len(ids), exc)

    def enqueue_ids(self, messages: Iterable[tuple[int, str]], *, at_front: bool = False) -> None:
        """Put send jobs on their queues, a batch per round trip; raises JobsUnavailable.
        `at_front`: ahead of what waits there, in their own order (the sweep's rows that
        lost their place in line)."""
        by_queue: dict[Queue, list[int]] = {}
        for message_id, kind in messages:
            by_queue.setdefault(queue_for(kind), []).append(message_id)
        for queue, ids in by_queue.items():
            if queue in self._batch_size and len(ids) >= BATCH_FROM[queue]:
                self._enqueue_batches(queue, ids, self._batch_size[queue], at_front)
                continue
            starts = range(0, len(ids), ENQUEUE_BATCH)
            for start in reversed(starts) if at_front else starts:
                self._jobs.enqueue_many(
                    send_message,
                    [
                        ((message_id,), send_job_id(message_id))
                        for message_id in ids[start : start + ENQUEUE_BATCH]
                    ],
                    queue=queue,
                    at_front=at_front,
                )

    def _enqueue_batches(self, queue: Queue, ids: list[int], size: int, at_front: bool) -> None:
        """A fan-out: one job per `size` messages, each message mapped to its job."""
        batches = [ids[start : start + size] for start in range(0, len(ids), size)]
        starts = range(0, len(batches), ENQUEUE_BATCH // size)
        for start in reversed(starts) if at_front else starts:
            chunk = [
                (batch, batch_job_id(batch))
                for batch in batches[start : start + ENQUEUE_BATCH // size]
            ]
            mapping = {message_id: key for batch, key in chunk for message_id in batch}

            def map_to_jobs(pipeline: Pipeline, mapping: dict[int, str] = mapping) -> None:
                pipeline.hset(BATCH_OF, mapping=mapping)  # type: ignore[arg-type]

            self._jobs.enqueue_many(
                send_many,
                [((batch,), key) for batch, key in chunk],
                queue=queue,
                alongside=map_to_jobs,
                at_front=at_front,
            )

    def last_enqueue_ok(self) -> bool:
        """Whether this thread's most recent relay reached Redis: the SMS webhook asks,
        to answer inline when the queue is down."""
        return getattr(self._local, "last_ok", True)
