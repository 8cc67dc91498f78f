"""Reading texts off the inbox queue: the slow half of answering a text.

The webhook records a text and enqueues `read_texts`; a worker takes the phone's
lock and reads every text of it still waiting, oldest first (the dialog's order
is the inbox's, not the jobs'). A job whose phone is busy is retried; a text whose
job was lost is found by the housekeeping sweep (`enqueue_stale_texts`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from redis import Redis
from rq import Queue, Retry

from core.community.models import Community
from core.conversations.inbox import stale_inbox_phones
from workers.queues import INBOX

log = logging.getLogger(__name__)

READ_JOB = "sms_gateway.jobs.read_texts"
#: A text still unread this long after it came is taken to have lost its job.
STALE_AFTER = timedelta(minutes=2)


def enqueue_reading(redis: Redis, community_id: int, phone: str, message_id: int) -> None:
    """Put a read job on the inbox queue; raises RedisError when Redis is down."""
    Queue(INBOX, connection=redis).enqueue(
        READ_JOB,
        community_id,
        phone,
        job_id=f"read-{message_id}",
        result_ttl=0,
        failure_ttl=86400,
        retry=Retry(max=5, interval=[1, 2, 5, 10, 30]),
    )


def read_texts(community_id: int, phone: str) -> int:
    """The job: read this phone's waiting texts; how many were read (0 when another
    job read them first). PhoneBusy propagates, so RQ retries it."""
    from sms_gateway.conversation import read_waiting_texts
    from workers.runtime import runtime

    core = runtime().core
    with core.db.transaction() as session:
        community = session.get(Community, community_id)
    if community is None:
        log.warning("sms: read job for unknown community %s", community_id)
        return 0
    return read_waiting_texts(core, community, phone)


def enqueue_stale_texts(redis: Redis, core) -> int:  # type: ignore[no-untyped-def]
    """Housekeeping: give every phone with a text unread too long a new read job."""
    count = 0
    for community_id, phone, message_id in stale_inbox_phones(
        core, older_than=core.now() - STALE_AFTER
    ):
        enqueue_reading(redis, community_id, phone, message_id)
        count += 1
    return count
