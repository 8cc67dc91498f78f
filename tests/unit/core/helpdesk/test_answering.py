"""Answering a help item by SMS, marking it done and reopening it."""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import AuditLog
from core.helpdesk.models import HelpReason
from core.helpdesk.queries import help_inbox, waiting_count
from core.helpdesk.services import (
    MAX_REPLY_SEGMENTS,
    HelpRefusalReason,
    answer_help,
    draft_reply,
    mark_done,
    reopen,
)
from core.messages.models import Message, MessageKind, MessageStatus
from tests.unit.core.helpdesk.helpers import writes_for_help

ANSWER = "王阿姨您好，坏的梨请拿到服务站换新的。居委会小李"


def outbound(world) -> list[Message]:  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return list(
            session.scalars(select(Message).where(Message.direction == "out").order_by(Message.id))
        )


def answer(world, item_id: int, body: str = ANSWER, token: str = "a" * 32, **kw):  # type: ignore[no-untyped-def]
    return answer_help(
        world.core,
        community_id=world.community_id,
        item_id=item_id,
        body=body,
        by="xiaoli",
        form_token=token,
        **kw,
    )


def test_an_answer_is_one_pending_outbox_row_and_an_audit_entry(world):
    wang = world.resident("王芳")
    item = writes_for_help(world, wang.phone, "梨坏了两个", HelpReason.COMPLAINT)
    answered = answer(world, item)
    assert answered and not answered.replayed and not answered.done
    (message,) = outbound(world)
    assert (message.kind, message.status, message.phone, message.body) == (
        MessageKind.STAFF_REPLY,
        MessageStatus.PENDING,
        wang.phone,
        ANSWER,
    )
    assert message.resident_id == wang.id and message.segments == 1
    with world.core.db.transaction() as session:
        (entry,) = session.scalars(select(AuditLog).where(AuditLog.action == "help.answered"))
        assert entry.actor == "xiaoli" and entry.detail["message_id"] == message.id
    # answered, not done: off the waiting count, still open
    assert waiting_count(world.core, community_id=world.community_id) == 0
    inbox = help_inbox(world.core, community_id=world.community_id)
    assert [i.answered_by for i in inbox.answered] == ["xiaoli"]


def test_the_same_form_sent_twice_sends_once(world):
    item = writes_for_help(world, world.resident().phone, "找人工", HelpReason.WANTS_PERSON)
    first = answer(world, item)
    again = answer(world, item)
    assert first and again and again.replayed and again.message_id is None
    assert len(outbound(world)) == 1
    other_form = answer(world, item, "还有别的问题请再发短信。", token="b" * 32)
    assert other_form and not other_form.replayed
    assert len(outbound(world)) == 2


def test_a_staff_reply_is_not_held_for_quiet_hours(world, clock):
    clock.set(world.local(0, 22))  # 22:00, inside the quiet hours
    item = writes_for_help(world, world.resident().phone, "找人工", HelpReason.WANTS_PERSON)
    assert answer(world, item)
    (message,) = outbound(world)
    assert message.not_before is None


def test_answer_and_mark_done(world):
    item = writes_for_help(world, world.resident().phone, "找人工", HelpReason.WANTS_PERSON)
    answered = answer(world, item, mark_done=True)
    assert answered and answered.done
    inbox = help_inbox(world.core, community_id=world.community_id)
    assert inbox.waiting == inbox.answered == [] and [i.id for i in inbox.done] == [item]


