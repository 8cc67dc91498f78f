"""Call me back: ring a resident whose call we rejected so that it cost them nothing.

The web step writes the promise (core.calls.services.start_call) and, after that
transaction, enqueues `place_callback(call_id)`. The job claims the promise in
the database first, so a duplicate job or a retried webhook never rings twice,
then asks the root's call placer (`mianhua.calls`: Twilio, or the console, which
dials nobody and leaves the call back recorded).
"""

from __future__ import annotations

import logging
from datetime import datetime

from bootstrap import Mianhua, mianhua
from core.calls.models import CallbackState
from core.calls.retries import due_callback_retries
from core.calls.services import claim_callback, finish_callback
from core.ports.carriers import CallBack, CallFailed
from core.ports.jobs import JobsUnavailable, Queue

log = logging.getLogger(__name__)

#: The placer that dials nobody (SMS_SENDER=console): its call backs are only recorded.
CONSOLE = "console"


def callback_job_id(call_id: int) -> str:
    return f"callback-{call_id}"


def enqueue_callback(
    mianhua: Mianhua, call_id: int, *, at: datetime | None = None, tries: int = 0
) -> bool:
    """Queue the call back (`at`: not before then) on the replies queue, whose policy
    tries a failed attempt again soon, then gives up: a resident waits by the phone.
    True when it is queued or already on its way (a retried webhook); False when the
    queue cannot be reached (then answer the call).

    `tries` names a later try (the sweep's), so it is not mistaken for the first job.
    """
    key = callback_job_id(call_id) + (f"-t{tries}" if tries else "")
    try:
        mianhua.jobs.enqueue(place_callback, call_id, queue=Queue.REPLIES, key=key, at=at)
    except JobsUnavailable as exc:
        log.warning("call back %s not queued, answering the call instead: %s", call_id, exc)
        return False
    return True


def place_callback(call_id: int) -> str:
    """The job: ring the resident back (see `call_back`)."""
    return call_back(mianhua(), call_id)


def call_back(mianhua: Mianhua, call_id: int) -> str:
    """Place the owed call back once, through the root's call placer; what happened.

    A passing failure owes the call back again and raises, so the job is retried;
    any other failure is recorded, and one that blames the number goes to staff.
    """
    core, placer = mianhua.core, mianhua.calls
    task = claim_callback(core, call_id=call_id)
    if task is None:
        return "not owed"
    try:
        placed = placer.call_back(CallBack(call_id, to=task.to, from_number=task.from_))
    except CallFailed as failure:
        if failure.transient:
            _release(mianhua, call_id)
            raise
        finish_callback(
            core,
            call_id=call_id,
            state=CallbackState.FAILED,
            error=str(failure),
            permanent=failure.number_refused,
        )
        return "failed"
    if placer.name == CONSOLE:
        finish_callback(core, call_id=call_id, state=CallbackState.RECORDED)
        return "recorded"
    finish_callback(core, call_id=call_id, state=CallbackState.PLACED, provider_sid=placed)
    return "placed"


def _release(mianhua: Mianhua, call_id: int) -> None:
    """A passing failure: owe the call back again, for the job's retry."""
    finish_callback(mianhua.core, call_id=call_id, state=CallbackState.REQUESTED)


#: A call back taken in from the spool this long ago and still owed has lost its job.
OWED_JOB_LOST_AFTER_S = 60


def requeue_owed_callbacks(mianhua: Mianhua) -> int:
    """Housekeeping: queue again the call backs asked for during an outage whose job was
    never queued or was lost; a job still on its way is left alone. How many were queued."""
    from datetime import timedelta

    from core.calls.outage import callbacks_still_owed

    owed = callbacks_still_owed(
        mianhua.core,
        taken_in_before=mianhua.core.now() - timedelta(seconds=OWED_JOB_LOST_AFTER_S),
    )
    count = 0
    for call_id, ring_at in owed:
        if mianhua.jobs.enqueue(
            place_callback, call_id, queue=Queue.REPLIES, key=callback_job_id(call_id), at=ring_at
        ):
            count += 1
    return count


def retry_callbacks(mianhua: Mianhua) -> int:
    """Periodic work: ring again the call backs that are due (within staff hours); the
    rest wait or go to staff."""
    due = due_callback_retries(mianhua.core)
    for call_id, tries in due:
        enqueue_callback(mianhua, call_id, tries=tries)
    return len(due)
