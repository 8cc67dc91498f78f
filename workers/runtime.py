"""What jobs need, built once per worker process from the composition root."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from redis import Redis

from bootstrap import Mianhua, bootstrap
from core.context import Core
from core.ports.carriers import MessageSender
from workers.rate import SendRate


@dataclass
class Runtime:
    mianhua: Mianhua
    sender: MessageSender = field(init=False)
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
    """The installed runtime; a plain `rq worker` gets one built from the environment."""
    if _runtime is None:
        return install(bootstrap())
    return _runtime


@contextmanager
def installed(mianhua: Mianhua) -> Iterator[Runtime]:
    """Run jobs in this process against `mianhua`, then put back what was there (tests)."""
    global _runtime
    previous = _runtime
    try:
        yield install(mianhua)
    finally:
        _runtime = previous
