"""`flask --app app worker [--burst]` and `flask --app app reminders send|progress`.

`worker` is the same worker as `python -m workers` (workers/worker.py), started
from the Flask command line for operators who run everything through it.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from bootstrap import mianhua
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
from workers.worker import RedisUnreachable, run_worker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the periodic work once, send, exit when idle.")
@click.option("--log-level", default="INFO", show_default=True)
@with_appcontext
def worker_command(burst: bool, log_level: str) -> None:
    """Send what the outbox holds: an RQ worker on all of Mianhua's queues."""
    try:
        run_worker(mianhua(), burst=burst, log_level=log_level, say=click.echo)
    except RedisUnreachable as exc:
        raise click.ClickException(str(exc)) from exc


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
    core = mianhua().core
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
    progress = bulk_progress(mianhua().core, batch_id=batch_id)
    click.echo(
        f"batch {batch_id}: {progress.total} in all, {progress.pending} waiting, "
        f"{progress.sending} being sent, {progress.sent} sent, {progress.delivered} delivered, "
        f"{progress.failed} failed, {progress.suppressed} not sent (opted out or expired)"
        + (" - done" if progress.done else "")
    )


def register(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(reminders_cli)
