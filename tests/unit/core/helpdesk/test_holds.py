"""Phones held back, as staff see them, and lifting a hold."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.accounts.models import AuditLog
from core.conversations.holds import current_holds, hold_for, lift_hold
from core.conversations.models import Conversation
from tests.unit.core.helpdesk.helpers import held_back


def test_current_holds_name_the_resident_the_reason_and_the_end(world, clock):
    wang = world.resident("王芳")
    held_back(world, wang.phone, minutes=30)
    held_back(world, "+8613700000009", minutes=10, reason="loop")
    holds = current_holds(world.core, community_id=world.community_id)
    assert [(h.phone, h.resident_name, h.reason) for h in holds] == [
        ("+8613700000009", None, "loop"),
        (wang.phone, "王芳", "flood"),
    ]
    assert holds[1].until == world.core.now() + timedelta(minutes=30)
    clock.advance(minutes=11)  # the short one ran out
    assert [h.phone for h in current_holds(world.core, community_id=world.community_id)] == [
        wang.phone
    ]
    hold = hold_for(world.core, community_id=world.community_id, phone="139 " + wang.phone[6:])
    assert hold is not None and hold.resident_id == wang.id


def test_lifting_a_hold_clears_it_and_its_counters_and_is_audited(world):
    wang = world.resident("王芳")
    held_back(world, wang.phone)
    assert lift_hold(world.core, community_id=world.community_id, phone=wang.phone, by="xiaoli")
    assert hold_for(world.core, community_id=world.community_id, phone=wang.phone) is None
    with world.core.db.transaction() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert (conversation.muted_until, conversation.muted_reason) == (None, None)
        assert conversation.recent_texts == []
        (entry,) = session.scalars(select(AuditLog).where(AuditLog.action == "sms.hold_lifted"))
        assert entry.actor == "xiaoli" and entry.detail["phone"] == wang.phone
        assert entry.detail["reason"] == "flood"
    # lifted already, or never held: nothing to do
    assert not lift_hold(world.core, community_id=world.community_id, phone=wang.phone, by="x")
    assert not lift_hold(
        world.core, community_id=world.community_id, phone="+8613700000001", by="x"
    )


def test_a_hold_in_another_community_is_not_theirs_to_lift(world, core, clock):
    from tests.builders import World

    other = World(core, clock, phone="+8631188887777")
    held_back(other, "+8613700000009")
    assert current_holds(core, community_id=world.community_id) == []
    assert not lift_hold(core, community_id=world.community_id, phone="+8613700000009", by="x")
    assert len(current_holds(core, community_id=other.community_id)) == 1
