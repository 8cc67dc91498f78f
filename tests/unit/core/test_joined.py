"""core.joined: use cases run in one transaction keep their meaning, or roll it back whole."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.community.models import Community
from core.joined import SpoiledReading, ensure_whole, joined
from core.messages.models import Message, MessageKind, MessageStatus
from core.messages.outbox import queue_message
from core.messages.sending import claim
from core.orders.services import place_order, resident_orders


def test_use_cases_joined_commit_together_and_announce_after_the_commit(core, world):
    deal = world.deal(limit=5)
    wang = world.resident("王芳")
    announced: list[list[int]] = []
    core.db.outbox_listeners.append(lambda got: announced.append([e.message_id for e in got]))
    with core.db.transaction() as session:
        inside = joined(core, session)
        placed = place_order(
            inside, community_id=world.community_id, phone=wang.phone,
            deal_number=deal.number, quantity=2, channel="sms", idempotency_key="SMjoined1",
        )  # fmt: skip
        assert placed
        assert announced == []  # the confirmation waits for the outer commit
    (confirmation,) = announced
    assert len(confirmation) == 1
    (order,) = resident_orders(core, community_id=world.community_id, phone=wang.phone)
    assert order.quantity == 2


def test_a_joined_use_case_that_raises_spoils_the_whole_transaction(core, world):
    """Whatever its caller makes of the exception, the text's transaction cannot commit
    the half a failed use case wrote: it is rolled back whole, and nothing announced."""
    wang = world.resident("王芳")
    announced: list[object] = []
    core.db.outbox_listeners.append(announced.append)

    def write(session, body: str) -> None:  # type: ignore[no-untyped-def]
        queue_message(
            session, community=session.get_one(Community, world.community_id), resident=None,
            phone=wang.phone, body=body, kind=MessageKind.REPLY, now=core.now(),
        )  # fmt: skip

    with pytest.raises(SpoiledReading), core.db.transaction() as session:
        inside = joined(core, session)
        with inside.db.transaction() as kept:
            write(kept, "written before")
        with pytest.raises(RuntimeError), inside.db.transaction() as failed:
            write(failed, "half written")
            raise RuntimeError("the use case failed after writing")
        ensure_whole(session)  # the caller carried on: the reader's last word refuses
    with core.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0
    assert announced == []


def test_a_whole_reading_commits(core, world):
    wang = world.resident("王芳")
    with core.db.transaction() as session:
        inside = joined(core, session)
        with inside.db.transaction() as kept:
            queue_message(
                kept, community=kept.get_one(Community, world.community_id), resident=None,
                phone=wang.phone, body="kept", kind=MessageKind.REPLY, now=core.now(),
            )  # fmt: skip
        ensure_whole(session)
    with core.db.transaction() as session:
        bodies = session.scalars(select(Message.body).where(Message.kind == MessageKind.REPLY))
        assert list(bodies) == ["kept"]


def test_the_same_idempotency_key_joined_twice_acts_once(core, world):
    deal = world.deal(limit=5)
    wang = world.resident("王芳")
    with core.db.transaction() as session:
        inside = joined(core, session)
        for quantity in (2, 4):
            place_order(
                inside, community_id=world.community_id, phone=wang.phone,
                deal_number=deal.number, quantity=quantity, channel="sms",
                idempotency_key="SMjoined2",
            )  # fmt: skip
    (order,) = resident_orders(core, community_id=world.community_id, phone=wang.phone)
    assert order.quantity == 2  # the second call found the first's result under its key


def test_a_one_statement_write_joined_is_part_of_the_outer_transaction(core, world):
    """`one_statement` is the autocommit pool's on PostgreSQL: joined, it must not escape
    the text's transaction, and goes back with it."""
    wang = world.resident("王芳")
    with core.db.transaction() as session:
        message = queue_message(
            session, community=session.get_one(Community, world.community_id), resident=None,
            phone=wang.phone, body="明早取梨", kind=MessageKind.REPLY, now=core.now(),
        )  # fmt: skip
        assert message is not None
        session.flush()
        message_id = message.id

    with pytest.raises(RuntimeError), core.db.transaction() as session:
        inside = joined(core, session)
        assert claim(inside, message_id)
        assert session.get_one(Message, message_id, populate_existing=True).status == "sending"
        raise RuntimeError("the reading failed after the claim")

    with core.db.transaction() as session:
        assert session.get_one(Message, message_id).status == MessageStatus.PENDING
    assert claim(core, message_id)  # outside, a statement of its own, kept at once
    assert not claim(core, message_id)
