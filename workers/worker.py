"""The worker process: an RQ worker on every Mianhua queue, and the housekeeping ticker.

The worker listens on every queue in priority order, with RQ's scheduler
(retries and messages held for later come back through it) in a thread of the
worker's own process rather than RQ's forked child: a forked copy of a worker
counts its whole resident set again (about 80 MB a host for a loop that sleeps a
second between two Redis calls), and a worker SIGKILLed alone used to leave its
scheduler behind, orphaned, still holding the lock. A small ticker
thread enqueues the housekeeping job every HOUSEKEEPING_INTERVAL_SECONDS; one
Redis key makes sure that, however many workers run, it is enqueued once per
interval. If Redis goes away the worker waits for it and carries on.

`python -m workers` and `flask --app app worker` both run `run_worker`; neither
needs the web app, only the composition root.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.exceptions import InvalidJobOperation
from rq.scheduler import RQScheduler
from rq.scheduler import run as run_scheduler

from bootstrap import Mianhua, connect_redis
from core.ports.jobs import JobsUnavailable, Queue
from workers.housekeeping import housekeeping, run_housekeeping
from workers.queues import WORKER_QUEUES

log = logging.getLogger(__name__)

TICK_KEY = "mianhua:housekeeping:tick"
HOUSEKEEPING_KEY = "housekeeping"
#: After Redis vanished, how long to wait before the worker tries again.
RECONNECT_PAUSE_S = 1.0
#: How often a worker runs RQ's upkeep: it moves the jobs of a dead worker out of the
#: started registry, and takes the scheduler over once its holder's lock has expired
#: (RQ's lock lives the scheduler's interval + 60 s). RQ's default is 10 minutes, a
#: long time for retries and held replies to wait after a worker died.
MAINTENANCE_INTERVAL_S = 30


class RedisUnreachable(Exception):
    """A burst worker could not reach Redis: it has nothing to work from."""


def run_worker(
    root: Mianhua, *, burst: bool, log_level: str, say: Callable[[str], None] = print
) -> None:
    """Send what the outbox holds. `burst`: run the periodic work once, send what is
    queued, and return when the queues are empty."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s: %(message)s")
    root.warm_up()  # before the first job: its texts are read as fast as the rest
    if burst:
        report = run_housekeeping(root, everything=True)
        say(f"housekeeping: {report.as_dict()}")
        _work(root, burst=True, log_level=log_level)
        return
    interval = max(root.settings.housekeeping_interval_seconds, 0.2)
    stopped = threading.Event()
    ticker = threading.Thread(
        target=_tick, args=(root, interval, stopped), name="housekeeping-ticker", daemon=True
    )
    ticker.start()
    try:
        while not _work(root, burst=False, log_level=log_level):
            time.sleep(RECONNECT_PAUSE_S)  # Redis went away mid-job: start a fresh worker
    finally:  # the ticker ends with the worker, not after it (a test's Redis is gone then)
        stopped.set()
        ticker.join(interval)


def _work(root: Mianhua, *, burst: bool, log_level: str) -> bool:
    """Run one RQ worker until it stops; True when it was asked to (or burst is done)."""
    connection = connect_redis(root.settings)
    try:
        worker = MianhuaWorker(
            [root.jobs.queue(queue) for queue in WORKER_QUEUES],
            connection=connection,
            maintenance_interval=MAINTENANCE_INTERVAL_S,
        )
        worker.max_connection_wait_time = 5.0
        worker.work(burst=burst, with_scheduler=True, logging_level=log_level.upper())
        # Asked to stop (SIGTERM, SIGINT): RQ notes when. Otherwise it lost Redis.
        return burst or worker._shutdown_requested_date is not None
    except RedisError as exc:
        if burst:
            raise RedisUnreachable(f"Redis is unreachable: {exc}") from exc
        log.warning("worker: Redis is unreachable (%s); trying again", exc)
        return False
    except InvalidJobOperation as exc:
        # RQ could not finish its books on a job whose record another worker deleted: the
        # sweep took back a job it judged lost, and both runs ended (the message's own claim
        # sent it once). RQ raises out of its loop; the worker carries on with a fresh one.
        if burst:
            raise
        log.warning("worker: %s; starting afresh", exc)
        return False
    finally:
        connection.close()


def _tick(root: Mianhua, interval: float, stopped: threading.Event) -> None:
    while not stopped.is_set():
        try:
            enqueue_housekeeping(root, interval)
        except (RedisError, JobsUnavailable) as exc:
            log.debug("housekeeping ticker: Redis unreachable (%s)", exc)
        stopped.wait(interval / 2)


def enqueue_housekeeping(root: Mianhua, interval: float) -> bool:
    """Enqueue the periodic job unless another worker did within this interval, or the
    last one has not run yet (workers are busy: no need for two)."""
    if not root.redis.set(TICK_KEY, "1", nx=True, px=max(int(interval * 1000), 100)):
        return False
    return root.jobs.enqueue(housekeeping, queue=Queue.HOUSEKEEPING, key=HOUSEKEEPING_KEY)


class ThreadScheduler(RQScheduler):
    """RQ's scheduler (one per Redis, under RQ's lock) run in a daemon thread: it dies
    with its worker, whatever kills it, and shares the worker's memory."""

    def start(self) -> threading.Thread:  # type: ignore[override]
        self._status = self.Status.STARTED
        thread = threading.Thread(
            target=run_scheduler, args=(self,), name="rq-scheduler", daemon=True
        )
        self._process = thread  # type: ignore[assignment]  # RQ asks it is_alive()
        thread.start()
        return thread

    def _install_signal_handlers(self) -> None:
        """Signals belong to the worker's main thread; it stops us (stop_scheduler)."""


class MianhuaWorker(SimpleWorker):
    """RQ's SimpleWorker with its scheduler in a thread (ThreadScheduler)."""

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: str | None = "INFO",
        date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
        log_format: str = DEFAULT_LOGGING_FORMAT,
    ) -> None:
        self.scheduler = ThreadScheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            date_format=date_format,
            log_format=log_format,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()
        if not self.scheduler.acquired_locks:
            return  # another worker schedules; upkeep takes over if it dies
        if not burst:
            self.scheduler.start()
            return
        try:
            self.scheduler.register_birth()
            self.scheduler.enqueue_scheduled_jobs()
        finally:
            self.scheduler.release_locks()
            self.scheduler.register_death()

    def stop_scheduler(self) -> None:
        """Ask the thread to stop (it releases its locks) and wait out its one-second nap."""
        scheduler = self.scheduler
        if scheduler is None or scheduler._process is None:
            return
        scheduler.request_stop()
        scheduler._process.join(timeout=scheduler.interval + 5)
