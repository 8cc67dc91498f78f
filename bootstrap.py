"""The composition root: one place that turns settings into working parts.

Web, workers and the command line all start here, so they share one idea of
the database, Redis, the clock, the job port and the senders; everything else
reaches it through the one accessor, `mianhua()`. Nothing connects at import time.

The parts that run as jobs (the relay's send jobs, the periodic work) reach the
root through `mianhua()` themselves, so the root imports them where it builds
them, not at the top: that is the one place where the graph turns back on itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import redis
from redis.backoff import NoBackoff
from redis.connection import parse_url
from redis.retry import Retry
from redis.sentinel import Sentinel

from core.community.services import CommunityDirectory
from core.context import Core
from core.db import Database
from core.messages.recovery import mark_queued
from core.ports.carriers import CallPlacer, MessageSender
from core.settings import Settings, load_settings
from spool.store import Spool
from workers.job_queue import RqJobs

if TYPE_CHECKING:
    from spool.drainer import SpoolDrainer
    from workers.relay import OutboxRelay


@dataclass(frozen=True)
class Periodic:
    """One piece of the periodic work: `run` is called with the root, and says what it
    did (a count, or a report). `every`: at most once that often across all workers;
    None, at each housekeeping tick (HOUSEKEEPING_INTERVAL_SECONDS)."""

    name: str
    every: timedelta | None
    run: Callable[[Mianhua], object]


@dataclass
class Mianhua:
    settings: Settings
    core: Core = field(init=False)
    jobs: RqJobs = field(init=False)
    relay: OutboxRelay = field(init=False)
    communities: CommunityDirectory = field(init=False)

    def __post_init__(self) -> None:
        from providers.twilio.keywords import TwilioKeywords
        from workers.relay import OutboxRelay  # its send jobs reach the root: see above

        _ensure_sqlite_folder(self.settings.database_url)
        self.core = Core(
            db=Database(self.settings.database_url),
            quiet_hours=self.settings.quiet_hours,
            sms_provider=self.settings.sms_sender,
            # Twilio's own STOP/START are left to it, whichever carrier a community uses.
            carrier_keywords=TwilioKeywords(),
        )
        self.jobs = RqJobs(lambda: self.redis)
        # After each commit, new outbox rows go onto RQ (never inside the transaction).
        self.relay = OutboxRelay(
            self.jobs,
            clock=self.core.now,
            on_enqueued=lambda ids: mark_queued(self.core, ids),
            send_rate_per_second=self.settings.send_rate_per_second,
        )
        self.core.db.outbox_listeners.append(self.relay)
        self.communities = CommunityDirectory(self.core)

    @cached_property
    def periodic(self) -> tuple[Periodic, ...]:
        """The periodic work, the one table of it, in the order a housekeeping job runs it."""
        from core.announcements.services import announce_new_deals
        from core.deals.services import close_due_deals
        from core.reminders.due import queue_due_reminders
        from core.tastings.services import ask_after_pickup
        from ivr.callback import requeue_owed_callbacks, retry_callbacks
        from sms_gateway.jobs import enqueue_stale_texts
        from staff.jobs import enqueue_lost_imports
        from workers.sweep import sweep

        return (
            Periodic("deals_closed", None, lambda root: len(close_due_deals(root.core))),
            Periodic("reminders_written", None, lambda root: queue_due_reminders(root.core).total),
            Periodic(
                "texts_requeued", None, lambda root: enqueue_stale_texts(root.jobs, root.core)
            ),
            Periodic("callbacks_requeued", None, requeue_owed_callbacks),
            Periodic(
                "imports_requeued", None, lambda root: enqueue_lost_imports(root.jobs, root.core)
            ),
            Periodic("callbacks_retried", None, retry_callbacks),
            Periodic(
                "deals_announced", None, lambda root: announce_new_deals(root.core).texts
            ),
            Periodic(
                "pickup_questions", timedelta(hours=1), lambda root: ask_after_pickup(root.core)
            ),
            # Last: it also enqueues what the steps above wrote but could not queue.
            Periodic("sweep", None, lambda root: sweep(root).as_dict()),
        )

    def warm_up(self) -> None:
        """Load what the jobs' first run would (a worker calls it before it listens): the
        SMS reader's modules, dictionaries and catalogs (sms_gateway.warm_up), and the
        sender of SMS_SENDER with its SDK."""
        from providers.by_community import SenderPerCommunity
        from sms_gateway.warm_up import warm_up

        warm_up()
        if isinstance(self.sender, SenderPerCommunity):  # not a test's own sender
            self.sender.warm_up()

    @cached_property
    def redis(self) -> redis.Redis:
        """Short timeouts and no retries: a webhook must answer even when Redis is down
        (redis-py otherwise tries three more times with backoff, seconds per call; the
        database holds the work and the sweeps queue it once Redis is back)."""
        return connect_redis(
            self.settings,
            socket_timeout=1,
            socket_connect_timeout=1,
            retry=Retry(NoBackoff(), 0),
        )

    @cached_property
    def sender(self) -> MessageSender:
        """What delivers messages: each through its community's provider (SMS_SENDER
        for communities that name none), texts and reminder calls alike."""
        from providers.by_community import make_sender_per_community

        return make_sender_per_community(self.settings)

    @cached_property
    def spool(self) -> Spool:
        """This host's spool (SPOOL_DIR): what providers sent while the database was down."""
        return Spool(self.settings.spool_dir)

    @cached_property
    def spool_drainer(self) -> SpoolDrainer:
        """The web process's background thread that takes the spool in; started when needed."""
        from spool.drainer import SpoolDrainer

        return SpoolDrainer(self)

    def close(self) -> None:
        if "spool_drainer" in self.__dict__:
            self.spool_drainer.stop()
        self.core.db.dispose()
        if "redis" in self.__dict__:
            self.redis.close()

    @cached_property
    def calls(self) -> CallPlacer:
        """What places calls (reminder calls, call backs): Twilio with SMS_SENDER=twilio,
        else the console, which dials nobody.

        The phone menu stays on Twilio in China too (Aliyun's and Tencent's voice products
        only play templates, docs/CHINA.md 5), so with SMS_SENDER=aliyun|tencent the call
        backs the menu promised go through Twilio whenever its credentials are set."""
        s = self.settings
        twilio_set = bool(s.twilio_account_sid and s.twilio_auth_token)
        if s.sms_sender == "twilio" or (s.sms_sender != "console" and twilio_set):
            from providers.twilio.calls import TwilioCallPlacer

            return TwilioCallPlacer.from_settings(self.settings)
        from providers.console.calls import ConsoleCallPlacer

        return ConsoleCallPlacer()


