"""`python -m workers [--burst] [--log-level LEVEL]`: a worker, without the web app.

It builds the composition root from the settings, installs it for the process's
jobs, and runs the same worker as `flask --app app worker` (workers/worker.py).
"""

from __future__ import annotations

import click

from bootstrap import bootstrap, install
from core.settings import SettingsError, load_settings
from workers.worker import RedisUnreachable, run_worker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the periodic work once, send, exit when idle.")
@click.option("--log-level", default="INFO", show_default=True)
def main(burst: bool, log_level: str) -> None:
    """Send what the outbox holds: an RQ worker on all of Mianhua's queues."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"Mianhua cannot start: {exc}") from None
    root = install(bootstrap(settings))
    try:
        run_worker(root, burst=burst, log_level=log_level, say=click.echo)
    except RedisUnreachable as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        root.close()


if __name__ == "__main__":
    main(prog_name="python -m workers")
