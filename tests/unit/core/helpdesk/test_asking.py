"""ask_for_help: one open item per phone, moved on by every later text that needs a person."""

from __future__ import annotations

from sqlalchemy import func, select

from core.helpdesk.models import HelpReason, HelpRequest
from core.helpdesk.queries import help_inbox, help_item, waiting_count
from core.helpdesk.services import ask_for_help, mark_done
from core.messages.services import record_inbound
from tests.unit.core.helpdesk.helpers import held_back, writes_for_help

STRANGER = "+8613700000009"


def test_a_resident_who_writes_three_times_is_one_row_in_the_inbox(world, clock):
    wang = world.resident("王芳")
    first = writes_for_help(world, wang.phone, "梨是哪里产的", HelpReason.QUESTION)
    clock.advance(minutes=5)
    second = writes_for_help(world, wang.phone, "找人工", HelpReason.WANTS_PERSON)
    clock.advance(minutes=5)
    third = writes_for_help(world, wang.phone, "上次的梨有几个烂了", HelpReason.COMPLAINT)
    assert first == second == third
    inbox = help_inbox(world.core, community_id=world.community_id)
    (item,) = inbox.waiting
    assert item.reason == HelpReason.COMPLAINT and item.latest_text == "上次的梨有几个烂了"
    assert item.resident is not None and item.resident.name == "王芳"
    assert item.waited.total_seconds() == 10 * 60  # waits since the first text
    with world.core.db.transaction() as session:
        row = session.get_one(HelpRequest, first)
        assert row.first_message_id is not None and row.first_message_id < row.latest_message_id
        assert row.updated_at == world.core.now() and row.resident_id == wang.id
    assert waiting_count(world.core, community_id=world.community_id) == 1


def test_the_same_text_handled_twice_changes_nothing(world):
    text = record_inbound(
        world.core,
        community_id=world.community_id,
        phone=STRANGER,
        body="你好",
        provider_sid="SMx1",
    )
    ids = []
    for _ in range(2):
        with world.core.db.transaction() as session:
            ids.append(
                ask_for_help(
                    session,
                    community_id=world.community_id,
                    phone=STRANGER,
                    reason=HelpReason.UNKNOWN_NUMBER,
                    message_id=text.message_id,
                    now=world.core.now(),
                )
            )
    assert ids[0] == ids[1]
    mark_done(world.core, community_id=world.community_id, item_id=ids[0], by="xiaoli")
    with world.core.db.transaction() as session:
        again = ask_for_help(
            session,
            community_id=world.community_id,
            phone=STRANGER,
            reason=HelpReason.UNKNOWN_NUMBER,
            message_id=text.message_id,
            now=world.core.now(),
        )
        assert again == ids[0]
        assert session.scalar(select(func.count(HelpRequest.id))) == 1


def test_it_runs_in_the_callers_transaction_and_falls_with_it(world):
    try:
        with world.core.db.transaction() as session:
            ask_for_help(
                session,
                community_id=world.community_id,
                phone=STRANGER,
                reason=HelpReason.CALLBACK,
                message_id=None,
                now=world.core.now(),
            )
            raise RuntimeError("the turn failed")
    except RuntimeError:
        pass
    assert waiting_count(world.core, community_id=world.community_id) == 0


def test_a_text_after_done_opens_a_new_item_and_the_old_one_stays_done(world, clock):
    wang = world.resident("王芳")
    old = writes_for_help(world, wang.phone, "找人工", HelpReason.WANTS_PERSON)
    assert mark_done(world.core, community_id=world.community_id, item_id=old, by="xiaoli")
    clock.advance(hours=1)
    new = writes_for_help(world, wang.phone, "还是没人回我", HelpReason.WANTS_PERSON)
    assert new != old
    inbox = help_inbox(world.core, community_id=world.community_id)
    assert [i.id for i in inbox.waiting] == [new]
    assert [(i.id, i.done_by) for i in inbox.done] == [(old, "xiaoli")]


def test_the_inbox_lists_unknown_numbers_floods_and_callbacks_oldest_wait_first(world, clock):
    wang = world.resident("王芳")
    writes_for_help(world, STRANGER, "请问你们是哪里", HelpReason.UNKNOWN_NUMBER)
    clock.advance(minutes=1)
    held_back(world, wang.phone)
    flood = writes_for_help(world, wang.phone, "1", HelpReason.FLOOD)
    clock.advance(minutes=1)
    with world.core.db.transaction() as session:
        callback = ask_for_help(
            session,
            community_id=world.community_id,
            phone="+8631185662001",
            reason=HelpReason.CALLBACK,
            message_id=None,
            now=world.core.now(),
        )
    inbox = help_inbox(world.core, community_id=world.community_id)
    assert [(i.phone, i.reason) for i in inbox.waiting] == [
        (STRANGER, "unknown_number"),
        (wang.phone, "flood"),
        ("+8631185662001", "callback"),
    ]
    stranger, flooding, calling = inbox.waiting
    assert stranger.unknown_caller and not flooding.unknown_caller
    assert flooding.held_until is not None and stranger.held_until is None
    assert calling.latest_text is None and calling.id == callback
    detail = help_item(world.core, community_id=world.community_id, item_id=flood)
    assert detail is not None and detail.hold is not None and detail.hold.reason == "flood"


def test_an_unknown_caller_registered_since_shows_by_name(world):
    item = writes_for_help(world, STRANGER, "我是新搬来的", HelpReason.UNKNOWN_NUMBER)
    world.resident("赵大爷", phone=STRANGER, building="5", unit="1", room="302")
    detail = help_item(world.core, community_id=world.community_id, item_id=item)
    assert detail is not None and detail.item.resident is not None
    assert (detail.item.resident.name, detail.item.resident.address) == ("赵大爷", "5-1-302")


def test_an_item_shows_the_whole_conversation_and_current_orders(world, clock):
    from core.orders.services import place_order

    deal = world.deal()
    wang = world.resident("王芳")
    assert place_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=deal.number,
        quantity=2,
        channel="sms",
    )
    for n in range(250):  # more than the simulator's chat shows: the inbox shows them all
        record_inbound(
            world.core,
            community_id=world.community_id,
            phone=wang.phone,
            body=f"第{n}条",
            provider_sid=f"SMold{n}",
        )
    item = writes_for_help(world, wang.phone, "梨坏了", HelpReason.COMPLAINT)
    detail = help_item(world.core, community_id=world.community_id, item_id=item)
    assert detail is not None
    bodies = [m.body for m in detail.conversation]
    assert len(bodies) == 252 and bodies[-1] == "梨坏了" and bodies[1] == "第0条"
    assert detail.conversation[0].kind == "confirmation"  # the order's confirmation, out
    assert [m.id for m in detail.conversation] == sorted(m.id for m in detail.conversation)
    assert [(o.deal.number, o.quantity) for o in detail.orders] == [(deal.number, 2)]


def test_another_communitys_items_are_not_found(world, core, clock):
    from tests.builders import World

    other = World(core, clock, phone="+8631188887777")
    theirs = writes_for_help(other, STRANGER, "hello", HelpReason.UNKNOWN_NUMBER)
    assert help_item(core, community_id=world.community_id, item_id=theirs) is None
    assert help_inbox(core, community_id=world.community_id).waiting == []
    assert waiting_count(core, community_id=world.community_id) == 0
    assert waiting_count(core, community_id=other.community_id) == 1
