"""Texts through Tencent Cloud: the send job, the real SDK, the stand-in."""

from __future__ import annotations

import pytest

from core.messages.models import Message, MessageKind, MessageStatus
from core.messages.services import queue_reply
from core.residents.models import Resident
from tests.integration.providers.conftest import SIGN, filed
from workers.delivery import deliver

REPLIES = {MessageKind.REPLY: ("1002", ["community", "content"])}


def row(rt, message_id: int) -> Message:  # type: ignore[no-untyped-def]
    with rt.core.db.transaction() as session:
        return session.get_one(Message, message_id)


def reply(rt, world, phone: str, body: str = "好的，已收到。") -> int:  # type: ignore[no-untyped-def]
    return queue_reply(rt.core, community_id=world.community_id, phone=phone, body=body).id


def test_a_reply_goes_out_with_its_variables_in_order_and_our_session_context(
    tencent_rt, clock, fake_tencent
):
    world = filed(tencent_rt, clock, "tencent", REPLIES)
    wang = world.resident()
    message_id = reply(tencent_rt, world, wang.phone)
    assert deliver(tencent_rt, message_id).startswith("sent")
    [sent] = fake_tencent.sent_to(wang.phone)
    assert (sent.sign_name, sent.template_id) == (SIGN, "1002")
    assert sent.params == ("幸福里社区", "好的，已收到。")
    assert sent.session_context == str(message_id)
    stored = row(tencent_rt, message_id)
    assert stored.status == MessageStatus.SENT and stored.provider_sid == sent.serial_no


def test_the_daily_limit_of_a_number_fails_at_once(tencent_rt, clock, fake_tencent):
    world = filed(tencent_rt, clock, "tencent", REPLIES)
    wang = world.resident()
    fake_tencent.daily_limit = 1
    assert deliver(tencent_rt, reply(tencent_rt, world, wang.phone)).startswith("sent")
    capped = reply(tencent_rt, world, wang.phone, body="第二条")
    assert deliver(tencent_rt, capped) == "failed (cn_cap)"
    assert row(tencent_rt, capped).error_detail.startswith("LimitExceeded.PhoneNumberDailyLimit")


def test_a_number_on_the_blacklist_is_taken_as_opted_out(tencent_rt, clock, fake_tencent):
    world = filed(tencent_rt, clock, "tencent", REPLIES)
    wang = world.resident()
    fake_tencent.on_number(wang.phone, "FailedOperation.PhoneNumberInBlacklist")
    assert deliver(tencent_rt, reply(tencent_rt, world, wang.phone)) == "failed (cn_blocked)"
    with tencent_rt.core.db.transaction() as session:
        assert session.get_one(Resident, wang.id).opted_out


def test_request_limits_are_retried_and_bad_credentials_are_not(tencent_rt, clock, fake_tencent):
    world = filed(tencent_rt, clock, "tencent", REPLIES)
    wang = world.resident()
    throttled = reply(tencent_rt, world, wang.phone)
    fake_tencent.queue("RequestLimitExceeded")
    assert deliver(tencent_rt, throttled).startswith("retry at")
    refused = reply(tencent_rt, world, wang.phone, body="第二条")
    fake_tencent.queue("AuthFailure.SignatureFailure")
    assert deliver(tencent_rt, refused) == "failed (cn_auth)"
    clock.advance(seconds=61)
    assert deliver(tencent_rt, throttled).startswith("sent")


def test_a_template_tencent_refuses_fails_without_retrying(tencent_rt, clock, fake_tencent):
    world = filed(tencent_rt, clock, "tencent", {MessageKind.REPLY: ("9999", ["content"])})
    message_id = reply(tencent_rt, world, world.resident().phone)
    assert deliver(tencent_rt, message_id) == "failed (cn_tmpl)"
    assert fake_tencent.sent == []


@pytest.mark.slow  # waits out a request timeout
def test_after_a_lost_answer_the_receipt_shows_it_went(tencent_rt, clock, fake_tencent):
    world = filed(tencent_rt, clock, "tencent", REPLIES)
    wang = world.resident()
    message_id = reply(tencent_rt, world, wang.phone)
    fake_tencent.answer_late()
    assert deliver(tencent_rt, message_id).startswith("retry at")
    [sent] = fake_tencent.sent_to(wang.phone)
    fake_tencent.settle(sent.serial_no, delivered=True)
    clock.advance(seconds=61)
    assert deliver(tencent_rt, message_id) == f"found sent ({sent.serial_no})"
    assert len(fake_tencent.sent_to(wang.phone)) == 1


@pytest.mark.slow  # waits out a request timeout
def test_no_receipt_yet_after_a_lost_answer_waits_rather_than_sends_twice(
    tencent_rt, clock, fake_tencent
):
    """Tencent's lookup sees a text only once its receipt came: a text on its way is not
    sent again while its receipt may still come; past that patience it is."""
    world = filed(tencent_rt, clock, "tencent", REPLIES)
    wang = world.resident()
    message_id = reply(tencent_rt, world, wang.phone)
    fake_tencent.answer_late()
    assert deliver(tencent_rt, message_id).startswith("retry at")
    clock.advance(seconds=61)
    assert deliver(tencent_rt, message_id).startswith("retry at")  # asked, and waits
    assert len(fake_tencent.sent_to(wang.phone)) == 1
    [sent] = fake_tencent.sent_to(wang.phone)
    fake_tencent.settle(sent.serial_no, delivered=True)
    clock.advance(seconds=61)
    assert deliver(tencent_rt, message_id) == f"found sent ({sent.serial_no})"
    assert len(fake_tencent.sent_to(wang.phone)) == 1


@pytest.mark.slow  # waits out a request timeout
def test_a_lost_attempt_with_no_receipt_at_all_is_sent_again_after_the_patience(
    tencent_rt, clock, fake_tencent
):
    world = filed(tencent_rt, clock, "tencent", REPLIES)
    wang = world.resident()
    message_id = reply(tencent_rt, world, wang.phone)
    fake_tencent.answer_late()
    assert deliver(tencent_rt, message_id).startswith("retry at")
    clock.advance(minutes=11)
    assert deliver(tencent_rt, message_id).startswith("sent")
    assert len(fake_tencent.sent_to(wang.phone)) == 2  # the lost one did go: said in the docs
