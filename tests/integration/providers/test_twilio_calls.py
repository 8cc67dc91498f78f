"""Twilio's call placer: what a call back and a reminder call ask of Twilio, and what
its refusals mean."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from core.messages.sending import Outgoing
from core.ports.carriers import CallBack, CallFailed, SendFailed
from providers.console.calls import ConsoleCallPlacer
from providers.twilio.calls import TwilioCallPlacer
from providers.twilio.client import make_twilio_client
from tests.support.fake_twilio import HANG, FakeTwilio

ACCOUNT_SID = "AC" + "2" * 32
TOKEN = "calls-test-token"
BASE = "https://mianhua.example"
RESIDENT, COMMUNITY = "+8613800138000", "+8631188886666"
RING_BACK = CallBack(7, to=RESIDENT, from_number=COMMUNITY)


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=TOKEN, hang_seconds=2) as stand_in:
        yield stand_in


def placer_for(fake: FakeTwilio, timeout: float = 5.0) -> TwilioCallPlacer:
    client = make_twilio_client(ACCOUNT_SID, TOKEN, fake.base_url, timeout=timeout)
    return TwilioCallPlacer(client, public_base_url=BASE + "/")


def reminder(message_id: int = 12) -> Outgoing:
    return Outgoing(
        message_id=message_id,
        channel="voice",
        kind="reminder",
        to="+8631188880001",
        from_number=COMMUNITY,
        body="取货提醒：1号赵县雪花梨",
        segments=1,
        language="zh",
        community_name="幸福里社区",
        voice_rate="slow",
        attempts_before=0,
        check_provider_first=False,
        created_at=datetime(2026, 11, 27, tzinfo=UTC),
    )


def test_a_call_back_rings_the_resident_with_the_menu_answering(fake: FakeTwilio):
    sid = placer_for(fake).call_back(RING_BACK)

    [request] = fake.requests
    assert request.kind == "call" and sid == request.sid
    assert (request.form["To"], request.form["From"]) == (RESIDENT, COMMUNITY)
    assert request.form["Url"] == f"{BASE}/voice/inbound"
    assert request.form["StatusCallback"] == f"{BASE}/voice/status"


def test_a_rate_limit_passes_and_a_bad_number_is_the_numbers_fault(fake: FakeTwilio):
    fake.queue("429", "500", "21211")
    placer = placer_for(fake)
    failures = []
    for _ in range(3):
        with pytest.raises(CallFailed) as caught:
            placer.call_back(RING_BACK)
        failures.append(caught.value)

    assert [(f.code, f.transient, f.number_refused) for f in failures] == [
        ("20429", True, False),
        ("20500", True, False),
        ("21211", False, True),
    ]
    refused = str(failures[2])
    assert refused.startswith("21211: ") and "Invalid 'To' Phone Number" in refused


def test_a_call_back_twilio_never_answered_is_a_passing_failure(fake: FakeTwilio):
    fake.queue(HANG)
    with pytest.raises(CallFailed) as caught:
        placer_for(fake, timeout=0.3).call_back(RING_BACK)
    assert caught.value.transient and not caught.value.number_refused


def test_a_reminder_call_speaks_the_text_twice_and_reports_its_end(fake: FakeTwilio):
    sid = placer_for(fake).reminder_call(reminder(12))

    [request] = fake.requests
    assert request.kind == "call" and sid == request.sid and request.to == "+8631188880001"
    assert request.form["StatusCallback"] == f"{BASE}/voice/reminder-status?m=12"
    twiml = request.form["Twiml"]
    assert twiml.count('<prosody rate="85%">取货提醒：1号赵县雪花梨</prosody>') == 2


def test_a_refused_reminder_call_fails_like_a_text(fake: FakeTwilio):
    fake.queue("429", "21211", HANG)
    placer = placer_for(fake, timeout=0.3)
    failures = []
    for _ in range(3):
        with pytest.raises(SendFailed) as caught:
            placer.reminder_call(reminder())
        failures.append(caught.value)
    assert [(f.code, f.transient) for f in failures] == [
        ("20429", True),
        ("21211", False),
        ("timeout", True),
    ]


def test_the_console_dials_nobody():
    printed = io.StringIO()
    console = ConsoleCallPlacer(printed)
    assert console.call_back(RING_BACK) == "CONSOLE-CALLBACK-7"
    assert console.reminder_call(reminder(12)) == "CONSOLE-12"
    assert printed.getvalue() == f"[call {COMMUNITY} -> +8631188880001] 取货提醒：1号赵县雪花梨\n"
