"""Replies and receipts pushed by Aliyun and Tencent: the same inbox, reader and status
machine as Twilio's texts, once however often pushed, and only with the community's key."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.carriers.services import account_of, rotate_push_key, set_account
from core.messages.models import Direction, Message, MessageStatus
from core.messages.services import queue_reply
from core.orders.services import resident_orders
from sms_gateway.jobs import enqueue_stale_texts
from tests.builders import World
from tests.support.inbox import read_inbox
from tests.support.mainland_phone import MainlandPhone

ANSWERS = {"aliyun": {"code": 0, "msg": "接收成功"}, "tencent": {"result": 0, "errmsg": "OK"}}


@pytest.fixture(params=["aliyun", "tencent"])
def provider(request) -> str:  # type: ignore[no-untyped-def]
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def phone(app, app_world: World, provider: str) -> MainlandPhone:  # type: ignore[no-untyped-def]
    account = set_account(
        app_world.core,
        community_id=app_world.community_id,
        provider=provider,
        sign_name="幸福里社区",
    )
    return MainlandPhone(app.test_client(), provider, account.push_key)


def texts_from(world: World, number: str) -> list[Message]:
    with world.core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message).where(
                    Message.phone == number, Message.direction == Direction.INBOUND
                )
            )
        )


def replies_to(world: World, number: str) -> list[str]:
    with world.core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message.body)
                .where(Message.phone == number, Message.direction == Direction.OUTBOUND)
                .order_by(Message.id)
            )
        )


def test_an_order_by_a_pushed_reply_is_placed_and_confirmed(app_world, phone, provider):
    app_world.deal(limit=3)
    wang = app_world.resident("王芳")
    pushed = phone.send(wang.phone, "订1号 两份")
    assert (pushed.status, pushed.answer) == (200, ANSWERS[provider])
    orders = resident_orders(app_world.core, community_id=app_world.community_id, phone=wang.phone)
    assert [o.quantity for o in orders] == [2]
    [confirmation] = replies_to(app_world, wang.phone)
    assert confirmation.startswith("已订1号")


def test_a_repeated_push_is_recorded_once(app_world, phone):
    app_world.deal(limit=3)
    wang = app_world.resident("王芳")
    push = phone.reply_push(wang.phone, "订1号 一份")
    assert phone.post("inbound", push).status == 200
    assert phone.post("inbound", push).status == 200  # the provider pushed again
    phone.send(wang.phone, "谢谢", read=True)
    assert [t.body for t in texts_from(app_world, wang.phone)] == ["订1号 一份", "谢谢"]
    orders = resident_orders(app_world.core, community_id=app_world.community_id, phone=wang.phone)
    assert [o.quantity for o in orders] == [1]


def test_a_wrong_or_missing_key_is_refused_and_records_nothing(app_world, phone):
    wang = app_world.resident("王芳")
    push = phone.reply_push(wang.phone, "订1号 一份")
    assert phone.post("inbound", push, key="not-the-key").status == 403
    assert phone.post("inbound", push, key="").status == 403
    assert phone.post("report", [], key="not-the-key").status == 403
    assert texts_from(app_world, wang.phone) == []


def test_a_rotated_key_stops_the_old_one_at_once(app_world, phone, provider):
    wang = app_world.resident("王芳")
    rotated = rotate_push_key(
        app_world.core, community_id=app_world.community_id, provider=provider
    )
    assert rotated is not None and rotated.push_key != phone.key
    assert phone.send(wang.phone, "你好").status == 403
    assert (
        phone.post("inbound", phone.reply_push(wang.phone, "你好"), key=rotated.push_key).status
        == 200
    )


def test_a_push_not_in_the_providers_shape_is_a_400(app_world, phone):
    assert phone.post("inbound", b"{not json").status == 400
    assert phone.post("inbound", {"unexpected": True}).status == 400
    assert phone.post("report", [{"phone_number": "13800000001"}]).status == 400


def test_receipts_move_the_message_forward_once(app_world, phone):
    wang, li = app_world.resident("王芳"), app_world.resident("李明")
    good = queue_reply(
        app_world.core, community_id=app_world.community_id, phone=wang.phone, body="好"
    )
    bad = queue_reply(
        app_world.core, community_id=app_world.community_id, phone=li.phone, body="好"
    )
    with app_world.core.db.transaction() as session:
        for message_id in (good.id, bad.id):
            session.get_one(Message, message_id).status = MessageStatus.SENT
    assert phone.receipt(good.id, wang.phone, delivered=True).status == 200
    assert phone.receipt(good.id, wang.phone, delivered=True).status == 200  # repeated
    assert phone.receipt(bad.id, li.phone, delivered=False).status == 200
    with app_world.core.db.transaction() as session:
        assert session.get_one(Message, good.id).status == MessageStatus.DELIVERED
        failed = session.get_one(Message, bad.id)
        assert (failed.status, failed.error_code) == (MessageStatus.UNDELIVERED, "MK:0001")


def test_a_key_moves_only_its_own_communitys_messages(app, app_world, clock, phone, provider):
    other = World(app_world.core, clock, phone="+8631188887777", name="和平里社区")
    zhao = other.resident("赵亮")
    theirs = queue_reply(other.core, community_id=other.community_id, phone=zhao.phone, body="好")
    with app_world.core.db.transaction() as session:
        session.get_one(Message, theirs.id).status = MessageStatus.SENT
    assert phone.receipt(theirs.id, zhao.phone, delivered=False).status == 200
    with app_world.core.db.transaction() as session:
        assert session.get_one(Message, theirs.id).status == MessageStatus.SENT
    assert account_of(app_world.core, community_id=other.community_id, provider=provider) is None


def test_with_the_queue_down_a_pushed_reply_waits_for_the_sweep_not_the_request(
    app, app_world, phone, provider, redis_server, clock
):
    """A push's answer can carry no text back (unlike Twilio's TwiML), so the reply is
    recorded and read once the queue is back, never answered in the request."""
    app_world.deal(limit=3)
    wang = app_world.resident("王芳")
    redis_server.stop()
    try:
        pushed = phone.send(wang.phone, "订1号 两份", read=False)
    finally:
        redis_server.start()
    assert (pushed.status, pushed.answer) == (200, ANSWERS[provider])
    assert [t.body for t in texts_from(app_world, wang.phone)] == ["订1号 两份"]
    assert replies_to(app_world, wang.phone) == []
    mianhua = app.extensions["mianhua"]
    clock.advance(minutes=3)
    assert enqueue_stale_texts(mianhua.jobs, mianhua.core) == 1
    read_inbox(mianhua)
    [confirmation] = replies_to(app_world, wang.phone)
    assert confirmation.startswith("已订1号")
