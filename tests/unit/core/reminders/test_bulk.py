"""Staff bulk reminders: what it will cost before sending, the rows it writes, its progress."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from core.accounts.models import AuditLog
from core.deals.services import DealNotFound
from core.messages.models import Message, MessageStatus
from core.orders.services import place_order
from core.reminders.services import (
    BulkTextInvalid,
    NobodyToRemind,
    bulk_progress,
    preview_bulk_reminder,
    send_bulk_reminder,
)
from core.residents.services import opt_out
from core.sms_segments import count_segments


@pytest.fixture
def deal_with_buyers(world):  # type: ignore[no-untyped-def]
    deal = world.deal()
    buyers = {
        "wang": world.resident("王芳"),
        "tom": world.resident("Tom", language="en"),
        "grandma": world.resident("李奶奶", phone="+8631188880001", landline=True),
        "zhao": world.resident("赵先生"),
    }
    for buyer in buyers.values():
        place_order(
            world.core,
            community_id=world.community_id,
            phone=buyer.phone,
            deal_number=deal.number,
            quantity=1,
            channel="staff",
            placed_by="desk",
        )
    opt_out(world.core, community_id=world.community_id, phone=buyers["zhao"].phone)
    world.resident("没订的")  # no order: never reminded
    return deal, buyers


def test_the_preview_says_who_gets_what_and_what_it_costs(world, deal_with_buyers):
    deal, _ = deal_with_buyers
    preview = preview_bulk_reminder(world.core, community_id=world.community_id, number=deal.number)

    assert (preview.recipients, preview.texted, preview.called, preview.suppressed) == (3, 2, 1, 1)
    assert preview.texts == {
        "zh": "取货提醒：1号赵县雪花梨请11月28日周六 9:00-11:00到社区服务站取。",
        "en": "Pickup reminder: please collect #1 Snow pears Sat 28 Nov 9:00-11:00 at 社区服务站.",
    }
    segments = {lang: count_segments(text) for lang, text in preview.texts.items()}
    assert preview.segments_each == max(segments.values())
    assert preview.segments_total == segments["zh"] + segments["en"]
    with world.core.db.transaction() as session:
        assert session.scalar(select(Message.id).where(Message.kind == "broadcast")) is None


def test_sending_writes_one_row_each_under_one_batch(world, deal_with_buyers):
    deal, buyers = deal_with_buyers
    sent = send_bulk_reminder(
        world.core, community_id=world.community_id, number=deal.number, by="xiaoli"
    )

    assert (sent.recipients, sent.called, sent.suppressed) == (3, 1, 1)
    with world.core.db.transaction() as session:
        rows = {
            m.resident_id: m
            for m in session.scalars(select(Message).where(Message.batch_id == sent.batch_id))
        }
        [entry] = session.scalars(select(AuditLog).where(AuditLog.action == "reminder.bulk"))
    assert {r.kind for r in rows.values()} == {"broadcast"}
    assert rows[buyers["grandma"].id].channel == "voice"
    assert rows[buyers["zhao"].id].status == MessageStatus.SUPPRESSED
    assert rows[buyers["tom"].id].body.startswith("Pickup reminder")
    assert rows[buyers["wang"].id].dedupe_key == f"bulk:{sent.batch_id}:{buyers['wang'].id}"
    assert entry.actor == "xiaoli" and entry.detail["batch_id"] == sent.batch_id

    progress = bulk_progress(world.core, batch_id=sent.batch_id)
    assert (progress.total, progress.pending, progress.suppressed, progress.done) == (
        4,
        3,
        1,
        False,
    )


def test_progress_follows_the_rows_to_done(world, deal_with_buyers):
    deal, _ = deal_with_buyers
    sent = send_bulk_reminder(
        world.core, community_id=world.community_id, number=deal.number, by="t"
    )
    with world.core.db.transaction() as session:
        ids = session.scalars(
            select(Message.id)
            .where(Message.batch_id == sent.batch_id, Message.status == "pending")
            .order_by(Message.id)
        ).all()
        for message_id, status in zip(ids, ("delivered", "sent", "failed"), strict=True):
            session.execute(update(Message).where(Message.id == message_id).values(status=status))

    progress = bulk_progress(world.core, batch_id=sent.batch_id)
    assert (progress.delivered, progress.sent, progress.failed, progress.suppressed) == (1, 1, 1, 1)
    assert progress.done
    assert bulk_progress(world.core, batch_id="no-such-batch").total == 0


def test_the_same_batch_id_twice_sends_nothing_twice(world, deal_with_buyers):
    deal, _ = deal_with_buyers
    args = {"community_id": world.community_id, "number": deal.number, "by": "staff-sms"}
    first = send_bulk_reminder(world.core, batch_id="SM0123", **args)
    again = send_bulk_reminder(world.core, batch_id="SM0123", **args)
    assert not first.replayed and again.replayed
    assert bulk_progress(world.core, batch_id="SM0123").total == 4


def test_in_quiet_hours_the_reminder_waits_for_the_morning(world, deal_with_buyers, clock):
    deal, _ = deal_with_buyers
    clock.set(world.local(0, 22))
    sent = send_bulk_reminder(
        world.core, community_id=world.community_id, number=deal.number, by="t"
    )
    with world.core.db.transaction() as session:
        held = set(
            session.scalars(select(Message.not_before).where(Message.batch_id == sent.batch_id))
        )
    assert held == {world.local(1, 8)}


def test_staff_may_write_their_own_text(world, deal_with_buyers):
    deal, _ = deal_with_buyers
    text = "今天下午服务站停电，取货改到明天上午。"
    preview = preview_bulk_reminder(
        world.core, community_id=world.community_id, number=deal.number, text=text
    )
    assert set(preview.texts.values()) == {text}
    with pytest.raises(BulkTextInvalid) as empty:
        preview_bulk_reminder(
            world.core, community_id=world.community_id, number=deal.number, text="   "
        )
    assert empty.value.key == "reminder.error.text_empty"
    with pytest.raises(BulkTextInvalid):
        send_bulk_reminder(
            world.core,
            community_id=world.community_id,
            number=deal.number,
            text="长" * 1601,
            by="t",
        )


def test_an_unknown_deal_number_is_refused(world):
    with pytest.raises(DealNotFound):
        preview_bulk_reminder(world.core, community_id=world.community_id, number=42)
    with pytest.raises(DealNotFound):
        send_bulk_reminder(world.core, community_id=world.community_id, number=42, by="t")


def test_a_deal_nobody_ordered_is_not_reminded_by_any_channel(world):
    deal = world.deal()
    world.resident("没订的")
    with pytest.raises(NobodyToRemind):
        send_bulk_reminder(
            world.core, community_id=world.community_id, number=deal.number, by="cli"
        )
    with world.core.db.transaction() as session:
        assert session.scalar(select(Message.id).where(Message.kind == "broadcast")) is None
        assert session.scalar(select(AuditLog.id).where(AuditLog.action == "reminder.bulk")) is None
