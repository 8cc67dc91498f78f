"""`flask --app app worker [--burst]` and `flask --app app reminders send|progress`.

The worker listens on every Mianhua queue in priority order, with RQ's scheduler
(retries and messages held for later come back through it). A small ticker
thread enqueues the housekeeping job every HOUSEKEEPING_INTERVAL_SECONDS; one
Redis key makes sure that, however many workers run, it is enqueued once per
interval. If Redis goes away the worker waits for it and carries on.
"""

from __future__ import annotations

import logging
import threading
import time

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from rq.exceptions import DuplicateJobError

from core.community.services import CommunityError, resolve_community
from core.deals.services import DealNotFound
from core.i18n import t
from core.reminders.services import (
    BulkTextInvalid,
    NobodyToRemind,
    bulk_progress,
    preview_bulk_reminder,
    send_bulk_reminder,
)
from workers.housekeeping import run_housekeeping
from workers.queues import HOUSEKEEPING, WORKER_QUEUES
from workers.runtime import Runtime, install

log = logging.getLogger(__name__)

HOUSEKEEPING_JOB = "workers.jobs.housekeeping"
TICK_KEY = "mianhua:housekeeping:tick"
#: After Redis vanished, how long to wait before the worker tries again.
RECONNECT_PAUSE_S = 1.0


def _runtime() -> Runtime:
    from app import mianhua_of

    return install(mianhua_of())


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the periodic work once, send, exit when idle.")
@click.option("--log-level", default="INFO", show_default=True)
@with_appcontext
def worker_command(burst: bool, log_level: str) -> None:
    """Send what the outbox holds: an RQ worker on all of Mianhua's queues."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s: %(message)s")
    rt = _runtime()
    if burst:
        report = run_housekeeping(rt)
        click.echo(f"housekeeping: {report.as_dict()}")
        _work(rt, burst=True, log_level=log_level)
        return
    interval = max(rt.mianhua.settings.housekeeping_interval_seconds, 0.2)
    threading.Thread(
        target=_tick, args=(rt, interval), name="housekeeping-ticker", daemon=True
    ).start()
    while not _work(rt, burst=False, log_level=log_level):
        time.sleep(RECONNECT_PAUSE_S)  # Redis went away mid-job: start a fresh worker


def _work(rt: Runtime, *, burst: bool, log_level: str) -> bool:
    """Run one RQ worker until it stops; True when it was asked to (or burst is done)."""
    connection = Redis.from_url(rt.mianhua.settings.redis_url)
    try:
        worker = SimpleWorker(
            [Queue(name, connection=connection) for name in WORKER_QUEUES],
            connection=connection,
        )
        worker.max_connection_wait_time = 5.0
        worker.work(burst=burst, with_scheduler=True, logging_level=log_level.upper())
        # Asked to stop (SIGTERM, SIGINT): RQ notes when. Otherwise it lost Redis.
        return burst or worker._shutdown_requested_date is not None
    except RedisError as exc:
        if burst:
            raise click.ClickException(f"Redis is unreachable: {exc}") from exc
        log.warning("worker: Redis is unreachable (%s); trying again", exc)
        return False
    finally:
        connection.close()


def _tick(rt: Runtime, interval: float) -> None:
    while True:
        try:
            enqueue_housekeeping(rt.redis, interval)
        except RedisError as exc:
            log.debug("housekeeping ticker: Redis unreachable (%s)", exc)
        time.sleep(interval / 2)


def enqueue_housekeeping(redis: Redis, interval: float) -> bool:
    """Enqueue the periodic job unless another worker did within this interval."""
    if not redis.set(TICK_KEY, "1", nx=True, px=max(int(interval * 1000), 100)):
        return False
    try:
        Queue(HOUSEKEEPING, connection=redis).enqueue(
            HOUSEKEEPING_JOB,
            job_id="housekeeping",
            unique=True,
            result_ttl=0,
            failure_ttl=max(int(interval), 1),
            job_timeout=600,
        )
    except DuplicateJobError:
        return False  # the last one has not run yet: workers are busy, no need for two
    return True


reminders_cli = AppGroup("reminders", help="Bulk pickup reminders.")


@reminders_cli.command("send")
@click.option("--deal", "number", required=True, type=int, help="The deal's short number.")
@click.option("--text", default=None, help="Your own text instead of the standard reminder.")
@click.option("--community", "community_phone", default=None, help="The community's phone.")
@click.option("--dry-run", is_flag=True, help="Only say what it would send.")
@with_appcontext
def reminders_send(
    number: int, text: str | None, community_phone: str | None, dry_run: bool
) -> None:
    """Remind every resident with an order on a deal (it says what it costs first)."""
    from app import mianhua_of

    core = mianhua_of().core
    try:
        community = resolve_community(core, community_phone)
        preview = preview_bulk_reminder(core, community_id=community.id, number=number, text=text)
    except (CommunityError, DealNotFound) as exc:
        raise click.ClickException(str(exc)) from exc
    except BulkTextInvalid as exc:
        raise click.ClickException(t("en", exc.key, **exc.params)) from exc
    click.echo(
        f"deal {number} {preview.deal.title_zh}: {preview.recipients} residents "
        f"({preview.texted} by text, {preview.called} by phone call, "
        f"{preview.suppressed} not reachable or opted out); "
        f"{preview.segments_each} segment(s) each, {preview.segments_total} in all"
    )
    for language, body in preview.texts.items():
        click.echo(f"  [{language}] {body}")
    if dry_run:
        return
    try:
        sent = send_bulk_reminder(
            core, community_id=community.id, number=number, text=text, by="cli"
        )
    except NobodyToRemind as exc:
        raise click.ClickException(t("en", exc.key)) from exc
    click.echo(
        f"batch {sent.batch_id}: {sent.recipients} reminders queued; "
        f"follow with `flask --app app reminders progress {sent.batch_id}`"
    )


@reminders_cli.command("progress")
@click.argument("batch_id")
@with_appcontext
def reminders_progress(batch_id: str) -> None:
    """Where a bulk reminder stands."""
    from app import mianhua_of

    progress = bulk_progress(mianhua_of().core, batch_id=batch_id)
    click.echo(
        f"batch {batch_id}: {progress.total} in all, {progress.pending} waiting, "
        f"{progress.sending} being sent, {progress.sent} sent, {progress.delivered} delivered, "
        f"{progress.failed} failed, {progress.suppressed} not sent (opted out or expired)"
        + (" - done" if progress.done else "")
    )


def register(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(reminders_cli)
    from workers.webhooks import bp

    app.register_blueprint(bp)
