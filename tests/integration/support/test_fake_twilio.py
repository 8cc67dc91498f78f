"""The stand-in Twilio, driven through the real twilio client and its real request path."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from providers.twilio.client import PooledHttpClient, make_twilio_client
from tests.support.fake_twilio import TEST_NUMBERS, FakeTwilio, Incoming, count_segments

ACCOUNT_SID = "AC" + "a" * 32
AUTH_TOKEN = "test-token"
SENDER = "+862100000000"
RESIDENT = "+8613800000001"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as server:
        yield server


@pytest.fixture
def client(fake: FakeTwilio) -> Client:
    return make_twilio_client(ACCOUNT_SID, AUTH_TOKEN, api_base=fake.base_url)


def send(client: Client, to: str = RESIDENT, body: str = "订2号 3份") -> str:
    return client.messages.create(to=to, from_=SENDER, body=body).sid


def test_message_create_returns_sid_and_records_the_form(fake: FakeTwilio, client: Client) -> None:
    message = client.messages.create(
        to=RESIDENT, from_=SENDER, body="您的订单已确认", validity_period=3600
    )

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued"
    assert (message.to, message.from_, message.body) == (RESIDENT, SENDER, "您的订单已确认")
    assert message.num_segments == "1"
    assert message.account_sid == ACCOUNT_SID
    assert message.date_created is not None and message.date_created.tzinfo is not None
    [record] = fake.requests
    assert record.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert record.auth_user == ACCOUNT_SID
    assert record.form == {
        "To": RESIDENT,
        "From": SENDER,
        "Body": "您的订单已确认",
        "ValidityPeriod": "3600",
    }
    assert (record.sid, record.status, record.ok) == (message.sid, 201, True)
    assert fake.messages_to(RESIDENT) == [record]
    assert fake.bodies() == ["您的订单已确认"]


def test_opted_out_recipient_raises_21610(fake: FakeTwilio, client: Client) -> None:
    fake.on_to(RESIDENT, "21610")

    with pytest.raises(TwilioRestException) as raised:
        send(client)

    assert (raised.value.status, raised.value.code) == (400, 21610)
    assert "unsubscribed" in raised.value.msg
    assert fake.requests[0].sid is None
    assert fake.messages_to(RESIDENT) == []


@pytest.mark.parametrize("behaviour", ["21211", "21408", "21612", "21614", "21617"])
def test_permanent_errors_raise_with_their_code(
    fake: FakeTwilio, client: Client, behaviour: str
) -> None:
    fake.queue(behaviour)

    with pytest.raises(TwilioRestException) as raised:
        send(client)

    assert (raised.value.status, raised.value.code) == (400, int(behaviour))


@pytest.mark.parametrize(
    ("behaviour", "status", "code"), [("429", 429, 20429), ("500", 500, 20500)]
)
def test_retryable_errors_raise_with_their_status(
    fake: FakeTwilio, client: Client, behaviour: str, status: int, code: int
) -> None:
    fake.queue(behaviour, "ok")

    with pytest.raises(TwilioRestException) as raised:
        send(client)
    assert (raised.value.status, raised.value.code) == (status, code)

    assert send(client).startswith("SM")  # the queue is spent: the retry goes through
    assert [r.status for r in fake.requests] == [status, 201]


def test_twilio_test_numbers() -> None:
    with FakeTwilio(by_to=TEST_NUMBERS) as fake:
        client = make_twilio_client(ACCOUNT_SID, AUTH_TOKEN, api_base=fake.base_url)
        with pytest.raises(TwilioRestException) as raised:
            send(client, to="+15005550004")
        assert raised.value.code == 21610


def test_body_over_1600_chars_is_refused_like_twilio(client: Client) -> None:
    with pytest.raises(TwilioRestException) as raised:
        send(client, body="x" * 1601)
    assert raised.value.code == 21617


def test_wrong_auth_token_gets_20003(fake: FakeTwilio) -> None:
    client = make_twilio_client(ACCOUNT_SID, "wrong", api_base=fake.base_url)
    with pytest.raises(TwilioRestException) as raised:
        send(client)
    assert (raised.value.status, raised.value.code) == (401, 20003)


def test_calls_create(fake: FakeTwilio, client: Client) -> None:
    call = client.calls.create(
        to=RESIDENT, from_=SENDER, url="https://mianhua.example/voice/outbound"
    )

    assert call.sid.startswith("CA") and len(call.sid) == 34
    # twilio-python 9.13 names it from_ on MessageInstance but _from on CallInstance.
    assert (call.status, call.to, call._from) == ("queued", RESIDENT, SENDER)
    [record] = fake.requests
    assert record.kind == "call"
    assert record.form["Url"] == "https://mianhua.example/voice/outbound"


def test_hang_makes_the_client_time_out(fake: FakeTwilio) -> None:
    client = make_twilio_client(ACCOUNT_SID, AUTH_TOKEN, api_base=fake.base_url, timeout=0.3)
    fake.queue("hang")

    # Not a TwilioRestException: timeouts surface as requests' own exception.
    with pytest.raises(requests.exceptions.Timeout):
        send(client)

    assert fake.requests[0].behaviour == "hang" and fake.requests[0].status is None


def test_decider_and_random_failures_are_scriptable(fake: FakeTwilio, client: Client) -> None:
    fake.decide_with(lambda r: "21614" if r.form.get("Body") == "landline" else None)
    with pytest.raises(TwilioRestException):
        send(client, body="landline")

    fake.decide_with(None)
    fake.fail_randomly(1 / 3, "500", seed=7)
    outcomes = []
    for _ in range(30):
        try:
            send(client)
            outcomes.append("ok")
        except TwilioRestException as exc:
            outcomes.append(str(exc.status))
    assert 4 <= outcomes.count("500") <= 16
    assert outcomes.count("ok") + outcomes.count("500") == 30


def test_random_failures_repeat_with_the_same_seed() -> None:
    def run() -> list[int | None]:
        with FakeTwilio() as fake:
            fake.fail_randomly(0.5, "429", seed=3)
            local = make_twilio_client(ACCOUNT_SID, AUTH_TOKEN, api_base=fake.base_url)
            for _ in range(10):
                with contextlib.suppress(TwilioRestException):
                    send(local)
            return [r.status for r in fake.requests]

    assert run() == run()


def test_wait_for_sees_requests_from_other_threads(fake: FakeTwilio, client: Client) -> None:
    senders = [
        threading.Thread(target=send, args=(client, f"+86138000000{i:02}")) for i in range(5)
    ]
    for thread in senders:
        thread.start()

    records = fake.wait_for(5, timeout=5, where=lambda r: r.ok)

    assert len({r.sid for r in records}) == 5
    assert fake.count() == 5
    for thread in senders:
        thread.join()


def test_wait_for_fails_clearly(fake: FakeTwilio) -> None:
    with pytest.raises(AssertionError, match="got 0 matching request"):
        fake.wait_for(1, timeout=0.05)


def test_reset_forgets_requests_and_scripting(fake: FakeTwilio, client: Client) -> None:
    fake.on_to(RESIDENT, "21610")
    fake.queue("500")
    with pytest.raises(TwilioRestException):
        send(client)
    fake.reset()

    assert fake.count() == 0
    assert send(client).startswith("SM")


def test_decider_sees_the_request() -> None:
    seen: list[Incoming] = []
    with FakeTwilio() as fake:
        fake.decide_with(lambda r: seen.append(r))
        send(make_twilio_client(ACCOUNT_SID, AUTH_TOKEN, api_base=fake.base_url))
    assert seen[0].kind == "message" and seen[0].form["To"] == RESIDENT


def test_unknown_behaviour_is_refused(fake: FakeTwilio) -> None:
    with pytest.raises(ValueError, match="unknown behaviour"):
        fake.queue("21999")


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("中" * 70, 1),
        ("中" * 71, 2),
        ("中" * 134, 2),
        ("中" * 135, 3),
        ("a" * 160, 1),
        ("a" * 161, 2),
    ],
)
def test_segment_counts_match_twilio(body: str, segments: int) -> None:
    assert count_segments(body) == segments


def test_cli_prints_its_base_url() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fake_twilio", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        client = make_twilio_client(ACCOUNT_SID, AUTH_TOKEN, api_base=base_url)
        assert send(client).startswith("SM")
    finally:
        proc.terminate()
        proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()


def test_edge_and_region_hosts_are_redirected_too(
    fake: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The library reads TWILIO_EDGE / TWILIO_REGION itself and rewrites the host.
    monkeypatch.setenv("TWILIO_EDGE", "singapore")
    monkeypatch.setenv("TWILIO_REGION", "sg1")
    client = make_twilio_client(ACCOUNT_SID, AUTH_TOKEN, api_base=fake.base_url)
    assert send(client).startswith("SM")


def test_api_base_path_prefix_is_kept() -> None:
    http_client = PooledHttpClient(api_base="http://127.0.0.1:9/twilio/")
    assert (
        http_client.rewrite("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?x=1")
        == "http://127.0.0.1:9/twilio/2010-04-01/Accounts/AC1/Messages.json?x=1"
    )
    assert http_client.rewrite("https://example.com/a") == "https://example.com/a"


def test_empty_credentials_are_refused() -> None:
    # Client() would otherwise fall back to TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN silently.
    with pytest.raises(ValueError):
        make_twilio_client("", AUTH_TOKEN)
