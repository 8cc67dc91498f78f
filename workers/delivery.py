"""Delivering messages: the send jobs, one message or a bulk batch, and their work.

Order of an attempt: ask the core what to do (`next_sends`); if the last attempt's
fate is unknown, ask the carrier first; wait for the number's pace; claim the row
(a conditional UPDATE: two workers never both send it); send; record the sid or
the failure. Waiting comes before claiming, so a claim is only ever held for the
length of one request, well inside the sweep's patience.

A bulk batch with no pace to keep claims its rows in one statement and sends
them a few at a time in parallel: the carrier's answer time, not our own work,
is what a worker mostly waits for. With a pace, each message is claimed and sent
in a thread once its slot comes, while the worker waits for the next one.

Jobs take ids, reload the rows and do nothing the second time: the database says
what is sent. They reach the process's composition root through `mianhua()`.
"""

from __future__ import annotations

import contextlib
import logging
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from functools import cache

from redis.exceptions import RedisError
from rq import get_current_job

from bootstrap import Mianhua, mianhua
from core.carriers.caps import within_daily_caps
from core.messages.models import MessageChannel
from core.messages.recovery import hold_until, mark_queued
from core.messages.sending import (
    Dropped,
    NothingToDo,
    NotYet,
    Outgoing,
    Retrying,
    claim,
    claim_many,
    next_sends,
    record_failure,
    record_sent,
    record_sent_many,
)
from core.ports.carriers import SendFailed
from core.ports.jobs import JobsUnavailable, Queue
from workers.queues import WORKER_QUEUES, queue_for
from workers.rate import SendRate

log = logging.getLogger(__name__)

#: A low-priority job waits for the carrier's pace at most this long before it goes
#: back to the front of its queue, so its worker keeps its heartbeat.
MAX_WAIT_IN_JOB_S = 10.0
#: While waiting, look this often whether something more urgent arrived.
POLL_S = 0.25
#: Requests in flight at once for a bulk batch with no pace to keep.
PARALLEL_SENDS = 8
YIELDED = "yielded to more urgent work"
#: Providers whose lookup sees a text only with its receipt: how long to wait for one
#: before an attempt of unknown outcome is taken as lost and sent again.
RECEIPT_PATIENCE = {"tencent": timedelta(minutes=10)}
NO_RECEIPT_YET = "the earlier attempt may have gone: no receipt yet, asking again later"
#: Providers whose texts go in batch calls (SendBatchSms, SendSms to many numbers).
BATCH_PROVIDERS = frozenset({"aliyun", "tencent"})
#: Redis hash: message id -> the bulk job carrying it (the sweep checks it is alive).
BATCH_OF = "mianhua:send-batch-of"


def send_message(message_id: int) -> str:
    """The job the relay and the sweep enqueue per message."""
    job = get_current_job()
    return deliver(mianhua(), message_id, job_id=job.id if job else None)


def send_many(message_ids: list[int]) -> dict[str, int]:
    """A bulk batch of reminders or broadcasts: how many of each outcome."""
    root = mianhua()
    job = get_current_job()
    handed_on: set[int] = set()  # given way as a batch of their own: mapped to it now
    try:
        outcomes = deliver_many(root, list(message_ids), job_id=job.id if job else None)
        handed_on = {m for m, outcome in outcomes.items() if outcome == YIELDED}
    finally:
        done = [message_id for message_id in message_ids if message_id not in handed_on]
        with contextlib.suppress(RedisError):  # the sweep copes with a stale entry
            if done:
                root.redis.hdel(BATCH_OF, *done)
    summary: dict[str, int] = {}
    for outcome in outcomes.values():
        word = outcome.split(" ", 1)[0]
        summary[word] = summary.get(word, 0) + 1
    return summary


def send_job_id(message_id: int) -> str:
    """Deterministic, so the same message is never on a queue twice at once."""
    return f"send-{message_id}"


