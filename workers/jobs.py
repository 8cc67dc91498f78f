"""RQ jobs: send one message (by id), and the periodic housekeeping.

Jobs take ids, reload the row and do nothing the second time: the database says
what is sent. A worker process installs its `Runtime` once (`install`); a plain
`rq worker` gets one built from the environment on first use.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, get_current_job

from bootstrap import Mianhua, bootstrap
from core.context import Core
from core.messages.models import MessageChannel
from core.messages.sending import (
    Dropped,
    NothingToDo,
    NotYet,
    Outgoing,
    Retrying,
    claim,
    hold_until,
    mark_queued,
    next_send,
    record_failure,
    record_sent,
)
from workers.queues import WORKER_QUEUES, queue_for
from workers.rate import SendRate
from workers.relay import SEND_JOB, send_job_id
from workers.senders import Sender, SendFailed

log = logging.getLogger(__name__)

#: A low-priority job waits for the carrier's pace at most this long before it
#: goes back to the front of its queue, so its worker keeps its heartbeat.
MAX_WAIT_IN_JOB_S = 10.0
#: While waiting, look this often whether something more urgent arrived.
POLL_S = 0.25
SEND_JOB_TIMEOUT_S = 120
FAILED_JOB_TTL_S = 86400


@dataclass
class Runtime:
    """What jobs need, built once per worker process from the composition root."""

    mianhua: Mianhua
    sender: Sender = field(init=False)
    rate: SendRate = field(init=False)

    def __post_init__(self) -> None:
        self.sender = self.mianhua.sender
        self.rate = SendRate(self.redis, self.mianhua.settings.send_rate_per_second)

    @property
    def core(self) -> Core:
        return self.mianhua.core

    @property
    def redis(self) -> Redis:
        return self.mianhua.redis


_runtime: Runtime | None = None


def install(mianhua: Mianhua) -> Runtime:
    """Make this process's jobs use `mianhua` (the worker command calls this once)."""
    global _runtime
    _runtime = Runtime(mianhua)
    return _runtime


def runtime() -> Runtime:
    if _runtime is None:
        return install(bootstrap())
    return _runtime


def alternate_job_id(message_id: int, current: str | None) -> str:
    """A running job cannot re-enqueue itself under its own id (RQ deletes that id when
    it returns), so a message's follow-up job uses the other of its two ids."""
    first = send_job_id(message_id)
    return f"{first}-b" if current == first else first


def message_job_ids(message_id: int) -> tuple[str, str]:
    first = send_job_id(message_id)
    return first, f"{first}-b"


# --- sending -----------------------------------------------------------------------------


def send_message(message_id: int) -> str:
    """The RQ job the relay and the sweep enqueue (workers.relay.SEND_JOB)."""
    job = get_current_job()
    return deliver(runtime(), message_id, job_id=job.id if job else None)


def deliver(rt: Runtime, message_id: int, *, job_id: str | None = None) -> str:
    """Send one message if it is due and nobody sent it yet; returns what happened."""
    step = next_send(rt.core, message_id)
    if isinstance(step, NothingToDo):
        return f"nothing to do ({step.status})"
    if isinstance(step, Dropped):
        return f"dropped ({step.reason})"
    if isinstance(step, NotYet):
        _schedule(rt, message_id, step.kind, step.until, job_id)
        return f"not before {step.until.isoformat()}"
    out = step
    if out.check_provider_first:
        found = rt.sender.find_sent(out)
        if found is not None and claim(rt.core, message_id):
            record_sent(rt.core, message_id, found)
            log.info("message %s: the earlier attempt got through (%s)", message_id, found)
            return f"found sent ({found})"
    if not _wait_for_slot(rt, out):
        _requeue_now(rt, out, job_id)
        return "yielded to more urgent work"
    if not claim(rt.core, message_id):
        return "claimed by another worker"
    try:
        sid = rt.sender.send(out)
    except SendFailed as failure:
        outcome = record_failure(
            rt.core,
            message_id,
            code=failure.code,
            detail=failure.detail,
            transient=failure.transient,
            retry_delays=rt.mianhua.settings.send_retry_delays,
        )
        if isinstance(outcome, Retrying):
            _schedule(rt, message_id, out.kind, outcome.at, job_id)
            log.info("message %s: %s, retry at %s", message_id, failure, outcome.at.isoformat())
            return f"retry at {outcome.at.isoformat()}"
        log.warning("message %s failed: %s", message_id, failure)
        return f"failed ({outcome.code})"
    record_sent(rt.core, message_id, sid)
    return f"sent ({sid})"


