"""Reading texts off the inbox: the slow half of answering a text.

The inbox table is the queue. The webhook records a text and wakes the reader
(`wake_reader`): one RQ job for a burst of texts, queued only when none waits to
start. The job (`read_inbox`) drops its wake first, so a text recorded after that
wakes another; then it claims the oldest waiting texts' phones a batch at a time
(core.conversations.inbox.claim_waiting: two readers never take the same texts) and
reads each phone's waiting texts under the phone's lock, oldest first (the dialog's
order is the inbox's, not the jobs'). The replies written while reading a batch go
to the send queue together, after it. While a batch comes back full it wakes one more
reader, so every worker lends a hand with a large burst, and it hands its worker back
after READ_FOR_SECONDS, so the replies' queue, which comes first, is not starved by a
long one. A text whose reader was lost is found by the periodic work
(`enqueue_stale_texts`).

`read_texts(community_id, phone)`, the one-job-per-text job of before, still runs
for the jobs queued by a process of the earlier version.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from bootstrap import Mianhua, mianhua
from core.community.models import Community
from core.context import Core
from core.conversations.inbox import claim_waiting, stale_inbox_phones
from core.conversations.phone_lock import PhoneBusy
from core.ports.jobs import Jobs, JobsUnavailable, Queue

log = logging.getLogger(__name__)

#: A text still unread this long after it came is taken to have lost its reader.
STALE_AFTER = timedelta(minutes=2)
#: The wake's key: one reader job waiting to start, whatever the burst.
READER_KEY = "inbox-reader"
#: The sweep's reader: queued once while it waits or runs.
SWEEP_KEY = "inbox-sweep"
#: Texts claimed at a time; their replies are enqueued together, after the batch.
CLAIM_BATCH = 32
#: A claim a reader holds this long is taken to be a dead reader's.
CLAIM_LEASE = timedelta(minutes=1)
#: A reader job hands its worker back after this long (and wakes a successor).
READ_FOR_SECONDS = 2.0


def wake_reader(jobs: Jobs) -> bool:
    """Make sure a reader will look at the inbox; raises JobsUnavailable when the queue
    is down (the periodic work then finds the texts unread). One round trip when a
    reader waits already, as it does for every text of a burst but the first."""
    return jobs.wake(read_inbox, queue=Queue.INBOX, key=READER_KEY)


def read_inbox() -> int:
    """The job: read the waiting texts of many phones; how many texts were read."""
    root = mianhua()
    try:
        root.jobs.woken(READER_KEY)  # before claiming: a text recorded now wakes another
    except JobsUnavailable as exc:  # its mark expires; the reading need not wait
        log.warning("sms: could not drop the reader's wake (%s)", exc)
    return read_waiting(root)


def read_waiting(root: Mianhua, *, for_seconds: float = READ_FOR_SECONDS) -> int:
    """Claim the oldest waiting texts a batch at a time and read their phones, until
    none is left or `for_seconds` have gone (then another reader is woken)."""
    core = root.core
    communities: dict[int, Community | None] = {}
    deadline = time.monotonic() + for_seconds
    read = 0
    while (claimed := claim_waiting(core, limit=CLAIM_BATCH, lease=CLAIM_LEASE)).texts:
        if claimed.texts >= CLAIM_BATCH:  # more wait: a worker that is free lends a hand
            _wake_another(root)
        with root.relay.held():  # this batch's replies: one round trip, after it
            for community_id, phone in claimed.phones:
                read += _read_phone(core, communities, community_id, phone)
        if time.monotonic() >= deadline:  # hand the worker back; a successor goes on
            _wake_another(root)
            break
    return read


def _read_phone(
    core: Core, communities: dict[int, Community | None], community_id: int, phone: str
) -> int:
    from sms_gateway.conversation import read_waiting_texts

    if community_id not in communities:
        with core.db.transaction() as session:
            communities[community_id] = session.get(Community, community_id)
    community = communities[community_id]
    if community is None:
        log.warning("sms: waiting texts for unknown community %s", community_id)
        return 0
    try:
        return read_waiting_texts(core, community, phone)
    except PhoneBusy:
        # Another reader has held this phone a long while; its claim lapses and the
        # texts are read then (the sweep wakes a reader if nothing else does).
        log.warning("sms: %s is busy; its texts wait for the claim to lapse", phone)
        return 0


def _wake_another(root: Mianhua) -> None:
    try:
        wake_reader(root.jobs)
    except JobsUnavailable as exc:  # this reader carries on; the sweep is the net
        log.warning("sms: could not wake another reader (%s)", exc)


def read_texts(community_id: int, phone: str) -> int:
    """The earlier version's job: read this phone's waiting texts; how many were read
    (0 when another job read them first). PhoneBusy propagates, so it is tried again."""
    from sms_gateway.conversation import read_waiting_texts

    core = mianhua().core
    with core.db.transaction() as session:
        community = session.get(Community, community_id)
    if community is None:
        log.warning("sms: read job for unknown community %s", community_id)
        return 0
    return read_waiting_texts(core, community, phone)


def enqueue_stale_texts(jobs: Jobs, core: Core) -> int:
    """Periodic work: texts unread too long lost their reader (Redis lost the job, or a
    worker died holding their claim): queue a reader for them, under a key of its own
    so a wake's mark cannot hold it up. How many phones wait (0: none, or a sweep's
    reader is queued already)."""
    stale = stale_inbox_phones(core, older_than=core.now() - STALE_AFTER)
    if not stale or not jobs.enqueue(read_inbox, queue=Queue.INBOX, key=SWEEP_KEY):
        return 0
    return len(stale)