def alternate_job_id(message_id: int, current: str | None) -> str:
    """A running job cannot re-enqueue itself under its own id (RQ deletes that id when
    it returns), so a message's follow-up job uses the other of its two ids."""
    first = send_job_id(message_id)
    return f"{first}-b" if current == first else first


def message_job_ids(message_id: int) -> tuple[str, str]:
    first = send_job_id(message_id)
    return first, f"{first}-b"


def deliver(root: Mianhua, message_id: int, *, job_id: str | None = None) -> str:
    """Send one message if it is due and nobody sent it yet; says what happened."""
    return deliver_many(root, [message_id], job_id=job_id)[message_id]


def deliver_many(
    root: Mianhua, message_ids: list[int], *, job_id: str | None = None
) -> dict[int, str]:
    # The carrier's pace, shared by every worker through Redis (workers/rate.py).
    rate = SendRate(root.redis, root.settings.send_rate_per_second)
    outcomes: dict[int, str] = {}
    ready: list[Outgoing] = []
    steps = next_sends(root.core, message_ids)
    steps = within_daily_caps(root.core, steps)  # issue 12 (china-caps): mainland caps and window
    for message_id, step in steps.items():
        if isinstance(step, NothingToDo):
            outcomes[message_id] = f"nothing to do ({step.status})"
        elif isinstance(step, Dropped):
            outcomes[message_id] = f"dropped ({step.reason})"
        elif isinstance(step, NotYet):
            _schedule(root, message_id, step.kind, step.until, job_id)
            outcomes[message_id] = f"not before {step.until.isoformat()}"
        else:
            ready.append(step)
    if len(ready) > 1 and not rate.limited and not any(o.check_provider_first for o in ready):
        outcomes.update(_send_batch(root, ready, job_id))
        return outcomes
    batched = [out for out in ready if _in_batch_calls(out)]
    if len(batched) > 1:  # Aliyun's and Tencent's texts: many numbers in one request
        outcomes.update(_send_batch(root, batched, job_id))
        ready = [out for out in ready if not _in_batch_calls(out)]
    outcomes.update(_send_in_pace(root, rate, ready, job_id))
    return outcomes


def _send_in_pace(
    root: Mianhua, rate: SendRate, ready: list[Outgoing], job_id: str | None
) -> dict[int, str]:
    """One message after another at the number's pace, each claimed and sent in a thread
    of its own once its slot has come, so the next slot is waited for while the carrier
    answers: a worker alone keeps a pace its round trips would not allow one at a time
    (a carrier answers in 100-300 ms; at 50 a second that is 5 to 15 sends in flight).
    At most PARALLEL_SENDS are in flight; a message's claim is still held only for the
    length of its own request."""
    outcomes: dict[int, str] = {}
    sending: list[tuple[int, Future[str]]] = []
    try:
        for index, out in enumerate(ready):
            settled = _asked_first(root, out, job_id)
            if settled is not None:
                outcomes[out.message_id] = settled
                continue
            _until_a_thread_is_free([future for _, future in sending])
            if not _wait_for_slot(root, rate, out):
                left = ready[index:]
                _give_way(root, left, job_id)
                outcomes.update({later.message_id: YIELDED for later in left})
                break
            sending.append((out.message_id, _pool().submit(_claim_and_send, root, out, job_id)))
    finally:
        wait([future for _, future in sending])
    outcomes.update({message_id: future.result() for message_id, future in sending})
    return outcomes


def _until_a_thread_is_free(futures: list[Future[str]]) -> None:
    busy = [future for future in futures if not future.done()]
    if len(busy) >= PARALLEL_SENDS:
        wait(busy, return_when=FIRST_COMPLETED)


def _receipt_may_still_come(root: Mianhua, out: Outgoing) -> bool:
    """Tencent's lookup (PullSmsSendStatusByPhoneNumber) shows a text only once the
    carrier's receipt came, so "not found" soon after a lost answer may be a text on its
    way: ask again later rather than send it twice. Past the patience, send again."""
    patience = RECEIPT_PATIENCE.get(out.provider)
    if patience is None or out.attempted_at is None:
        return False
    return root.core.now() - out.attempted_at < patience


