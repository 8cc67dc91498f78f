"""POST /sms/inbound and /sms/status through Flask's test client, signed as Twilio signs."""

from __future__ import annotations

from rq import Queue
from sqlalchemy import func, select

from core.conversations.inbox import receive_text
from core.messages.models import Direction, Message
from core.messages.services import record_inbound
from core.ports.carriers import MAX_TEXT_CHARS
from core.ports.jobs import Queue as JobQueue
from core.residents.services import find_resident
from sms_gateway.jobs import enqueue_stale_texts
from tests.support.phone import COMMUNITY_PHONE, Sms, new_sid
from tests.support.twilio_signing import signed

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def message_count(core) -> int:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Message)) or 0


def test_a_text_is_answered_with_empty_twiml_and_the_reply_goes_to_the_outbox(sms, app_world):
    wang = app_world.resident("王芳")
    app_world.deal()
    sent = sms.send(wang.phone, "团购")
    assert sent.status == 200 and sent.twiml == EMPTY
    (reply,) = sms.outbound(wang.phone)
    assert reply.status in ("pending", "queued") and reply.kind == "reply" and not reply.inline
    assert "1号赵县雪花梨" in reply.body


def test_missing_forged_or_tampered_signatures_get_403_and_record_nothing(sms, app, app_world):
    wang = app_world.resident("王芳")
    client = app.test_client()
    params = {"MessageSid": new_sid(), "From": wang.phone, "To": COMMUNITY_PHONE, "Body": "1 2"}
    good = signed("/sms/inbound", params)
    assert client.post("/sms/inbound", data=params).status_code == 403
    forged = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    assert client.post("/sms/inbound", data=params, headers=forged).status_code == 403
    tampered = {**params, "Body": "1 9"}
    assert client.post("/sms/inbound", data=tampered, headers=good).status_code == 403
    other_token = signed("/sms/inbound", params, token="someone-else")
    assert client.post("/sms/inbound", data=params, headers=other_token).status_code == 403
    assert message_count(app_world.core) == 0


def test_a_text_to_a_number_that_is_no_community_is_refused(sms, app_world):
    wang = app_world.resident("王芳")
    assert sms.send(wang.phone, "团购", to="+8631100000000").status == 404
    assert message_count(app_world.core) == 0


def test_a_post_without_the_fields_twilio_always_sends_gets_400(app, app_world):
    params = {"Body": "1 2", "To": COMMUNITY_PHONE}
    response = app.test_client().post(
        "/sms/inbound", data=params, headers=signed("/sms/inbound", params)
    )
    assert response.status_code == 400
    assert message_count(app_world.core) == 0


def test_a_retried_message_sid_never_orders_twice(sms, app_world):
    app_world.deal()
    wang = app_world.resident("王芳")
    first = sms.send(wang.phone, "1 2")
    again = sms.send(wang.phone, "1 2", sid=first.sid)
    assert first.status == again.status == 200 and again.twiml == EMPTY
    confirmations = sms.new_replies(wang.phone)
    assert len(confirmations) == 1 and confirmations[0].startswith("已订1号")
    with app_world.core.db.transaction() as session:
        inbound = session.scalar(select(func.count()).where(Message.direction == Direction.INBOUND))
    assert inbound == 1


def test_a_retry_of_a_text_whose_first_request_died_is_read_then(sms, app_world):
    """Recorded and queued, then the worker died: Twilio's retry reads it, once."""
    app_world.deal()
    wang = app_world.resident("王芳")
    core = app_world.core
    sid = new_sid()
    text = record_inbound(
        core, community_id=app_world.community_id, phone=wang.phone, body="1 2", provider_sid=sid
    )
    receive_text(
        core,
        community_id=app_world.community_id,
        phone=wang.phone,
        message_id=text.message_id,
        received_at=core.now(),
    )
    assert sms.send(wang.phone, "1 2", sid=sid).status == 200
    assert [r[:4] for r in sms.new_replies(wang.phone)] == ["已订1号"]
    sms.send(wang.phone, "1 2", sid=sid)
    assert sms.new_replies(wang.phone) == []


def test_texts_of_one_phone_are_read_in_the_order_they_came(sms, app_world):
    """A "1" left waiting is read before the "2" that arrives next: 1 box... no, deal 1 × 2."""
    app_world.deal(limit=3)
    app_world.deal("东北大米", unit="袋")
    wang = app_world.resident("王芳")
    core = app_world.core
    waiting = record_inbound(
        core,
        community_id=app_world.community_id,
        phone=wang.phone,
        body="1",
        provider_sid=new_sid(),
    )
    receive_text(
        core,
        community_id=app_world.community_id,
        phone=wang.phone,
        message_id=waiting.message_id,
        received_at=core.now(),
    )
    sms.send(wang.phone, "2")
    question, confirmation = sms.new_replies(wang.phone)
    assert "赵县雪花梨" in question and "要几箱" in question
    assert confirmation.startswith("已订1号赵县雪花梨2箱")


def test_when_redis_is_down_the_reply_comes_back_inline_and_is_logged_so(
    sms, app_world, redis_server
):
    app_world.deal()
    wang = app_world.resident("王芳")
    redis_server.stop()
    try:
        listed = sms.send(wang.phone, "团购")
        ordered = sms.send(wang.phone, "1 2")
    finally:
        redis_server.start()
    assert "<Message>" in listed.twiml and "1号赵县雪花梨" in listed.twiml
    assert "<Message>已订1号赵县雪花梨2箱" in ordered.twiml
    reply, confirmation = sms.outbound(wang.phone)
    for message in (reply, confirmation):
        assert message.inline and message.status == "sent"
    # Back up: replies go through the queue again.
    assert sms.send(wang.phone, "我的").twiml == EMPTY


