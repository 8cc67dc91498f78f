"""Twilio's call placer: what a call back asks of Twilio, and what its refusals mean."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from twilio.base.exceptions import TwilioRestException

from core.ports.calls import CallFailed
from providers.console.calls import ConsoleCallPlacer
from providers.twilio.calls import TwilioCallPlacer
from providers.twilio.errors import is_passing
from tests.support.fake_twilio import HANG, FakeTwilio
from workers.twilio_client import make_twilio_client

ACCOUNT_SID = "AC" + "2" * 32
TOKEN = "calls-test-token"
BASE = "https://mianhua.example"
RESIDENT, COMMUNITY = "+8613800138000", "+8631188886666"


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=TOKEN, hang_seconds=2) as stand_in:
        yield stand_in


def placer_for(fake: FakeTwilio, timeout: float = 5.0) -> TwilioCallPlacer:
    client = make_twilio_client(ACCOUNT_SID, TOKEN, fake.base_url, timeout=timeout)
    return TwilioCallPlacer(client, public_base_url=BASE + "/")


def test_a_call_back_rings_the_resident_with_the_menu_answering(fake: FakeTwilio):
    sid = placer_for(fake).call_back(to=RESIDENT, from_=COMMUNITY)

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
            placer.call_back(to=RESIDENT, from_=COMMUNITY)
        failures.append(caught.value)

    assert [(f.code, f.passing, f.number_at_fault) for f in failures] == [
        ("20429", True, False),
        ("20500", True, False),
        ("21211", False, True),
    ]
    refused = str(failures[2])
    assert refused.startswith("21211: ") and "Invalid 'To' Phone Number" in refused


def test_a_call_twilio_never_answered_is_a_passing_failure(fake: FakeTwilio):
    fake.queue(HANG)
    with pytest.raises(CallFailed) as caught:
        placer_for(fake, timeout=0.3).call_back(to=RESIDENT, from_=COMMUNITY)
    assert caught.value.passing and not caught.value.number_at_fault


def test_twilios_too_many_requests_code_passes_whatever_the_http_status():
    """The one rule for texts and calls alike: 429, 20429 and 5xx may pass; the rest are final."""
    assert is_passing(TwilioRestException(400, "/Calls.json", code=20429))
    assert is_passing(TwilioRestException(503, "/Calls.json", code=None))
    assert not is_passing(TwilioRestException(400, "/Calls.json", code=21217))


def test_the_console_dials_nobody():
    assert ConsoleCallPlacer().call_back(to=RESIDENT, from_=COMMUNITY) is None
