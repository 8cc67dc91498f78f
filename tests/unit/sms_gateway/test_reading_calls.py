"""One text's reading is a few calls into the core, in one transaction: not a conversation
held in the channel, and not a transaction per call."""

from __future__ import annotations

import inspect

from sqlalchemy import func, select

import sms_gateway.conversation as conversation
from core.community.models import Community
from core.conversations.inbox import accept_text, pending_texts
from core.messages.models import Message, MessageKind
from core.orders.services import resident_orders
from sms_gateway.conversation import read_waiting_texts
from sms_gateway.replies import Replies

PHONE = "+8613900000001"


def transactions_to_read(core, world, monkeypatch, body: str, sid: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The core's transactions while one waiting text is read, each named by its caller."""
    accept_text(core, community_id=world.community_id, phone=PHONE, body=body, provider_sid=sid)
    with core.db.transaction() as session:
        community = session.get_one(Community, world.community_id)
    opened: list[str] = []
    real = core.db.transaction

    def counting():  # type: ignore[no-untyped-def]
        opened.append(inspect.stack()[1].function)
        return real()

    monkeypatch.setattr(core.db, "transaction", counting)
    assert read_waiting_texts(core, community, PHONE) == 1
    monkeypatch.setattr(core.db, "transaction", real)
    return opened


def outgoing(core, kind: MessageKind) -> list[str]:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        return list(
            session.scalars(select(Message.body).where(Message.kind == kind).order_by(Message.id))
        )


def test_an_order_text_is_read_and_answered_in_one_transaction(core, world, monkeypatch):
    world.deal()
    wang = world.resident("王芳", phone=PHONE)
    opened = transactions_to_read(core, world, monkeypatch, "订1号 两份", "SMreading1")
    # the phone's lock and its oldest waiting text; then the dialog, resident, deals and
    # orders, the order with its idempotency key and confirmation, the dialog moved on:
    # all one commit
    assert opened == ["phone_turn"]
    (order,) = resident_orders(core, community_id=world.community_id, phone=wang.phone)
    assert order.quantity == 2
    assert len(outgoing(core, MessageKind.CONFIRMATION)) == 1
    assert pending_texts(core, community_id=world.community_id, phone=PHONE) == []


def test_a_question_is_answered_from_what_the_reading_began_with(core, world, monkeypatch):
    world.deal()
    world.resident("王芳", phone=PHONE)
    opened = transactions_to_read(core, world, monkeypatch, "梨多少钱", "SMreading2")
    assert opened == ["phone_turn"]
    assert len(outgoing(core, MessageKind.REPLY)) == 1


def test_a_reading_that_fails_is_read_again_step_by_step_and_orders_once(
    core, world, monkeypatch
):
    world.deal()
    wang = world.resident("王芳", phone=PHONE)
    real_leave = conversation.leave

    def leave_failing_once(*args, **kwargs):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(conversation, "leave", real_leave)
        raise RuntimeError("the database went away as the reply was written")

    monkeypatch.setattr(conversation, "leave", leave_failing_once)
    opened = transactions_to_read(core, world, monkeypatch, "订1号 两份", "SMreading3")
    # rolled back whole (order and confirmation too), then read again, a step at a time,
    # once the text is seen still waiting
    assert opened == [
        "phone_turn", "pending_texts", "begin_reading", "run_once", "finish_reading"
    ]  # fmt: skip
    (order,) = resident_orders(core, community_id=world.community_id, phone=wang.phone)
    assert order.quantity == 2
    assert len(outgoing(core, MessageKind.CONFIRMATION)) == 1  # one order, one confirmation
    with core.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 2  # text, confirmation


def test_a_text_that_cannot_be_read_at_all_still_gets_an_apology(core, world, monkeypatch):
    world.deal()
    world.resident("王芳", phone=PHONE)

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug in the dialog")

    monkeypatch.setattr(conversation.patience, "respond", broken)
    opened = transactions_to_read(core, world, monkeypatch, "订1号 两份", "SMreading4")
    assert opened == ["phone_turn", "pending_texts", "begin_reading", "finish_reading"]
    with core.db.transaction() as session:
        community = session.get_one(Community, world.community_id)
    assert outgoing(core, MessageKind.REPLY) == [Replies("zh", community).error()]
    assert pending_texts(core, community_id=world.community_id, phone=PHONE) == []
