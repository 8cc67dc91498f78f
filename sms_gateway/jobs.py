"""Reading texts off the inbox queue: the slow half of answering a text.

The webhook records a text and enqueues `read_texts`; a worker takes the phone's
lock and reads every text of it still waiting, oldest first (the dialog's order
is the inbox's, not the jobs'). A job whose phone is busy is retried (the inbox
queue's policy); a text whose job was lost is found by the periodic work
(`enqueue_stale_texts`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bootstrap import mianhua
from core.community.models import Community
from core.context import Core
from core.conversations.inbox import stale_inbox_phones
from core.ports.jobs import Jobs, Queue

log = logging.getLogger(__name__)

#: A text still unread this long after it came is taken to have lost its job.
STALE_AFTER = timedelta(minutes=2)


def enqueue_reading(jobs: Jobs, community_id: int, phone: str, message_id: int) -> bool:
    """Put a read job on the inbox queue; raises JobsUnavailable when it is down."""
    return jobs.enqueue(
        read_texts, community_id, phone, queue=Queue.INBOX, key=f"read-{message_id}"
    )


def read_texts(community_id: int, phone: str) -> int:
    """The job: read this phone's waiting texts; how many were read (0 when another
    job read them first). PhoneBusy propagates, so the job is tried again."""
    from sms_gateway.conversation import read_waiting_texts

    core = mianhua().core
    with core.db.transaction() as session:
        community = session.get(Community, community_id)
    if community is None:
        log.warning("sms: read job for unknown community %s", community_id)
        return 0
    return read_waiting_texts(core, community, phone)


def enqueue_stale_texts(jobs: Jobs, core: Core) -> int:
    """Periodic work: give every phone with a text unread too long a new read job."""
    count = 0
    for community_id, phone, message_id in stale_inbox_phones(
        core, older_than=core.now() - STALE_AFTER
    ):
        if enqueue_reading(jobs, community_id, phone, message_id):
            count += 1
    return count