def _in_batch_calls(out: Outgoing) -> bool:
    """A mainland text goes in a batch call whatever `SEND_RATE_PER_SECOND` says: that is
    the pace of a sending number (Twilio's), while Aliyun and Tencent send from their own
    ports and take thousands of requests a second, a hundred or two numbers each."""
    return (
        out.provider in BATCH_PROVIDERS
        and out.channel == MessageChannel.SMS
        and out.template is not None
        and not out.check_provider_first
    )


def _asked_first(root: Mianhua, out: Outgoing, job_id: str | None) -> str | None:
    """An attempt whose fate is unknown: the carrier is asked before any slot is taken.
    What happened, when asking settled it; None when it is to be sent (again)."""
    if not out.check_provider_first:
        return None
    found = root.sender.find_sent(out)
    if found is not None and claim(root.core, out.message_id):
        record_sent(root.core, out.message_id, found)
        log.info("message %s: the earlier attempt got through (%s)", out.message_id, found)
        return f"found sent ({found})"
    if found is None and _receipt_may_still_come(root, out):
        waiting = SendFailed("timeout", NO_RECEIPT_YET, transient=True)
        return _failed(root, out, waiting, job_id)
    return None


def _claim_and_send(root: Mianhua, out: Outgoing, job_id: str | None) -> str:
    if not claim(root.core, out.message_id):
        return "claimed by another worker"
    try:
        sid = root.sender.send(out)
    except SendFailed as failure:
        return _failed(root, out, failure, job_id)
    record_sent(root.core, out.message_id, sid)
    return f"sent ({sid})"


def _send_batch(root: Mianhua, ready: list[Outgoing], job_id: str | None) -> dict[int, str]:
    taken = claim_many(root.core, [out.message_id for out in ready])
    outcomes = {
        out.message_id: "claimed by another worker" for out in ready if out.message_id not in taken
    }
    mine = [out for out in ready if out.message_id in taken]
    send_batch = getattr(root.sender, "send_batch", None)
    if send_batch is not None:  # the provider takes many numbers a call (Aliyun, Tencent)
        answered = send_batch(mine)
        results = [(out, answered[out.message_id]) for out in mine]
    else:
        results = list(_pool().map(lambda out: _attempt(root, out), mine))
    sent = {out.message_id: result for out, result in results if isinstance(result, str)}
    record_sent_many(root.core, sent)
    for out, result in results:
        if isinstance(result, SendFailed):
            outcomes[out.message_id] = _failed(root, out, result, job_id)
        else:
            outcomes[out.message_id] = f"sent ({result})"
    return outcomes


def _attempt(root: Mianhua, out: Outgoing) -> tuple[Outgoing, str | SendFailed]:
    try:
        return out, root.sender.send(out)
    except SendFailed as failure:
        return out, failure


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=PARALLEL_SENDS, thread_name_prefix="send")


def _failed(root: Mianhua, out: Outgoing, failure: SendFailed, job_id: str | None) -> str:
    outcome = record_failure(
        root.core,
        out.message_id,
        code=failure.code,
        detail=failure.detail,
        transient=failure.transient,
        retry_delays=root.settings.send_retry_delays,
    )
    if isinstance(outcome, Retrying):
        _schedule(root, out.message_id, out.kind, outcome.at, job_id)
        log.info("message %s: %s, retry at %s", out.message_id, failure, outcome.at.isoformat())
        return f"retry at {outcome.at.isoformat()}"
    log.warning("message %s failed: %s", out.message_id, failure)
    return f"failed ({outcome.code})"


def _rate_key(out: Outgoing) -> str:
    what = "call" if out.channel == MessageChannel.VOICE else "sms"
    return f"{what}:{out.from_number}"