def test_an_unknown_number_is_told_whom_to_call_and_its_text_is_kept(sms, app_world):
    stranger = "+8613912345678"
    answer = sms.reply(stranger, "我要两箱梨")
    assert "还没登记" in answer and "138 0000 0000" in answer
    with app_world.core.db.transaction() as session:
        kept = session.scalar(
            select(Message).where(Message.phone == stranger, Message.direction == Direction.INBOUND)
        )
    assert kept.body == "我要两箱梨" and kept.resident_id is None


# --- status callbacks -------------------------------------------------------------


def _one_reply(sms: Sms, world) -> Message:  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    sms.send(wang.phone, "帮助")
    (reply,) = sms.outbound(wang.phone)
    return reply


def _status_of(world, message_id: int) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        message = session.get(Message, message_id)
        return message.status, message.error_code


def test_status_callbacks_only_move_forward_whatever_their_order(sms, app_world):
    reply = _one_reply(sms, app_world)
    sid = "SM" + "a" * 32
    query = f"m={reply.id}"
    assert sms.status({"MessageSid": sid, "MessageStatus": "delivered"}, query) == 204
    assert sms.status({"MessageSid": sid, "MessageStatus": "sent"}, query) == 204
    assert sms.status({"MessageSid": sid, "MessageStatus": "sending"}, query) == 204
    assert sms.status({"MessageSid": sid, "MessageStatus": "delivered"}, query) == 204
    assert _status_of(app_world, reply.id) == ("delivered", None)


def test_a_callback_without_our_id_finds_the_message_by_its_sid(sms, app_world):
    reply = _one_reply(sms, app_world)
    sid = "SM" + "b" * 32
    sms.status({"MessageSid": sid, "MessageStatus": "sent"}, f"m={reply.id}")  # learns the sid
    sms.status({"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003"})
    assert _status_of(app_world, reply.id) == ("undelivered", "30003")


def test_error_21610_marks_the_resident_opted_out(sms, app_world):
    reply = _one_reply(sms, app_world)
    params = {"MessageSid": "SM" + "c" * 32, "MessageStatus": "failed", "ErrorCode": "21610"}
    assert sms.status(params, f"m={reply.id}") == 204
    assert _status_of(app_world, reply.id) == ("failed", "21610")
    resident = find_resident(app_world.core, community_id=app_world.community_id, phone=reply.phone)
    assert resident is not None and resident.opted_out


def test_status_callbacks_that_make_no_sense_are_answered_calmly(sms, app, app_world):
    reply = _one_reply(sms, app_world)
    assert sms.status({"MessageSid": "SM" + "d" * 32, "MessageStatus": "delivered"}) == 204
    assert sms.status({"MessageSid": "SM" + "d" * 32, "MessageStatus": "exploded"}) == 204
    assert sms.status({"MessageSid": "SM" + "d" * 32}) == 400
    assert sms.status({"MessageStatus": "sent"}, "m=not-a-number") == 204
    unsigned = app.test_client().post(
        f"/sms/status?m={reply.id}", data={"MessageSid": "SMx", "MessageStatus": "delivered"}
    )
    assert unsigned.status_code == 403
    assert _status_of(app_world, reply.id) in (("pending", None), ("queued", None))


def test_the_webhook_records_and_queues_the_text_and_a_worker_reads_it(sms, app, app_world):
    wang = app_world.resident("王芳")
    app_world.deal()
    sent = sms.send(wang.phone, "团购", read=False)
    assert sent.status == 200 and sent.twiml == EMPTY
    inbox = Queue(JobQueue.INBOX, connection=app.extensions["mianhua"].redis)
    assert inbox.count == 1
    assert sms.new_replies(wang.phone) == []  # nothing read in the request itself
    sms.read_inbox()
    (reply,) = sms.new_replies(wang.phone)
    assert "1号赵县雪花梨" in reply


def test_a_text_whose_read_job_was_lost_is_read_after_the_housekeeping_sweep(
    sms, app, app_world, clock
):
    wang = app_world.resident("王芳")
    app_world.deal()
    mianhua = app.extensions["mianhua"]
    sms.send(wang.phone, "1 2", read=False)
    Queue(JobQueue.INBOX, connection=mianhua.redis).empty()  # Redis lost the job
    assert enqueue_stale_texts(mianhua.jobs, mianhua.core) == 0  # not stale yet
    clock.advance(minutes=3)
    assert enqueue_stale_texts(mianhua.jobs, mianhua.core) == 1
    sms.read_inbox()
    (confirmation,) = sms.new_replies(wang.phone)
    assert confirmation.startswith("已订1号赵县雪花梨2箱")


def test_a_body_is_kept_up_to_the_carriers_cap_without_its_nuls(sms, app_world):
    wang = app_world.resident("王芳")
    sms.send(wang.phone, "梨\x00" + "a" * 2000)
    with app_world.core.db.transaction() as session:
        kept = session.scalar(
            select(Message.body).where(
                Message.phone == wang.phone, Message.direction == Direction.INBOUND
            )
        )
    assert kept == ("梨" + "a" * 2000)[:MAX_TEXT_CHARS]
