"""New-deal announcements: one per deal to subscribers, in the daytime, capped weekly."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.announcements.services import WEEKLY_CAP, announce_new_deals, subscribe_by_text
from core.messages.models import Message, MessageKind
from core.residents.services import opt_out
from tests.builders import SHANGHAI


def announcements(world, phone):  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message)
                .where(Message.phone == phone, Message.kind == MessageKind.BROADCAST)
                .order_by(Message.id)
            )
        )


def subscribed(world, name="王芳", **kwargs):  # type: ignore[no-untyped-def]
    resident = world.resident(name, **kwargs)
    subscribe_by_text(world.core, community_id=world.community_id, phone=resident.phone, on=True)
    return resident


def test_a_new_deal_is_announced_once_with_the_way_to_order(world):
    wang = subscribed(world)
    tom = subscribed(world, "Tom", language="en")
    world.resident("赵先生")  # never asked for it
    pears = world.deal()
    run = announce_new_deals(world.core)
    assert (run.deals, run.texts, run.held_by_cap) == (1, 2, 0)
    [text] = announcements(world, wang.phone)
    assert text.body.startswith(f"新团购{pears.number}号赵县雪花梨，35元/箱，")
    assert f"回{pears.number} 2订2份" in text.body and text.not_before is None
    assert "Reply 1 2 for 2" in announcements(world, tom.phone)[0].body
    assert announce_new_deals(world.core).texts == 0  # once per deal


def test_an_evening_deal_waits_for_nine_in_the_morning(world, clock):
    wang = subscribed(world)
    evening = clock().astimezone(SHANGHAI).replace(hour=20, minute=15)
    clock.set(evening)
    world.deal()
    announce_new_deals(world.core)
    [text] = announcements(world, wang.phone)
    assert text.not_before == (evening + timedelta(days=1)).replace(hour=9, minute=0)


def test_a_held_announcement_never_goes_after_the_deal_closes(world, clock):
    wang = subscribed(world)
    evening = clock().astimezone(SHANGHAI).replace(hour=20, minute=30)
    clock.set(evening)
    late = world.deal("井陉小米", closes_at=evening.replace(hour=23, minute=0))
    world.deal(closes_at=evening + timedelta(days=3))
    run = announce_new_deals(world.core)
    [text] = announcements(world, wang.phone)  # the one that closes tonight is not news at 9
    assert "井陉小米" not in text.body and run.deals == 2
    assert text.not_before == (evening + timedelta(days=1)).replace(hour=9, minute=0)
    assert text.expires_at == evening + timedelta(days=3)  # held past it by a cap: dropped
    assert late.id not in [m.deal_id for m in announcements(world, wang.phone)]


def test_early_morning_after_quiet_hours_still_waits_for_daytime(world, clock):
    wang = subscribed(world)
    dawn = clock().astimezone(SHANGHAI).replace(hour=8, minute=20)
    clock.set(dawn)
    world.deal()
    announce_new_deals(world.core)
    assert announcements(world, wang.phone)[0].not_before == dawn.replace(hour=9, minute=0)


def test_at_most_three_a_week_across_all_deals(world, clock):
    wang = subscribed(world)
    for title in ("赵县雪花梨", "井陉小米", "高邑鸡蛋", "正定大米"):
        world.deal(title)
        clock.advance(hours=1)
        announce_new_deals(world.core)
    assert len(announcements(world, wang.phone)) == WEEKLY_CAP == 3
    clock.advance(days=7)
    flour = world.deal("五得利面粉", unit="袋")
    assert announce_new_deals(world.core).texts == 1
    latest = announcements(world, wang.phone)[-1].body
    assert flour.number == 5 and "五得利面粉" in latest
    assert "回5 2订2份" in latest  # the way to order names the deal's own number


def test_unsubscribed_opted_out_and_landline_residents_get_none(world):
    wang = subscribed(world)
    subscribe_by_text(world.core, community_id=world.community_id, phone=wang.phone, on=False)
    zhao = subscribed(world, "赵先生")
    opt_out(world.core, community_id=world.community_id, phone=zhao.phone)
    grandma = subscribed(world, "李奶奶", phone="+8631188880001", landline=True)
    world.deal()
    assert announce_new_deals(world.core).texts == 0
    for who in (wang, zhao, grandma):
        assert announcements(world, who.phone) == []


def test_a_deal_not_open_is_not_announced(world):
    wang = subscribed(world)
    world.deal(open_now=False)
    assert announce_new_deals(world.core).deals == 0
    assert announcements(world, wang.phone) == []


def test_a_draft_opened_days_later_is_announced_when_it_opens(world, clock):
    from core.deals.services import open_deal

    wang = subscribed(world)
    draft = world.deal(open_now=False)
    clock.advance(days=1)
    assert announce_new_deals(world.core).deals == 0
    open_deal(world.core, community_id=world.community_id, number=draft.number)
    assert announce_new_deals(world.core).texts == 1
    assert len(announcements(world, wang.phone)) == 1
