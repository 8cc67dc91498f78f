"""`flask --app app reminders ...` and `worker --burst`, as an operator runs them."""

from __future__ import annotations

import pytest

from core.orders.services import place_order
from tests.support.twilio_signing import signed


@pytest.fixture
def buyers(app_world):  # type: ignore[no-untyped-def]
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


def test_the_reminder_call_status_route_checks_signatures_and_input(app):
    client = app.test_client()
    form = {"CallSid": "CA1", "CallStatus": "completed"}
    assert client.post("/voice/reminder-status?m=1", data=form).status_code == 403
    path = "/voice/reminder-status?m=x"
    assert client.post(path, data=form, headers=signed(path, form)).status_code == 400
    path = "/voice/reminder-status?m=12345"  # unknown message: acknowledged, nothing done
    assert client.post(path, data=form, headers=signed(path, form)).status_code == 204