def connect_redis(settings: Settings, **options: object) -> redis.Redis:
    """A client for REDIS_URL, or, with REDIS_SENTINELS, for the master the sentinels name
    now: each new connection asks them again, so a failover needs no restart (a command
    caught by the switch fails like Redis being away, which every caller copes with).
    REDIS_URL still gives the database number and the password."""
    if not settings.redis_sentinels:
        return redis.Redis.from_url(settings.redis_url, **options)  # type: ignore[arg-type]
    url = parse_url(settings.redis_url)
    timeouts = {k: v for k, v in options.items() if k.startswith("socket_")}
    sentinel = Sentinel(list(settings.redis_sentinels), sentinel_kwargs=timeouts, **timeouts)
    assert settings.redis_sentinel_master is not None  # load_settings insists on it
    return sentinel.master_for(  # type: ignore[no-any-return]
        settings.redis_sentinel_master,
        db=url.get("db", 0),
        password=url.get("password"),
        username=url.get("username"),
        **{k: v for k, v in options.items() if k not in timeouts},
    )


def _ensure_sqlite_folder(url: str) -> None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite:///:memory:":
        Path(url[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)


def bootstrap(settings: Settings | None = None) -> Mianhua:
    """Build a new composition root (the app factory, the worker and tests call this)."""
    return Mianhua(settings or load_settings())


_installed: Mianhua | None = None


def install(root: Mianhua) -> Mianhua:
    """Make `root` this process's composition root outside any Flask app (workers, CLI)."""
    global _installed
    _installed = root
    return root


@contextmanager
def installed(root: Mianhua) -> Iterator[Mianhua]:
    """Run jobs in this process against `root`, then put back what was there (tests)."""
    global _installed
    previous = _installed
    try:
        yield install(root)
    finally:
        _installed = previous


def mianhua() -> Mianhua:
    """The one accessor: the current Flask app's root inside a request or command, else
    the root installed for this process (a worker), else one built from the settings."""
    flask = sys.modules.get("flask")  # a worker never imports Flask: no app context there
    if flask is not None and flask.has_app_context():
        return flask.current_app.extensions["mianhua"]  # type: ignore[no-any-return]
    if _installed is None:
        return install(bootstrap())
    return _installed
