"""Call backs are never forgotten: retried within staff hours, then put in front of staff."""

from __future__ import annotations

from core.calls.models import CallbackReason, CallbackState
from core.calls.retries import due_callback_retries
from core.calls.services import (
    call_record,
    claim_callback,
    finish_callback,
    record_call_status,
    start_call,
)
from core.calls.staff_callbacks import callbacks_for_staff, mark_callback_done, waiting_callbacks
from core.orders.services import place_order
from tests.builders import World
from tests.unit.core.calls.test_services import enable_callback


def owed(world: World, sid: str, phone: str) -> int:
    started = start_call(world.core, community_id=world.community_id, call_sid=sid, phone=phone)
    assert started.callback_owed
    return started.call_id


def unanswered_try(world: World, call_id: int, placed_sid: str) -> None:
    """Twilio places the call back, and the resident does not pick up."""
    assert claim_callback(world.core, call_id=call_id) is not None
    placed = CallbackState.PLACED
    finish_callback(world.core, call_id=call_id, state=placed, provider_sid=placed_sid)
    assert record_call_status(world.core, call_sid=placed_sid, status="no-answer")


def test_a_call_back_nobody_answers_is_tried_three_times_then_reaches_staff(world: World, clock):  # type: ignore[no-untyped-def]
    enable_callback(world)
    wang = world.resident("王芳")
    world.deal("赵县雪花梨")
    place_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=1,
        quantity=2,
        channel="sms",
    )
    call_id = owed(world, "CA-in", wang.phone)

    unanswered_try(world, call_id, "CA-out-1")
    record = call_record(world.core, call_sid="CA-in")
    assert record is not None and record.callback == CallbackState.FAILED
    assert due_callback_retries(world.core) == []  # not yet: ten minutes first
    clock.advance(minutes=10)
    assert due_callback_retries(world.core) == [(call_id, 1)]
    assert due_callback_retries(world.core) == []  # handed out once

    unanswered_try(world, call_id, "CA-out-2")
    clock.advance(minutes=29)
    assert due_callback_retries(world.core) == []
    clock.advance(minutes=1)
    assert due_callback_retries(world.core) == [(call_id, 2)]

    unanswered_try(world, call_id, "CA-out-3")
    record = call_record(world.core, call_sid="CA-in")
    assert record is not None and record.callback == CallbackState.NEEDS_STAFF
    assert record.callback_reason == CallbackReason.RETRIES_FAILED
    [shown] = callbacks_for_staff(world.core, community_id=world.community_id)
    assert (shown.name, shown.address, shown.tries, shown.reason) == (
        "王芳",
        "3-2-401",
        3,
        "retries_failed",
    )
    assert [(o.deal_number, o.title_zh, o.quantity, o.unit) for o in shown.orders] == [
        (1, "赵县雪花梨", 2, "箱")
    ]
    assert shown.since == clock()
    assert waiting_callbacks(world.core, community_id=world.community_id) == 1


def test_retries_wait_for_staff_hours(world: World, clock):  # type: ignore[no-untyped-def]
    enable_callback(world)
    wang = world.resident("王芳")
    clock.set(world.local(0, 17, 20))
    call_id = owed(world, "CA-in", wang.phone)
    unanswered_try(world, call_id, "CA-out-1")

    clock.set(world.local(0, 17, 40))  # due, but the office closed at 17:30
    assert due_callback_retries(world.core) == []
    clock.set(world.local(1, 8, 30))
    assert due_callback_retries(world.core) == [(call_id, 1)]


def test_a_number_that_keeps_failing_is_shown_not_retried(world: World, clock):  # type: ignore[no-untyped-def]
    enable_callback(world)
    wang = world.resident("王芳")
    first = owed(world, "CA-1", wang.phone)
    for attempt in range(3):
        unanswered_try(world, first, f"CA-1-out-{attempt}")
        clock.advance(minutes=31)
        due_callback_retries(world.core)
    [shown] = callbacks_for_staff(world.core, community_id=world.community_id)
    assert mark_callback_done(
        world.core, community_id=world.community_id, callback_id=shown.id, by="xiaoli"
    )

    clock.advance(hours=2)
    second = owed(world, "CA-2", wang.phone)
    unanswered_try(world, second, "CA-2-out")  # fails once more: not tried a fourth time
    record = call_record(world.core, call_sid="CA-2")
    assert record is not None and record.callback == CallbackState.NEEDS_STAFF
    assert record.callback_reason == CallbackReason.NUMBER_FAILING
    clock.advance(hours=1)
    assert due_callback_retries(world.core) == []


def test_a_call_back_whose_job_was_lost_is_queued_again(world: World, clock):  # type: ignore[no-untyped-def]
    enable_callback(world)
    wang = world.resident("王芳")
    call_id = owed(world, "CA-in", wang.phone)  # Redis lost the job: nobody claims it
    clock.advance(minutes=14)
    assert due_callback_retries(world.core) == []
    clock.advance(minutes=2)
    assert due_callback_retries(world.core) == [(call_id, 0)]


def test_staff_mark_a_call_back_done_only_in_their_own_community(world: World, clock):  # type: ignore[no-untyped-def]
    from core.calls.staff_callbacks import request_staff_callback
    from core.community.services import create_community

    other = create_community(world.core, name="别的社区", phone="+8631100001111")
    wang = world.resident("王芳")
    start_call(world.core, community_id=world.community_id, call_sid="CA-a", phone=wang.phone)
    request_staff_callback(
        world.core,
        community_id=world.community_id,
        call_sid="CA-a",
        phone=wang.phone,
        reason=CallbackReason.OUT_OF_HOURS,
    )
    [shown] = callbacks_for_staff(world.core, community_id=world.community_id)
    assert callbacks_for_staff(world.core, community_id=other) == []
    assert (
        mark_callback_done(world.core, community_id=other, callback_id=shown.id, by="x")
        is None
    )
    assert mark_callback_done(
        world.core, community_id=world.community_id, callback_id=shown.id, by="xiaoli"
    )
    again = mark_callback_done(
        world.core, community_id=world.community_id, callback_id=shown.id, by="xiaoli"
    )
    assert again is False  # a second click: settled already
    assert (
        mark_callback_done(world.core, community_id=world.community_id, callback_id=9999, by="x")
        is None
    )
    record = call_record(world.core, call_sid="CA-a")
    assert record is not None and record.callback == CallbackState.DONE