def _rate_key(out: Outgoing) -> str:
    what = "call" if out.channel == MessageChannel.VOICE else "sms"
    return f"{what}:{out.from_number}"


def _wait_for_slot(rt: Runtime, out: Outgoing) -> bool:
    """Wait for the carrier's pace. Replies book their slot; reminders and broadcasts
    only take the next one, and give way (False) when anything more urgent is queued."""
    if not rt.rate.limited:
        return True
    units = 1 if out.channel == MessageChannel.VOICE else out.segments
    queue = queue_for(out.kind)
    if queue == WORKER_QUEUES[0]:
        slot = rt.rate.book(_rate_key(out), units)
        time.sleep(slot.wait)
        return True
    deadline = time.monotonic() + MAX_WAIT_IN_JOB_S
    while True:
        slot = rt.rate.try_take(_rate_key(out), units, within=POLL_S)
        if slot.granted:
            time.sleep(slot.wait)
            return True
        if _more_urgent_waiting(rt, queue) or time.monotonic() > deadline:
            return False
        time.sleep(min(slot.wait, POLL_S))


def _more_urgent_waiting(rt: Runtime, queue_name: str) -> bool:
    ahead = WORKER_QUEUES[: WORKER_QUEUES.index(queue_name)]
    try:
        pipe = rt.redis.pipeline(transaction=False)
        for name in ahead:
            pipe.llen(Queue(name, connection=rt.redis).key)
        return any(pipe.execute())
    except RedisError:
        return False


def _requeue_now(rt: Runtime, out: Outgoing, job_id: str | None) -> None:
    """Back to the front of its own queue: next in line once the urgent work is done."""
    try:
        Queue(queue_for(out.kind), connection=rt.redis).enqueue(
            SEND_JOB,
            out.message_id,
            job_id=alternate_job_id(out.message_id, job_id),
            at_front=True,
            result_ttl=0,
            failure_ttl=FAILED_JOB_TTL_S,
            job_timeout=SEND_JOB_TIMEOUT_S,
        )
    except RedisError as exc:  # the sweep finds it again (still queued, job gone)
        log.warning("message %s: could not requeue (%s)", out.message_id, exc)


def _schedule(rt: Runtime, message_id: int, kind: str, at: datetime, job_id: str | None) -> None:
    """Ask RQ's scheduler to run the job again at `at`. The row's `not_before` says the
    same, so if Redis forgets, the sweep enqueues it when it is due."""
    try:
        Queue(queue_for(kind), connection=rt.redis).enqueue_at(
            at,
            SEND_JOB,
            message_id,
            job_id=alternate_job_id(message_id, job_id),
            result_ttl=0,
            failure_ttl=FAILED_JOB_TTL_S,
            job_timeout=SEND_JOB_TIMEOUT_S,
        )
    except RedisError as exc:
        log.warning("message %s: could not schedule (%s); left to the sweep", message_id, exc)
        hold_until(rt.core, message_id, at)
        return
    mark_queued(rt.core, [message_id])


# --- housekeeping ------------------------------------------------------------------------


def housekeeping() -> dict[str, object]:
    """The periodic job: deadlines, due reminders, and the outbox sweep."""
    from workers.housekeeping import run_housekeeping

    return run_housekeeping(runtime()).as_dict()
