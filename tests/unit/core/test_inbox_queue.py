"""core.conversations.inbox as the webhook's one insert and the readers' queue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.conversations.inbox import _INSERT_MESSAGE, accept_text, claim_waiting, pending_texts
from core.conversations.models import InboxText
from core.conversations.reading import finish_reading
from core.conversations.services import Dialog
from core.messages.models import Direction, Message, MessageKind, MessageStatus

LEASE = timedelta(minutes=1)


def accept(core, world, phone: str, body: str, sid: str, **extra):  # type: ignore[no-untyped-def]
    return accept_text(
        core, community_id=world.community_id, phone=phone, body=body, provider_sid=sid, **extra
    )


def rows_of(core, sid: str):  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        return session.execute(
            select(Message, InboxText)
            .join(InboxText, InboxText.message_id == Message.id)
            .where(Message.provider_sid == sid)
        ).all()


def read(core, world, phone: str, message_id: int) -> None:  # type: ignore[no-untyped-def]
    finish_reading(
        core,
        community_id=world.community_id,
        phone=phone,
        message_id=message_id,
        dialog=Dialog(),
        outcome="test",
        reply=None,
    )


def test_a_text_is_recorded_with_its_inbox_entry_and_its_resident(core, world, clock):
    wang = world.resident("王芳")
    accepted = accept(core, world, wang.phone, "订2号 三份", "SM1")
    assert accepted.is_new and accepted.waiting
    ((message, entry),) = rows_of(core, "SM1")
    assert message.id == accepted.message_id == entry.message_id
    assert (message.direction, message.kind, message.status) == (
        Direction.INBOUND,
        MessageKind.INBOUND,
        MessageStatus.RECEIVED,
    )
    assert (message.resident_id, message.body, message.segments) == (wang.id, "订2号 三份", 1)
    assert message.created_at == entry.received_at == clock()
    assert (entry.community_id, entry.phone, entry.handled_at, entry.claimed_at) == (
        world.community_id,
        wang.phone,
        None,
        None,
    )


def test_a_stranger_and_a_number_that_is_no_phone_are_recorded_without_a_resident(core, world):
    accept(core, world, "+8613911112222", "你好", "SM1")
    accept(core, world, "10086", "话费余额", "SM2")
    assert [m.resident_id for m, _entry in rows_of(core, "SM1") + rows_of(core, "SM2")] == [
        None,
        None,
    ]


def test_a_retried_text_is_recorded_once_and_says_where_it_stands(core, world):
    wang = world.resident("王芳")
    first = accept(core, world, wang.phone, "2 3", "SM1")
    again = accept(core, world, wang.phone, "2 3", "SM1")
    assert (again.message_id, again.is_new, again.waiting) == (first.message_id, False, True)
    read(core, world, wang.phone, first.message_id)
    after = accept(core, world, wang.phone, "2 3", "SM1")
    assert (after.message_id, after.is_new, after.waiting) == (first.message_id, False, False)
    assert len(rows_of(core, "SM1")) == 1


def test_a_text_from_the_spool_counts_as_received_when_it_came(core, world, clock):
    wang = world.resident("王芳")
    came = clock() - timedelta(minutes=7)
    accept(core, world, wang.phone, "1 1", "SM1", spooled_at=came)
    ((message, entry),) = rows_of(core, "SM1")
    assert (message.spooled_at, message.taken_in_at, entry.received_at) == (came, clock(), came)


def test_readers_claim_the_oldest_waiting_texts_and_never_the_same(core, world):
    li, wang, zhao = (world.resident(name) for name in ("李娟", "王芳", "赵强"))
    ids = [
        accept(core, world, phone, "1 1", f"SM{n}").message_id
        for n, phone in enumerate([li.phone, wang.phone, li.phone, zhao.phone])
    ]
    first = claim_waiting(core, limit=3, lease=LEASE)
    assert first.texts == 3
    assert first.phones == [(world.community_id, li.phone), (world.community_id, wang.phone)]
    second = claim_waiting(core, limit=3, lease=LEASE)
    assert (second.texts, second.phones) == (1, [(world.community_id, zhao.phone)])
    assert claim_waiting(core, limit=3, lease=LEASE).texts == 0
    # The phone's texts are read in order whoever claimed which of them.
    waiting = pending_texts(core, community_id=world.community_id, phone=li.phone)
    assert [t.message_id for t in waiting] == [ids[0], ids[2]]


def test_a_read_text_is_never_claimed_and_a_dead_readers_claim_lapses(core, world, clock):
    wang, li = world.resident("王芳"), world.resident("李娟")
    read_one = accept(core, world, wang.phone, "1 1", "SM1").message_id
    accept(core, world, li.phone, "2 1", "SM2")
    read(core, world, wang.phone, read_one)
    claimed = claim_waiting(core, limit=10, lease=LEASE)
    assert claimed.phones == [(world.community_id, li.phone)]  # its reader then dies
    clock.advance(seconds=59)
    assert claim_waiting(core, limit=10, lease=LEASE).texts == 0
    clock.advance(seconds=2)
    assert claim_waiting(core, limit=10, lease=LEASE).phones == [(world.community_id, li.phone)]


def test_the_webhooks_insert_names_every_column_a_text_needs():
    """The insert is SQL text (cached, unlike the dialects' ON CONFLICT inserts): it
    must name every column the models require and none they lack."""
    columns = {
        name.strip()
        for name in _INSERT_MESSAGE.split("(", 1)[1].split(")", 1)[0].replace("\n", " ").split(",")
    }
    table = Message.__table__
    required = {c.name for c in table.columns if not c.nullable and not c.primary_key}
    assert required <= columns <= set(table.columns.keys())
