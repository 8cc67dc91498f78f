"""`flask --app app worker --burst`, as an operator runs it: a real worker process."""

from __future__ import annotations

import os
import subprocess

import pytest
from sqlalchemy import select

from core.db import utcnow
from core.messages.models import Message
from tests.integration.workers.conftest import FLASK, REPO
from tests.integration.workers.test_cli import two_buyers


@pytest.fixture
def buyers_now(app_world, clock):  # type: ignore[no-untyped-def]
    """The same, dated from the real clock: a worker process runs on it, not on the test's."""
    clock.set(utcnow())
    return two_buyers(app_world)



def test_worker_burst_runs_the_periodic_work_then_sends_and_exits(
    app, app_world, buyers_now, redis_url
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
        [str(FLASK), "--app", "app", "worker", "--burst", "--log-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "housekeeping: {'deals_closed': 0" in result.stdout
    assert result.stdout.count("[sms +8631188886666 -> +86139") == 2
    with mianhua.core.db.transaction() as session:
        rows = session.scalars(select(Message)).all()
    assert {(m.status, m.provider_sid) for m in rows} == {("sent", f"CONSOLE-{m.id}") for m in rows}