def test_empty_too_long_and_unreachable_answers_are_refused_and_nothing_is_written(world):
    item = writes_for_help(world, world.resident().phone, "找人工", HelpReason.WANTS_PERSON)
    empty = answer(world, item, "  \r\n ")
    assert not empty and empty.reason == HelpRefusalReason.EMPTY
    long_text = "您" * 135  # 135 UCS-2 characters: three segments
    too_long = answer(world, item, long_text)
    assert not too_long and too_long.reason == HelpRefusalReason.TOO_LONG
    assert too_long.segments == 3 > MAX_REPLY_SEGMENTS
    assert answer(world, item, "您" * 134)  # two segments exactly
    landline = world.resident("郭奶奶", phone="0311-8566-2001", landline=True)
    on_landline = writes_for_help(world, landline.phone, "找人工", HelpReason.WANTS_PERSON)
    refused = answer(world, on_landline)
    assert not refused and refused.reason == HelpRefusalReason.CANNOT_TEXT
    missing = answer(world, 999_999)
    assert not missing and missing.reason == HelpRefusalReason.NOT_FOUND
    assert len(outbound(world)) == 1


def test_an_opted_out_resident_is_not_texted(world):
    from core.residents.services import opt_out

    wang = world.resident()
    item = writes_for_help(world, wang.phone, "找人工", HelpReason.WANTS_PERSON)
    opt_out(world.core, community_id=world.community_id, phone=wang.phone)
    refused = answer(world, item)
    assert not refused and refused.reason == HelpRefusalReason.OPTED_OUT
    assert outbound(world) == []


def test_drafts_count_what_will_be_sent():
    draft = draft_reply("  您好\r\n明天来取  ")
    assert (draft.text, draft.characters, draft.segments, draft.encoding) == (
        "您好\n明天来取",
        7,
        1,
        "UCS-2",
    )
    assert draft_reply("Hello, pick up tomorrow 9am").encoding == "GSM-7"
    assert draft_reply("").segments == 0 and draft_reply("").empty


def test_done_and_reopen(world, clock):
    wang = world.resident()
    item = writes_for_help(world, wang.phone, "找人工", HelpReason.WANTS_PERSON)
    assert mark_done(world.core, community_id=world.community_id, item_id=item, by="xiaoli")
    assert mark_done(world.core, community_id=world.community_id, item_id=item, by="x") is False
    assert waiting_count(world.core, community_id=world.community_id) == 0
    clock.advance(minutes=3)
    assert reopen(world.core, community_id=world.community_id, item_id=item, by="admin")
    assert reopen(world.core, community_id=world.community_id, item_id=item, by="x") is False
    inbox = help_inbox(world.core, community_id=world.community_id)
    (again,) = inbox.waiting
    assert again.id == item and again.done_at is None and again.waited.total_seconds() == 0
    with world.core.db.transaction() as session:
        actions = list(
            session.scalars(
                select(AuditLog.action).where(AuditLog.action.like("help.%")).order_by(AuditLog.id)
            )
        )
    assert actions == ["help.done", "help.reopened"]


def test_reopening_when_the_resident_wrote_again_points_to_the_live_item(world):
    wang = world.resident()
    old = writes_for_help(world, wang.phone, "找人工", HelpReason.WANTS_PERSON)
    mark_done(world.core, community_id=world.community_id, item_id=old, by="xiaoli")
    new = writes_for_help(world, wang.phone, "还在吗", HelpReason.WANTS_PERSON)
    refused = reopen(world.core, community_id=world.community_id, item_id=old, by="xiaoli")
    assert not refused and refused.reason == HelpRefusalReason.ALREADY_OPEN
    assert refused.open_item_id == new


def test_staff_of_one_community_cannot_touch_anothers_items(world, core, clock):
    from tests.builders import World

    other = World(core, clock, phone="+8631188887777")
    theirs = writes_for_help(other, "+8613700000009", "hello", HelpReason.UNKNOWN_NUMBER)
    mine = world.community_id
    assert answer(world, theirs).reason == HelpRefusalReason.NOT_FOUND
    assert mark_done(core, community_id=mine, item_id=theirs, by="x").reason == "not_found"
    assert reopen(core, community_id=mine, item_id=theirs, by="x").reason == "not_found"
    assert waiting_count(core, community_id=other.community_id) == 1
