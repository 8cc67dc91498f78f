"""Call me back: ring a resident whose call we rejected so that it cost them nothing.

The web step writes the promise (core.calls.services.start_call) and, after that
transaction, enqueues `place_callback(call_id)`. The job claims the promise in
the database first, so a duplicate job or a retried webhook never rings twice.
With SMS_SENDER=console nothing is dialled: the call back is logged and recorded.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cache

import requests
from rq import Queue, Retry
from twilio.base.exceptions import TwilioException, TwilioRestException

from bootstrap import Mianhua, bootstrap
from core.calls.models import CallbackState
from core.calls.services import claim_callback, finish_callback
from providers.twilio.client import make_twilio_client
from providers.twilio.errors import NUMBER_CODES, is_passing
from workers.queues import REPLIES

log = logging.getLogger(__name__)

CALLBACK_JOB = "ivr.callback.place_callback"
#: A resident waits by the phone: retry a failed attempt soon, then give up.
RETRY = Retry(max=2, interval=[5, 20])


def callback_job_id(call_id: int) -> str:
    return f"callback-{call_id}"


def enqueue_callback(
    mianhua: Mianhua, call_id: int, *, at: datetime | None = None, tries: int = 0
) -> bool:
    """Queue the call back (`at`: not before then); False when Redis cannot be reached
    (then answer the call).

    `tries` names a later try (the sweep's), so it is not mistaken for the first job.
    """
    job_id = callback_job_id(call_id) + (f"-t{tries}" if tries else "")
    try:
        queue = Queue(REPLIES, connection=mianhua.redis)
        if queue.fetch_job(job_id) is not None:
            return True  # a retried webhook: the job is on its way already
        options = dict(job_id=job_id, retry=RETRY, result_ttl=0)
        if at is not None:
            queue.enqueue_at(at, CALLBACK_JOB, call_id, failure_ttl=86400, **options)
        else:
            queue.enqueue(CALLBACK_JOB, call_id, failure_ttl=86400, **options)
    except Exception as exc:  # redis-py raises several kinds when the server is away
        log.warning("call back %s not queued, answering the call instead: %s", call_id, exc)
        return False
    return True


@cache
def _runtime() -> Mianhua:
    """The worker process's composition root, built on first use."""
    return bootstrap()


def place_callback(call_id: int) -> str:
    """The RQ job: ring the resident back (see `call_back`)."""
    return call_back(_runtime(), call_id)


def call_back(mianhua: Mianhua, call_id: int) -> str:
    """Place the owed call back once; returns what happened, for the job's log."""
    core, settings = mianhua.core, mianhua.settings
    task = claim_callback(core, call_id=call_id)
    if task is None:
        return "not owed"
    if settings.sms_sender != "twilio":
        log.info("console: would ring %s back from %s", task.to, task.from_)
        finish_callback(core, call_id=call_id, state=CallbackState.RECORDED)
        return "recorded"
    base = settings.public_base_url
    try:
        client = make_twilio_client(
            settings.twilio_account_sid or "",
            settings.twilio_auth_token or "",
            settings.twilio_api_base,
        )
        placed = client.calls.create(
            to=task.to,
            from_=task.from_,
            url=f"{base}/voice/inbound",
            method="POST",
            status_callback=f"{base}/voice/status",
            status_callback_method="POST",
        )
    except TwilioRestException as exc:
        if is_passing(exc):
            _release(mianhua, call_id)
            raise
        finish_callback(
            core,
            call_id=call_id,
            state=CallbackState.FAILED,
            error=f"{exc.code}: {exc.msg}",
            permanent=exc.code in NUMBER_CODES,
        )
        return "failed"
    except (requests.RequestException, TwilioException):
        _release(mianhua, call_id)
        raise
    finish_callback(core, call_id=call_id, state=CallbackState.PLACED, provider_sid=placed.sid)
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
    queue = Queue(REPLIES, connection=mianhua.redis)
    count = 0
    for call_id, ring_at in owed:
        if queue.fetch_job(callback_job_id(call_id)) is None and enqueue_callback(
            mianhua, call_id, at=ring_at
        ):
            count += 1
    return count
