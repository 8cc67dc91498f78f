"""`flask --app app worker --burst`, as an operator runs it: a real worker process."""

from __future__ import annotations

import os
import subprocess

import pytest
from sqlalchemy import select

from core.db import utcnow
from core.messages.models import Message
from tests.integration.workers.conftest import FLASK, PYTHON, REPO
from tests.integration.workers.test_cli import two_buyers


@pytest.fixture
def buyers_now(app_world, clock):  # type: ignore[no-untyped-def]
    """The same, dated from the real clock: a worker process runs on it, not on the test's."""
    clock.set(utcnow())
    return two_buyers(app_world)


WORKERS = {
    "python -m workers": [str(PYTHON), "-X", "importtime", "-m", "workers"],
    "flask --app app worker": [str(FLASK), "--app", "app", "worker"],
}


def imported(importtime_log: str) -> set[str]:
    """The modules a `python -X importtime` run imported, from its report on stderr."""
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in importtime_log.splitlines()
        if line.startswith("import time:")
    }


@pytest.mark.parametrize("command", WORKERS)
def test_worker_burst_runs_the_periodic_work_then_sends_and_exits(
    app, app_world, buyers_now, redis_url, command
):
    mianhua = app.extensions["mianhua"]
    env = {
        **os.environ,
        "DATABASE_URL": mianhua.settings.database_url,
        "REDIS_URL": redis_url,
        "MIANHUA_ENV": "test",
        "SMS_SENDER": "console",
    }
    result = subprocess.run(
        [*WORKERS[command], "--burst", "--log-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "housekeeping: {'deals_closed': 0" in result.stdout
    if command == "python -m workers":  # a worker without the web app
        assert "bootstrap" in imported(result.stderr)
        assert {"app", "web_security", "staff.views"} & imported(result.stderr) == set()
    assert result.stdout.count("[sms +8631188886666 -> +86139") == 2
    with mianhua.core.db.transaction() as session:
        rows = session.scalars(select(Message)).all()
    assert {(m.status, m.provider_sid) for m in rows} == {("sent", f"CONSOLE-{m.id}") for m in rows}
