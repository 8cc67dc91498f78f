"""The message log: inbound texts once per provider id, replies, status callbacks."""

from __future__ import annotations

from datetime import timedelta

from core.messages.models import Message, MessageStatus
from core.messages.services import (
    apply_status_callback,
    mark_answered_inline,
    queue_reply,
    record_inbound,
)
from core.residents.services import find_resident, opt_out

SID = "SM" + "0" * 32


def test_an_inbound_text_is_recorded_once_per_message_sid(world):
    wang = world.resident()
    first = record_inbound(
        world.core, community_id=world.community_id, phone=wang.phone, body="2 3", provider_sid=SID
    )
    again = record_inbound(
        world.core, community_id=world.community_id, phone=wang.phone, body="2 3", provider_sid=SID
    )
    assert first.is_new and not again.is_new and first.message_id == again.message_id


def test_replies_go_out_at_once_even_in_quiet_hours(world, clock):
    wang = world.resident()
    clock.set(world.local(0, 23))
    reply = queue_reply(world.core, community_id=world.community_id, phone=wang.phone, body="好")
    assert reply.status == MessageStatus.PENDING and reply.not_before is None


def test_replies_to_opted_out_residents_are_only_written_down(world):
    wang = world.resident()
    opt_out(world.core, community_id=world.community_id, phone=wang.phone)
    held = queue_reply(world.core, community_id=world.community_id, phone=wang.phone, body="好")
    assert held.status == MessageStatus.SUPPRESSED
    told = queue_reply(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        body="已退订",
        even_if_opted_out=True,
    )
    assert told.status == MessageStatus.PENDING


def reload(world, message_id) -> Message:  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return session.get_one(Message, message_id)


def test_status_moves_forward_only(world, clock):
    wang = world.resident()
    reply = queue_reply(world.core, community_id=world.community_id, phone=wang.phone, body="好")

    def report(status, **extra):  # type: ignore[no-untyped-def]
        clock.advance(seconds=1)
        return apply_status_callback(world.core, status=status, message_id=reply.id, **extra)

    assert report("sent", provider_sid=SID).moved
    assert report("delivered").moved
    late = report("sent")
    assert not late.moved and late.status == "delivered"
    assert reload(world, reply.id).provider_sid == SID
    assert apply_status_callback(world.core, status="delivered", provider_sid="SMunknown") is None
    assert apply_status_callback(world.core, status="bogus", message_id=reply.id) is None


def test_undelivered_keeps_the_error_and_21610_opts_the_resident_out(world):
    wang = world.resident()
    reply = queue_reply(world.core, community_id=world.community_id, phone=wang.phone, body="好")
    update = apply_status_callback(
        world.core, status="undelivered", message_id=reply.id, error_code="21610"
    )
    assert update.status == "undelivered"
    assert reload(world, reply.id).error_code == "21610"
    assert find_resident(world.core, community_id=world.community_id, phone=wang.phone).opted_out


def test_an_inline_answer_counts_as_sent(world, clock):
    wang = world.resident()
    reply = queue_reply(world.core, community_id=world.community_id, phone=wang.phone, body="好")
    clock.advance(seconds=2)
    mark_answered_inline(world.core, reply.id)
    stored = reload(world, reply.id)
    assert stored.inline and stored.status == "sent"
    assert stored.sent_at == reply.created_at + timedelta(seconds=2)
