"""Staff hours follow the calendar: weekly hours, 国庆 and 调休, the committee's closed days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.community.closed_days import add_closed_day, closed_days, remove_closed_day
from core.community.hours import (
    HoursError,
    next_staff_opening,
    parse_week,
    staff_available,
)
from core.community.models import Community
from tests.builders import SHANGHAI, World


def local(y: int, m: int, d: int, hour: int, minute: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def set_hours(world: World, hours: str) -> None:
    with world.core.db.transaction() as session:
        session.get_one(Community, world.community_id).staff_hours = hours


def available(world: World, at: datetime) -> bool:
    return staff_available(world.core, community_id=world.community_id, at=at)


def test_a_public_holiday_is_closed_even_for_a_committee_open_every_day(world: World):
    assert available(world, local(2026, 9, 30, 10))  # the Wednesday before 国庆
    assert not available(world, local(2026, 10, 1, 10))  # 国庆
    assert not available(world, local(2026, 10, 4, 10))  # the holiday's Sunday
    opening = next_staff_opening(
        world.core, community_id=world.community_id, after=local(2026, 10, 1, 10)
    )
    assert opening == local(2026, 10, 8, 8, 30)


def test_weekly_hours_and_a_make_up_workday(world: World):
    set_hours(world, "mon-fri 08:30-12:00,14:00-17:30; sat 09:00-11:00")
    assert available(world, local(2026, 11, 23, 9))  # Monday morning
    assert not available(world, local(2026, 11, 23, 13))  # the lunch break
    assert available(world, local(2026, 11, 28, 10))  # an ordinary Saturday morning
    assert not available(world, local(2026, 11, 29, 10))  # Sunday
    # 2026-10-10 is a Saturday worked in exchange for 国庆: a weekday's hours.
    assert available(world, local(2026, 10, 10, 15))
    opening = next_staff_opening(
        world.core, community_id=world.community_id, after=local(2026, 11, 23, 12, 30)
    )
    assert opening == local(2026, 11, 23, 14)


def test_the_committees_own_closed_day(world: World):
    monday = date(2026, 11, 30)
    add_closed_day(world.core, community_id=world.community_id, day=monday, note="培训", by="t")
    add_closed_day(world.core, community_id=world.community_id, day=monday, note="培训日", by="")
    assert [(d.day, d.note) for d in closed_days(world.core, community_id=world.community_id)] == [
        (monday, "培训日")
    ]
    assert not available(world, local(2026, 11, 30, 10))
    assert next_staff_opening(
        world.core, community_id=world.community_id, after=local(2026, 11, 30, 10)
    ) == local(2026, 12, 1, 8, 30)
    assert remove_closed_day(world.core, community_id=world.community_id, day=monday, by="t")
    assert not remove_closed_day(world.core, community_id=world.community_id, day=monday, by="t")
    assert available(world, local(2026, 11, 30, 10))


def test_years_the_calendar_does_not_know_follow_the_weekly_hours(world: World):
    set_hours(world, "mon-fri 08:30-17:30")
    assert available(world, local(2031, 10, 1, 10))  # a Wednesday; no holiday data for 2031
    assert not available(world, local(2031, 10, 4, 10))  # a Saturday


def test_unreadable_hours_in_the_database_mean_the_default(world: World):
    set_hours(world, "whenever")
    assert available(world, local(2026, 11, 23, 10))
    assert not available(world, local(2026, 11, 23, 20))


@pytest.mark.parametrize(
    "text", ["", "9-5", "17:30-08:30", "weekdays 08:30-17:30", "fri-mon 08:30-17:30"]
)
def test_hours_that_cannot_be_read_are_refused(text: str):
    with pytest.raises(HoursError):
        parse_week(text)
