"""Call records and the call-me-back promise, on both databases."""

from __future__ import annotations

from core.calls.models import CallbackState
from core.calls.services import (
    CALLBACK_COOLDOWN,
    call_record,
    claim_callback,
    finish_callback,
    record_call_status,
    skip_callback,
    start_call,
)
from core.community.models import Community
from tests.builders import World


def enable_callback(world: World) -> None:
    with world.core.db.transaction() as session:
        session.get_one(Community, world.community_id).callback_enabled = True


def start(world: World, sid: str, phone: str, **options):  # type: ignore[no-untyped-def]
    return start_call(
        world.core, community_id=world.community_id, call_sid=sid, phone=phone, **options
    )


def test_a_call_is_recorded_once_per_call_sid(world: World):
    wang = world.resident("王芳")
    first = start(world, "CA1", wang.phone)
    again = start(world, "CA1", wang.phone)

    assert first.call_id == again.call_id
    assert first.resident is not None and first.resident.name == "王芳"
    assert not first.callback_owed  # the community does not call back


def test_call_back_is_owed_to_residents_only_and_not_twice_in_a_row(world: World, clock):  # type: ignore[no-untyped-def]
    enable_callback(world)
    wang = world.resident("王芳")

    assert start(world, "CA1", wang.phone).callback_owed
    assert start(world, "CA1", wang.phone).callback_owed  # a retried webhook: same answer
    assert not start(world, "CA2", wang.phone).callback_owed  # rang again soon after
    assert not start(world, "CA3", "+8613912345678").callback_owed  # unknown number
    assert not start(world, "CA4", wang.phone, direction="outbound-api").callback_owed
    clock.advance(seconds=CALLBACK_COOLDOWN.total_seconds() + 60)
    assert start(world, "CA5", wang.phone).callback_owed


def test_a_call_back_is_claimed_once_and_finished(world: World):
    enable_callback(world)
    wang = world.resident("王芳")
    call_id = start(world, "CA1", wang.phone).call_id

    task = claim_callback(world.core, call_id=call_id)
    assert task is not None and (task.to, task.from_) == (wang.phone, "+8631188886666")
    assert claim_callback(world.core, call_id=call_id) is None
    finish_callback(world.core, call_id=call_id, state=CallbackState.PLACED, provider_sid="CAx")
    record = call_record(world.core, call_sid="CA1")
    assert record is not None and (record.callback, record.callback_sid) == ("placed", "CAx")


def test_a_skipped_call_back_is_not_placed(world: World):
    enable_callback(world)
    call_id = start(world, "CA1", world.resident("王芳").phone).call_id
    skip_callback(world.core, call_id=call_id)
    assert claim_callback(world.core, call_id=call_id) is None


def test_status_moves_to_an_end_and_stays_there(world: World):
    start(world, "CA1", world.resident("王芳").phone)

    assert record_call_status(world.core, call_sid="CA1", status="in-progress")
    assert record_call_status(world.core, call_sid="CA1", status="completed", duration_seconds=42)
    assert record_call_status(world.core, call_sid="CA1", status="in-progress")  # late, ignored
    assert not record_call_status(world.core, call_sid="CAunknown", status="completed")
    record = call_record(world.core, call_sid="CA1")
    assert record is not None and (record.status, record.duration_seconds) == ("completed", 42)
