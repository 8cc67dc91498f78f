"""`flask --app app spool drain` and `flask --app app spool status`.

`drain` takes this host's spool in now (for an operator, or a timer); it waits for
a pass another process is running, and exits non-zero when files are left because
the database is still down or another process held the spool.
"""

from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from bootstrap import mianhua
from core.i18n import t
from spool.intake import CLI_WAIT_S, database_answers, drain

spool_cli = AppGroup("spool", help="What providers sent while the database was down.")


@spool_cli.command("drain")
def drain_command() -> None:
    """Take in what the spool holds (texts, receipts, call-back requests)."""
    root = mianhua()
    if root.spool.pending() and not database_answers(root):
        click.echo(t("en", "spool.cli.stopped", reason="database unavailable"), err=True)
        sys.exit(1)
    report = drain(root, wait_s=CLI_WAIT_S)
    if report.busy:
        click.echo(t("en", "spool.cli.busy"), err=True)
        sys.exit(1)
    click.echo(t("en", "spool.cli.drained", **report.as_dict()))
    for problem in report.problems:
        click.echo(f"set aside: {problem}")
    if report.stopped:
        click.echo(t("en", "spool.cli.stopped", reason=report.stopped), err=True)
        sys.exit(1)


@spool_cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="As JSON, as /healthz reports it.")
def status_command(as_json: bool) -> None:
    """How many files wait, the oldest, what was set aside, and whether it can be written."""
    from spool.health import spool_report

    root = mianhua()
    report = spool_report(root.spool)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        click.echo(
            t(
                "en",
                "spool.cli.state",
                directory=report["directory"],
                depth=report["depth"],
                oldest=report["oldest"] or "-",
                set_aside=report["set_aside"],
                writable="yes" if report["writable"] else f"NO ({report['problem']})",
            )
        )
        for name, why in root.spool.set_aside_files():
            click.echo(f"set aside: {name}: {why}")
    if not report["writable"]:
        sys.exit(1)


def register(app: Flask) -> None:
    app.cli.add_command(spool_cli)
