"""`flask --app app reminders ...` and `worker --burst`, as an operator runs them."""

from __future__ import annotations

import os
import subprocess

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from core.db import utcnow
from core.messages.models import Message
from core.orders.services import place_order
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN
from tests.workers.conftest import FLASK, PYTHON, REPO


@pytest.fixture
def buyers(app_world):  # type: ignore[no-untyped-def]
    return two_buyers(app_world)


@pytest.fixture
def buyers_now(app_world, clock):  # type: ignore[no-untyped-def]
    """The same, dated from the real clock: a worker process runs on it, not on the test's."""
    clock.set(utcnow())
    return two_buyers(app_world)


def two_buyers(app_world):  # type: ignore[no-untyped-def]
    deal = app_world.deal()
    for name in ("王芳", "李明"):
        buyer = app_world.resident(name)
        place_order(
            app_world.core,
            community_id=app_world.community_id,
            phone=buyer.phone,
            deal_number=deal.number,
            quantity=1,
            channel="sms",
        )
    return deal


def test_reminders_send_says_what_it_costs_then_queues_it(app, buyers):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["reminders", "send", "--deal", "1", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 residents (2 by text, 0 by phone call" in dry.output
    assert "1 segment(s) each, 2 in all" in dry.output

    sent = runner.invoke(args=["reminders", "send", "--deal", "1", "--text", "明早九点取梨"])
    assert sent.exit_code == 0, sent.output
    batch_id = sent.output.split("batch ", 1)[1].split(":", 1)[0]
    progress = runner.invoke(args=["reminders", "progress", batch_id])
    assert progress.exit_code == 0
    assert f"batch {batch_id}: 2 in all" in progress.output


def test_reminders_send_for_an_unknown_deal_fails_in_one_line(app, buyers):
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--deal", "9"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no deal number 9"


def test_reminders_send_for_a_deal_nobody_ordered_sends_nothing(app, app_world):
    app_world.deal()
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--deal", "1"])
    assert result.exit_code == 1
    assert "0 residents" in result.output  # the preview, then why nothing was sent
    assert result.output.strip().endswith("Error: There is nobody to remind.")


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


@pytest.mark.slow  # a real worker process
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


def sign(path: str, form: dict[str, str]) -> dict[str, str]:
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE_URL + path, form)
    return {"X-Twilio-Signature": signature}


def test_the_reminder_call_status_route_checks_signatures_and_input(app):
    client = app.test_client()
    form = {"CallSid": "CA1", "CallStatus": "completed"}
    assert client.post("/voice/reminder-status?m=1", data=form).status_code == 403
    path = "/voice/reminder-status?m=x"
    assert client.post(path, data=form, headers=sign(path, form)).status_code == 400
    path = "/voice/reminder-status?m=12345"  # unknown message: acknowledged, nothing done
    assert client.post(path, data=form, headers=sign(path, form)).status_code == 204
