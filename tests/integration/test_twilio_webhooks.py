"""The signature check every Twilio-facing route uses."""

from __future__ import annotations

import pytest
from flask import Flask

from core.settings import DEV_AUTH_TOKEN, load_settings
from providers.twilio.signature import require_twilio_signature, verification
from tests.support.twilio_signing import twilio_signature

TOKEN = "12345"
BASE = "https://mianhua.example.org"


class FakeMianhua:
    def __init__(self, **env: str) -> None:
        self.settings = load_settings(
            {"MIANHUA_ENV": "test", "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": BASE, **env}
        )


@pytest.fixture
def client():  # type: ignore[no-untyped-def]
    app = Flask(__name__)
    app.extensions["mianhua"] = FakeMianhua()

    @app.post("/hook")
    @require_twilio_signature
    def hook():  # type: ignore[no-untyped-def]
        return "ok"

    return app.test_client()


def sign(url: str, params: dict[str, str]) -> str:
    return twilio_signature(url, params, TOKEN)


def test_the_library_test_vector_holds():
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert sign(url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_a_signed_request_passes(client):
    params = {"From": "+8613800138001", "Body": "订2号 三份", "MessageSid": "SM1"}
    headers = {"X-Twilio-Signature": sign(f"{BASE}/hook", params)}
    assert client.post("/hook", data=params, headers=headers).status_code == 200


def test_the_raw_query_string_is_what_counts(client):
    params = {"Digits": "1"}
    url = f"{BASE}/hook?step=menu&name=%27x%27"
    headers = {"X-Twilio-Signature": sign(url, params)}
    response = client.post("/hook?step=menu&name=%27x%27", data=params, headers=headers)
    assert response.status_code == 200


def test_missing_forged_or_tampered_signatures_get_403(client):
    params = {"From": "+8613800138001", "Body": "2 3"}
    good = sign(f"{BASE}/hook", params)
    assert client.post("/hook", data=params).status_code == 403
    assert client.post("/hook", data=params, headers={"X-Twilio-Signature": "x"}).status_code == 403
    tampered = {**params, "Body": "2 30"}
    assert (
        client.post("/hook", data=tampered, headers={"X-Twilio-Signature": good}).status_code == 403
    )


def _judged(mianhua: FakeMianhua, headers: dict[str, str], remote: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    app = Flask(__name__)
    app.extensions["mianhua"] = mianhua
    params = {"From": "+8613800138001", "Body": "1 2"}
    with app.test_request_context(
        "/hook", method="POST", data=params, headers=headers, environ_base={"REMOTE_ADDR": remote}
    ):
        return verification()


def test_the_verification_says_how_a_request_was_taken_for_the_spool_to_record():
    params = {"From": "+8613800138001", "Body": "1 2"}
    signed = {"X-Twilio-Signature": sign(f"{BASE}/hook", params)}
    taken = _judged(FakeMianhua(), signed)
    assert (taken.accepted, taken.by) == (True, "twilio-signature")
    unchecked = _judged(FakeMianhua(TWILIO_VALIDATE_SIGNATURES="0"), {})
    assert (unchecked.accepted, unchecked.by) == (True, "unchecked (setting)")
    refused = _judged(FakeMianhua(), {"X-Twilio-Signature": "x"})
    assert not refused.accepted and "X-Twilio-Signature" in refused.refusal


def test_the_public_development_token_is_refused_from_afar():
    params = {"From": "+8613800138001", "Body": "1 2"}
    dev = FakeMianhua(TWILIO_AUTH_TOKEN=DEV_AUTH_TOKEN)
    headers = {"X-Twilio-Signature": twilio_signature(f"{BASE}/hook", params, DEV_AUTH_TOKEN)}
    assert _judged(dev, headers).accepted
    far = _judged(dev, headers, remote="203.0.113.9")
    assert not far.accepted and "development token" in far.refusal
