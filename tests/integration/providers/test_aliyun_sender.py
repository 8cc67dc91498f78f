"""Texts through Aliyun: the send job, the real SDK, the stand-in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.messages.models import Message, MessageKind, MessageStatus
from core.messages.services import queue_reply
from core.residents.models import Resident
from tests.integration.providers.conftest import SIGN, filed
from workers.delivery import deliver

REPLIES = {MessageKind.REPLY: ("SMS_100", ["content"])}


def row(rt, message_id: int) -> Message:  # type: ignore[no-untyped-def]
    with rt.core.db.transaction() as session:
        return session.get_one(Message, message_id)


def reply(rt, world, phone: str, body: str = "好的，已收到。") -> int:  # type: ignore[no-untyped-def]
    message = queue_reply(rt.core, community_id=world.community_id, phone=phone, body=body)
    return message.id


def test_a_reply_goes_out_as_the_filed_template_with_our_outbox_id(aliyun_rt, clock, fake_aliyun):
    world = filed(aliyun_rt, clock, "aliyun", REPLIES)
    wang = world.resident()
    message_id = reply(aliyun_rt, world, wang.phone)
    assert deliver(aliyun_rt, message_id).startswith("sent")
    [sent] = fake_aliyun.sent_to(wang.phone)
    assert (sent.sign_name, sent.template_code) == (SIGN, "SMS_100")
    assert sent.params == {"content": "好的，已收到。"} and sent.out_id == str(message_id)
    assert sent.phone == wang.phone.removeprefix("+86")
    stored = row(aliyun_rt, message_id)
    assert stored.status == MessageStatus.SENT and stored.provider_sid == sent.biz_id
    assert deliver(aliyun_rt, message_id) == "nothing to do (sent)"
    assert len(fake_aliyun.sent) == 1


def test_a_kind_with_no_template_filed_fails_and_sends_nothing(aliyun_rt, clock, fake_aliyun):
    world = filed(aliyun_rt, clock, "aliyun", {})
    message_id = reply(aliyun_rt, world, world.resident().phone)
    assert deliver(aliyun_rt, message_id) == "failed (cn_tmpl)"
    assert "no Aliyun template filed" in (row(aliyun_rt, message_id).error_detail or "")
    assert fake_aliyun.requests == []


def test_the_daily_cap_fails_at_once_and_keeps_aliyuns_words(aliyun_rt, clock, fake_aliyun):
    world = filed(aliyun_rt, clock, "aliyun", REPLIES)
    wang = world.resident()
    fake_aliyun.daily_limit = 1
    assert deliver(aliyun_rt, reply(aliyun_rt, world, wang.phone)).startswith("sent")
    capped = reply(aliyun_rt, world, wang.phone, body="第二条")
    assert deliver(aliyun_rt, capped) == "failed (cn_cap)"
    stored = row(aliyun_rt, capped)
    assert stored.status == MessageStatus.FAILED
    assert stored.error_detail.startswith("isv.BUSINESS_LIMIT_CONTROL")


def test_an_illegal_number_is_remembered_on_the_resident(aliyun_rt, clock, fake_aliyun):
    world = filed(aliyun_rt, clock, "aliyun", REPLIES)
    wang = world.resident()
    fake_aliyun.on_number(wang.phone, "isv.MOBILE_NUMBER_ILLEGAL")
    assert deliver(aliyun_rt, reply(aliyun_rt, world, wang.phone)) == "failed (cn_number)"
    with aliyun_rt.core.db.transaction() as session:
        assert session.get_one(Resident, wang.id).phone_problem == "invalid_number"


def test_flow_control_is_retried_later(aliyun_rt, clock, fake_aliyun):
    world = filed(aliyun_rt, clock, "aliyun", REPLIES)
    wang = world.resident()
    message_id = reply(aliyun_rt, world, wang.phone)
    fake_aliyun.queue("Throttling.User")
    assert deliver(aliyun_rt, message_id).startswith("retry at")
    assert row(aliyun_rt, message_id).error_code == "throttled"
    clock.advance(seconds=61)
    assert deliver(aliyun_rt, message_id).startswith("sent")
    assert len(fake_aliyun.sent_to(wang.phone)) == 1


@pytest.mark.slow  # waits out a request timeout
def test_after_a_lost_answer_the_retry_finds_the_text_instead_of_sending_twice(
    aliyun_rt, clock, fake_aliyun
):
    world = filed(aliyun_rt, clock, "aliyun", REPLIES)
    wang = world.resident()
    message_id = reply(aliyun_rt, world, wang.phone)
    fake_aliyun.answer_late()
    assert deliver(aliyun_rt, message_id).startswith("retry at")
    assert row(aliyun_rt, message_id).error_code == "timeout"
    clock.advance(seconds=61)
    assert deliver(aliyun_rt, message_id).startswith("found sent")
    assert len(fake_aliyun.sent_to(wang.phone)) == 1
    # Asked about the day it was written and today (the test's clock is not today's).
    actions = [r.action for r in fake_aliyun.requests]
    assert actions[0] == "SendSms" and set(actions[1:]) == {"QuerySendDetails"}


def test_a_landline_reminder_call_without_a_tts_template_is_refused_plainly(
    aliyun_rt, clock, fake_aliyun
):
    from core.community.models import Community
    from core.messages.outbox import queue_message

    world = filed(aliyun_rt, clock, "aliyun", REPLIES)
    li = world.resident("李伯", landline=True)
    with aliyun_rt.core.db.transaction() as session:
        call = queue_message(
            session,
            community=session.get_one(Community, world.community_id),
            resident=session.get_one(Resident, li.id),
            body="明天上午9点取梨",
            kind=MessageKind.REMINDER,
            now=aliyun_rt.core.now() + timedelta(hours=0),
        )
        call_id = call.id
    assert deliver(aliyun_rt, call_id) == "failed (cn_tmpl)"
    assert fake_aliyun.requests == []
