"""Which reminders are due, on a clock the test moves: the evening before, two hours
before, none in quiet hours, catch-up after downtime, nothing once pickup ended."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from core.community.models import Community
from core.deals.services import close_due_deals
from core.messages.models import Message, MessageKind
from core.orders.models import Order
from core.orders.services import mark_picked_up, place_order
from core.reminders.due import queue_due_reminders
from core.residents.services import opt_out

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai time in the test's week. World.deal(): closes Thursday 26 November 20:00,
    pickup Saturday 28 November 9:00-11:00."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def reminders(core, name: str | None = None) -> list[Message]:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        rows = session.scalars(
            select(Message).where(Message.dedupe_key.like("reminder:%")).order_by(Message.id)
        ).all()
    return [m for m in rows if name is None or m.dedupe_key.endswith(f":{name}")]


def confirmed_deal(world, clock, *buyers, min_units: int = 1):  # type: ignore[no-untyped-def]
    deal = world.deal(min_units=min_units)
    for buyer in buyers:
        place_order(
            world.core,
            community_id=world.community_id,
            phone=buyer.phone,
            deal_number=deal.number,
            quantity=2,
            channel="sms",
        )
    clock.set(at(26, 20, 1))
    close_due_deals(world.core)
    return deal


def test_the_evening_reminder_goes_at_seven_the_evening_before(world, clock):
    wang = world.resident()
    confirmed_deal(world, clock, wang)

    clock.set(at(27, 18, 59))
    assert queue_due_reminders(world.core).total == 0
    clock.set(at(27, 19))
    assert queue_due_reminders(world.core).pickup_evening == 1
    assert queue_due_reminders(world.core).total == 0  # once, however often the scan runs

    [evening] = reminders(world.core)
    assert evening.kind == MessageKind.REMINDER and evening.phone == wang.phone
    assert evening.not_before is None  # 19:00 is no quiet hour: it goes now
    assert (
        evening.body
        == "取货提醒：1号赵县雪花梨2箱，请11月28日周六 9:00-11:00到社区服务站取，付70元。"
    )
    assert evening.expires_at == at(28, 7)


def test_two_hours_before_pickup_in_quiet_hours_it_waits_for_eight(world, clock):
    wang = world.resident(language="en")
    confirmed_deal(world, clock, wang)
    clock.set(at(28, 7))  # 7:00, two hours before 9:00

    report = queue_due_reminders(world.core)

    assert (report.pickup_evening, report.pickup_soon) == (0, 1)  # the evening one is over
    [soon] = reminders(world.core)
    assert soon.body.startswith("Pickup is soon: #1 Snow pears x2")
    assert soon.not_before == at(28, 8)
    assert soon.expires_at == at(28, 11)


def test_catching_up_after_the_workers_were_down_over_seven(world, clock):
    confirmed_deal(world, clock, world.resident())
    clock.set(at(27, 20, 30))  # back at 20:30, not 19:00

    assert queue_due_reminders(world.core).pickup_evening == 1
    assert reminders(world.core)[0].not_before is None


def test_a_catch_up_that_would_arrive_after_its_window_is_not_written(world, clock):
    confirmed_deal(world, clock, world.resident())
    clock.set(at(27, 23))  # the morning after, 8:00, is past 7:00

    assert queue_due_reminders(world.core).total == 0
    clock.set(at(28, 7, 0))
    assert queue_due_reminders(world.core).pickup_soon == 1


def test_nothing_about_collecting_once_pickup_ended_only_a_not_collected_notice(world, clock):
    wang, li = world.resident("王芳"), world.resident("李明")
    confirmed_deal(world, clock, wang, li)
    with world.core.db.transaction() as session:
        order_id = session.scalar(select(Order.id).where(Order.resident_id == li.id))
    mark_picked_up(world.core, order_id=order_id, by="desk")

    clock.set(at(28, 11, 10))  # workers back after pickup ended
    assert queue_due_reminders(world.core).total == 0  # grace: the desk may still tick
    clock.set(at(28, 11, 30))
    report = queue_due_reminders(world.core)

    assert (report.pickup_evening, report.pickup_soon, report.uncollected) == (0, 0, 1)
    [notice] = reminders(world.core)
    assert notice.phone == wang.phone
    assert notice.body == "您订的1号赵县雪花梨2箱还没有取。请打138 0000 0000联系社区。"
    clock.set(at(29, 12))
    assert queue_due_reminders(world.core).total == 0


def test_landline_residents_are_called_and_opted_out_residents_only_recorded(world, clock):
    grandma = world.resident("李奶奶", phone="+8631188880001", landline=True)
    quiet = world.resident("赵先生")
    opt_out(world.core, community_id=world.community_id, phone=quiet.phone)
    deal = world.deal(min_units=1)
    for buyer in (grandma, quiet):  # staff enter both orders at the desk
        place_order(
            world.core,
            community_id=world.community_id,
            phone=buyer.phone,
            deal_number=deal.number,
            quantity=1,
            channel="staff",
            placed_by="desk",
        )
    clock.set(at(26, 20, 1))
    close_due_deals(world.core)

    clock.set(at(27, 19))
    queue_due_reminders(world.core)

    call, written_down = reminders(world.core)
    assert (call.phone, call.channel, call.status) == (grandma.phone, "voice", "pending")
    assert (written_down.phone, written_down.status) == (quiet.phone, "suppressed")


def test_each_community_sets_its_own_reminder_times(world, clock):
    confirmed_deal(world, clock, world.resident())
    with world.core.db.transaction() as session:
        session.execute(
            update(Community).values(reminder_evening_time="18:30", reminder_hours_before=3)
        )
    clock.set(at(27, 18, 30))
    assert queue_due_reminders(world.core).pickup_evening == 1
    clock.set(at(28, 6))
    assert queue_due_reminders(world.core).pickup_soon == 1


def test_no_pickup_reminders_for_a_deal_that_was_called_off(world, clock):
    confirmed_deal(world, clock, world.resident(), min_units=50)  # short: cancelled
    clock.set(at(27, 19))
    assert queue_due_reminders(world.core).total == 0


def test_buyers_hear_once_how_many_more_units_a_deal_needs(world, clock):
    wang, li = world.resident("王芳"), world.resident("李明")
    deal = world.deal(min_units=10)
    for buyer in (wang, li):
        place_order(
            world.core,
            community_id=world.community_id,
            phone=buyer.phone,
            deal_number=deal.number,
            quantity=3,
            channel="sms",
        )

    clock.set(at(25, 19))  # 25 hours before the deadline: not yet
    assert queue_due_reminders(world.core).short_of_minimum == 0
    clock.set(at(25, 22))  # within a day, but quiet: the count could change by 8:00
    assert queue_due_reminders(world.core).short_of_minimum == 0
    clock.set(at(26, 8))
    assert queue_due_reminders(world.core).short_of_minimum == 2
    clock.set(at(26, 12))
    assert queue_due_reminders(world.core).short_of_minimum == 0

    with world.core.db.transaction() as session:
        bodies = session.scalars(
            select(Message.body).where(Message.kind == MessageKind.DEAL_UPDATE)
        ).all()
    assert bodies == ["1号赵县雪花梨还差4箱成团，11月26日周四 20:00截止。欢迎告诉邻居一起订。"] * 2


def test_a_deal_that_reached_its_minimum_sends_no_shortfall(world, clock):
    wang = world.resident()
    deal = world.deal(min_units=2)
    place_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=deal.number,
        quantity=2,
        channel="sms",
    )
    clock.set(at(26, 9))
    assert queue_due_reminders(world.core).total == 0
