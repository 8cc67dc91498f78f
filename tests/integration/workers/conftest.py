"""Workers under test: the Twilio stand-in, an in-process worker root, and real worker processes."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from bootstrap import Mianhua, bootstrap, install
from core.context import Core, FrozenClock
from core.deals.models import Deal
from core.orders.models import Channel, Order, OrderStatus
from core.residents.models import Resident
from core.results import DealView
from core.settings import load_settings
from tests.builders import World
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN
from tests.support.stand_in import ACCOUNT_SID, AUTH_TOKEN, ListingFakeTwilio

REPO = Path(__file__).resolve().parents[3]
FLASK = REPO / ".venv" / "bin" / "flask"
PYTHON = REPO / ".venv" / "bin" / "python"
#: Quiet hours that never begin: tests with real worker processes run on the real clock,
#: whatever the hour in Shanghai when CI runs them.
NO_QUIET_HOURS = "00:00-00:00"


@pytest.fixture
def stand_in() -> Iterator[ListingFakeTwilio]:
    with ListingFakeTwilio(hang_seconds=5) as fake:
        yield fake


def worker_env(
    database_url: str, redis_url: str, stand_in: ListingFakeTwilio, **env: str
) -> dict[str, str]:
    """Settings for a worker that sends through the stand-in with the real Twilio client."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MIANHUA_ENV": "test",
        "SECRET_KEY": "test-secret",
        "SMS_SENDER": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_API_BASE": stand_in.base_url,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "SEND_RATE_PER_SECOND": "0",
        "SEND_RETRY_DELAYS": "0.2,0.4,0.6",
        "SEND_STUCK_AFTER_SECONDS": "3",
        "HOUSEKEEPING_INTERVAL_SECONDS": "0.5",
        **env,
    }


@pytest.fixture
def make_root(redis_url: str, stand_in: ListingFakeTwilio, clock: FrozenClock):  # type: ignore[no-untyped-def]
    """A worker's composition root, installed in this process, on the test clock,
    sending through the stand-in."""
    made: list[Mianhua] = []

    def make(database_url: str, **env: str) -> Mianhua:
        settings = load_settings(worker_env(database_url, redis_url, stand_in, **env))
        root = bootstrap(settings)
        root.core.clock = clock
        made.append(install(root))
        return root

    yield make
    for root in made:
        root.close()


@pytest.fixture
def rt(make_root, sqlite_url: str) -> Mianhua:  # type: ignore[no-untyped-def]
    return make_root(sqlite_url)  # type: ignore[no-any-return]


@pytest.fixture
def rt_world(rt: Mianhua, clock: FrozenClock) -> World:
    """The test community in the worker root's database."""
    return World(rt.core, clock)


class WorkerProcesses:
    """Real `python -m workers` processes, each in its own process group."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(
            [str(PYTHON), "-m", "workers", "--log-level", "WARNING", *args],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker itself, mid-job: no warm shutdown, nothing cleaned up."""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # also RQ's scheduler child
            process.wait(timeout=10)

    def output(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.logs.glob("worker-*.log"))
        )


@pytest.fixture
def worker_processes(tmp_path: Path) -> Iterator[Callable[..., WorkerProcesses]]:
    made: list[WorkerProcesses] = []

    def make(env: dict[str, str]) -> WorkerProcesses:
        processes = WorkerProcesses(env, tmp_path)
        made.append(processes)
        return processes

    yield make
    for processes in made:
        processes.stop_all()


def live_core(database_url: str, redis_url: str) -> tuple[Core, Callable[[], None]]:
    """A core on the real clock whose commits are relayed to Redis, like the web app's."""
    mianhua = bootstrap(
        load_settings(
            {
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "MIANHUA_ENV": "test",
                "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                "QUIET_HOURS": NO_QUIET_HOURS,
            }
        )
    )
    return mianhua.core, mianhua.close


def live_world(core: Core) -> World:
    return World(core, FrozenClock(datetime.now(UTC)))


_buyer_numbers = itertools.count(1)


def add_buyers(
    core: Core, world: World, deal: DealView, count: int, **resident: object
) -> list[str]:
    """`count` residents with one unit each on `deal`, written in bulk (setup, not the subject)."""
    phones = [f"+86137{next(_buyer_numbers):08d}" for _ in range(count)]
    with core.db.transaction() as session:
        residents = [
            Resident(community_id=world.community_id, phone=phone, name=f"住户{i}", **resident)
            for i, phone in enumerate(phones)
        ]
        session.add_all(residents)
        session.flush()
        session.add_all(
            Order(
                deal_id=deal.id,
                resident_id=r.id,
                quantity=1,
                status=OrderStatus.PLACED,
                channel=Channel.STAFF,
            )
            for r in residents
        )
        session.execute(
            update(Deal).where(Deal.id == deal.id).values(units_ordered=Deal.units_ordered + count)
        )
    return phones


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)
