"""The composition root: one place that turns settings into working parts.

Web, workers and the command line all start here, so they share one idea of
the database, Redis and the clock. Nothing connects at import time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import redis

from core.community.services import CommunityDirectory
from core.context import Core
from core.db import Database
from core.messages.recovery import mark_queued
from core.ports.carriers import CallPlacer
from core.settings import Settings, load_settings
from spool.store import Spool
from workers.relay import OutboxRelay
from workers.senders import Sender, make_sender

if TYPE_CHECKING:
    from spool.drainer import SpoolDrainer


@dataclass
class Mianhua:
    settings: Settings
    core: Core = field(init=False)
    relay: OutboxRelay = field(init=False)
    communities: CommunityDirectory = field(init=False)

    def __post_init__(self) -> None:
        _ensure_sqlite_folder(self.settings.database_url)
        self.core = Core(
            db=Database(self.settings.database_url),
            quiet_hours=self.settings.quiet_hours,
            sms_provider=self.settings.sms_sender,
        )
        # After each commit, new outbox rows go onto RQ (never inside the transaction).
        self.relay = OutboxRelay(
            lambda: self.redis,
            clock=self.core.now,
            on_enqueued=lambda ids: mark_queued(self.core, ids),
        )
        self.core.db.outbox_listeners.append(self.relay)
        self.communities = CommunityDirectory(self.core)

    @cached_property
    def redis(self) -> redis.Redis:
        """Short timeouts: a webhook must answer even when Redis is down."""
        return redis.Redis.from_url(
            self.settings.redis_url, socket_timeout=1, socket_connect_timeout=1
        )

    @cached_property
    def sender(self) -> Sender:
        """What delivers messages (SMS_SENDER): the Twilio client, or the console."""
        return make_sender(self.settings)

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
        else the console, which dials nobody."""
        if self.settings.sms_sender == "twilio":
            from providers.twilio.calls import TwilioCallPlacer

            return TwilioCallPlacer.from_settings(self.settings)
        from providers.console.calls import ConsoleCallPlacer

        return ConsoleCallPlacer()


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


def mianhua() -> Mianhua:
    """The one accessor: the current Flask app's root inside a request or command, else
    the root installed for this process (a worker), else one built from the settings."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.extensions["mianhua"]  # type: ignore[no-any-return]
    if _installed is None:
        return install(bootstrap())
    return _installed