def _wait_for_slot(root: Mianhua, rate: SendRate, out: Outgoing) -> bool:
    """Keep the carrier's pace. Replies book their slot; reminders and broadcasts only
    take one about to come, and give way (False) when anything more urgent is queued."""
    if not rate.limited:
        return True
    units = 1 if out.channel == MessageChannel.VOICE else out.segments
    queue = queue_for(out.kind)
    if queue == WORKER_QUEUES[0]:
        time.sleep(rate.book(_rate_key(out), units).wait)
        return True
    deadline = time.monotonic() + MAX_WAIT_IN_JOB_S
    while True:
        # Urgent work first, before each message and not only on a refused slot: workers
        # that cannot reach the pace (a busy host) are never refused, and a batch would
        # send its hundred before a waiting reply (bench/scale_out.py: replies a minute late).
        if _more_urgent_waiting(root, queue):
            return False
        slot = rate.try_take(_rate_key(out), units, within=POLL_S)
        if slot.granted:
            time.sleep(slot.wait)
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(min(slot.wait, POLL_S))


def _more_urgent_waiting(root: Mianhua, queue: Queue) -> bool:
    ahead = WORKER_QUEUES[: WORKER_QUEUES.index(queue)]
    try:
        pipe = root.redis.pipeline(transaction=False)
        for name in ahead:
            pipe.llen(root.jobs.queue(name).key)
        return any(pipe.execute())
    except RedisError:
        return False


def _give_way(root: Mianhua, left: list[Outgoing], job_id: str | None) -> None:
    """Back to the front of their queue, next in line once the urgent work is done, as one
    batch job (one message too: its name then comes from the same chain, see
    `batch_job_id`). A batch that gave way stays one job, not a job per message: a
    broadcast that gives way to every reply in a busy evening would otherwise pay a job's
    overhead for each of its messages (bench/scale_out.py)."""
    ids = [out.message_id for out in left]
    key = batch_job_id(ids, job_id)
    try:
        # Mapped first: the sweep sees the messages' job from the moment it exists.
        root.redis.hset(BATCH_OF, mapping=dict.fromkeys(ids, key))  # type: ignore[arg-type]
        root.jobs.enqueue(send_many, ids, queue=queue_for(left[0].kind), key=key, at_front=True)
    except (JobsUnavailable, RedisError) as exc:  # the sweep finds them (queued, job gone)
        log.warning("%d messages: could not requeue (%s)", len(ids), exc)


def batch_job_id(message_ids: list[int], current: str | None = None) -> str:
    """A batch job's id, named for its messages; when the job running now (`current`) is
    a batch of the same messages giving way, the next generation of that name.

    Never an id the chain had before: a batch that gives way waits for its sends in
    flight before it returns, and the job it handed on may meanwhile start on another
    worker and give way too. With two names taken in turn that third job had the first
    one's id while the first still ran: RQ wrote the new job over the running one's
    record and the first to end deleted it, so the other failed or was never run
    (bench/scale_out.py: RQ's `InvalidJobOperation`, and messages the sweep found with
    no job)."""
    name = f"sendmany-{message_ids[0]}-{message_ids[-1]}-{len(message_ids)}"
    if current is None or not (current == name or current.startswith(f"{name}-")):
        return name
    generation = current[len(name) + 1 :]
    return f"{name}-{int(generation) + 1 if generation.isdigit() else 2}"


def _schedule(root: Mianhua, message_id: int, kind: str, at: datetime, job_id: str | None) -> None:
    """Ask RQ's scheduler to run the job again at `at`. The row's `not_before` says the
    same, so if Redis forgets, the sweep enqueues it when it is due."""
    try:
        root.jobs.enqueue(
            send_message,
            message_id,
            queue=queue_for(kind),
            key=alternate_job_id(message_id, job_id),
            at=at,
        )
    except JobsUnavailable as exc:
        log.warning("message %s: could not schedule (%s); left to the sweep", message_id, exc)
        hold_until(root.core, message_id, at)
        return
    mark_queued(root.core, [message_id])
