"""Twilio's edge on its own: the one table of refusals, and its forms read into our values."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException

from core.messages.models import MessageStatus
from core.settings import load_settings
from providers.registry import make_sender, send_timeout, spool_handlers
from providers.twilio.errors import call_failure, is_passing, send_failure
from providers.twilio.sms_forms import read_status, read_text
from spool.records import (
    CALL_STATUS,
    CALLBACK_REQUEST,
    REMINDER_CALL_STATUS,
    SMS_INBOUND,
    SMS_STATUS,
)


def refusal(status: int, code: int | None) -> TwilioRestException:
    return TwilioRestException(status, "https://api.twilio.com/x", msg="refused", code=code)


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, 20429), (400, 20429), (429, None), (500, 20500), (503, None)],
)
def test_too_many_requests_and_twilio_failing_pass_for_texts_and_calls_alike(status, code):
    exc = refusal(status, code)
    assert is_passing(exc)
    assert send_failure(exc).transient
    failed = call_failure(exc)
    assert failed.transient and not failed.number_refused


@pytest.mark.parametrize("code", [21610, 21211, 21614, 21408, 21612, 21617])
def test_the_refusals_no_retry_can_change_fail_at_once(code):
    failure = send_failure(refusal(400, code))
    assert not failure.transient and failure.code == str(code)


def test_a_number_twilio_blames_is_known_as_such_on_a_call_back():
    assert call_failure(refusal(400, 21211)).number_refused
    assert call_failure(refusal(400, 13224)).number_refused
    assert not call_failure(refusal(400, 21610)).number_refused


def test_a_text_form_needs_the_fields_twilio_always_sends():
    full = {"MessageSid": "SM1", "From": "13800138001", "To": "+8631188886666", "Body": "1 2"}
    text = read_text(full)
    assert text is not None
    assert (text.sid, text.phone, text.to, text.body) == (
        "SM1",
        "+8613800138001",
        "+8631188886666",
        "1 2",
    )
    older = read_text({**full, "MessageSid": "", "SmsSid": "SM2"})
    assert older is not None and older.sid == "SM2"
    for missing in ("MessageSid", "From", "To"):
        assert read_text({k: v for k, v in full.items() if k != missing}) is None
    inbound = text.inbound(7)
    assert (inbound.community_id, inbound.provider_sid, inbound.spooled_at) == (7, "SM1", None)


def test_a_sender_that_is_no_phone_is_kept_as_twilio_gave_it():
    text = read_text({"MessageSid": "SM1", "From": "TWILIO-TEST" * 10, "To": "+8631188886666"})
    assert text is not None and text.phone == ("TWILIO-TEST" * 10)[:40]


def test_a_status_callback_speaks_our_status_or_none():
    sid = {"MessageSid": "SM1"}
    delivered = read_status({**sid, "MessageStatus": "Delivered"}, "12")
    assert delivered is not None
    assert (delivered.status, delivered.message_id) == (MessageStatus.DELIVERED, 12)
    for word in ("accepted", "scheduled", "read", "received", "exploded"):
        report = read_status({**sid, "MessageStatus": word}, None)
        assert report is not None and report.status is None
    failed = read_status({**sid, "SmsStatus": "failed", "ErrorCode": "30003" * 4}, None)
    assert failed is not None and failed.error_code == "3000330003"
    huge = read_status({**sid, "MessageStatus": "sent"}, "9" * 40)
    assert huge is not None and huge.message_id is None  # no id of ours is that long
    assert read_status(sid, "12") is None  # no status
    assert read_status({"MessageStatus": "sent"}, None) is None  # no message at all


def test_the_registry_builds_the_sender_settings_name():
    base = {"MIANHUA_ENV": "test", "SEND_STUCK_AFTER_SECONDS": "3"}
    assert make_sender(load_settings(base)).name == "console"
    twilio = load_settings(
        {
            **base,
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_AUTH_TOKEN": "token",
            "TWILIO_FROM_NUMBER": "+8631188886666",
        }
    )
    assert twilio.sms_sender == "twilio" and make_sender(twilio).name == "twilio"
    # A request must end well inside the sweep's patience (3 s here).
    assert send_timeout(twilio) == 1.0
    assert send_timeout(load_settings({"MIANHUA_ENV": "test"})) == 10.0


def test_every_request_a_provider_route_may_spool_has_a_handler():
    handlers = spool_handlers()
    twilio = {SMS_INBOUND, SMS_STATUS, CALL_STATUS, REMINDER_CALL_STATUS, CALLBACK_REQUEST}
    assert {kind for provider, kind in handlers if provider == "twilio"} == twilio
    for mainland in ("aliyun", "tencent"):
        assert {kind for provider, kind in handlers if provider == mainland} == {
            SMS_INBOUND,
            SMS_STATUS,
            REMINDER_CALL_STATUS,  # their voice notifications' call receipts
        }
