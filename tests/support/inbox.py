"""Running queued jobs (texts to read, resident imports) in the test process, as a worker would."""

from __future__ import annotations

from redis.exceptions import RedisError
from rq import Queue, SimpleWorker

from bootstrap import Mianhua, installed
from core.ports.jobs import Queue as JobQueue


class BurstWorker(SimpleWorker):
    """RQ's SimpleWorker without its command channel. Nobody sends a test's burst worker
    a command, and stopping the channel's listener thread costs half a second of waiting
    per run: the largest single cost of the SMS tests."""

    def subscribe(self) -> None:
        """No command channel (RQ's unsubscribe is a no-op without one)."""


def read_inbox(mianhua: Mianhua) -> None:
    """Run the read jobs the SMS webhook queued (none when Redis is down: then the
    webhook read the text itself)."""
    try:
        mianhua.redis.ping()
    except RedisError:
        return
    with installed(mianhua):
        queue = Queue(JobQueue.INBOX, connection=mianhua.redis)
        BurstWorker([queue], connection=mianhua.redis).work(burst=True)


def run_imports(mianhua: Mianhua) -> None:
    """Run the resident imports the console queued, as a worker would."""
    with installed(mianhua):
        queue = Queue(JobQueue.IMPORTS, connection=mianhua.redis)
        BurstWorker([queue], connection=mianhua.redis).work(burst=True)
