"""When a person answers the staff line: the weekly hours, China's public holidays and
make-up workdays (the `chinese-calendar` package), and the committee's own closed days.

Everything that promises "a person" (the phone menu's transfer, the call-back
promise, the call-back sweep) asks here, so a caller is never offered someone who
is not there on 国庆 or on the committee's training day. Dates the package has no
data for (it knows 2004 to its release year) fall back to the weekly hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.accounts.services import audit
from core.community.models import ClosedDay, Community
from core.context import Core

#: How far ahead the next opening is looked for (the longest break is 春节 plus closed days).
LOOK_AHEAD_DAYS = 60
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAYS = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)(?:-(mon|tue|wed|thu|fri|sat|sun))?$")


class HoursError(ValueError):
    """The weekly hours could not be read; the text says what to write instead."""


@dataclass(frozen=True)
class Window:
    start: time
    end: time


Week = dict[int, tuple[Window, ...]]  # Monday is 0


def _window(text: str) -> Window:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as exc:
        raise HoursError(f"{text!r} is not a time window like 08:30-17:30") from exc
    if not start < end:
        raise HoursError(f"{text!r} ends before it starts")
    return Window(start, end)


def parse_week(text: str) -> Week:
    """"08:30-17:30" (every day) or "mon-fri 08:30-12:00,14:00-17:30; sat 09:00-12:00"."""
    text = (text or "").strip().lower()
    if not text:
        raise HoursError("no hours given")
    if ";" not in text and text[0].isdigit():
        windows = tuple(_window(part) for part in text.split(","))
        return {day: windows for day in range(7)}
    week: Week = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        days, _, spans = part.partition(" ")
        found = _DAYS.match(days.strip())
        if found is None or not spans.strip():
            raise HoursError(f"{part!r} is not like 'mon-fri 08:30-17:30'")
        first = DAY_NAMES.index(found.group(1))
        last = DAY_NAMES.index(found.group(2) or found.group(1))
        if last < first:
            raise HoursError(f"{days!r} runs backwards")
        windows = tuple(_window(span) for span in spans.split(","))
        for day in range(first, last + 1):
            week[day] = week.get(day, ()) + windows
    return week


@dataclass(frozen=True)
class StaffCalendar:
    """One community's staff hours, ready to be asked about any moment."""

    zone: ZoneInfo
    week: Week
    closed_days: frozenset[date]

    def windows_on(self, day: date) -> tuple[Window, ...]:
        """The hours a person answers on a local date."""
        if day in self.closed_days:
            return ()
        try:
            on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:  # a year the package has no data for
            return self.week.get(day.weekday(), ())
        if on_holiday and holiday is not None:
            return ()  # a public holiday (国庆, 春节), its bridging weekend days included
        if not on_holiday and day.weekday() >= 5:
            return self._workday_windows()  # a make-up workday (调休上班)
        return self.week.get(day.weekday(), ())

    def _workday_windows(self) -> tuple[Window, ...]:
        """A make-up Saturday keeps an ordinary weekday's hours (Monday's, or the first set)."""
        return next((self.week[d] for d in range(5) if self.week.get(d)), ())

    def available(self, at: datetime) -> bool:
        local = at.astimezone(self.zone)
        moment = local.time().replace(tzinfo=None)
        return any(w.start <= moment < w.end for w in self.windows_on(local.date()))

    def next_opening(self, after: datetime) -> datetime | None:
        """`after` itself when a person is there, else the start of the next window."""
        if self.available(after):
            return after
        local = after.astimezone(self.zone)
        for offset in range(LOOK_AHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            for window in sorted(self.windows_on(day), key=lambda w: w.start):
                start = datetime.combine(day, window.start, tzinfo=self.zone)
                if start > local:
                    return start
        return None

    def closing(self, at: datetime) -> datetime | None:
        """When the window `at` falls in ends; None when nobody is there at `at`."""
        local = at.astimezone(self.zone)
        moment = local.time().replace(tzinfo=None)
        for window in self.windows_on(local.date()):
            if window.start <= moment < window.end:
                return datetime.combine(local.date(), window.end, tzinfo=self.zone)
        return None


def calendar_of(session: Session, community: Community) -> StaffCalendar:
    """The community's calendar, read in the caller's transaction.

    Hours that cannot be read (typed by hand into the database) mean "every day,
    08:30-17:30", the default, rather than nobody ever answering.
    """
    try:
        week = parse_week(community.staff_hours)
    except HoursError:
        week = parse_week("08:30-17:30")
    # A committee closes a handful of days a year: all of them is a small read.
    closed = session.scalars(
        select(ClosedDay.day).where(ClosedDay.community_id == community.id)
    ).all()
    return StaffCalendar(community.zone, week, frozenset(closed))


@acting(by=None)
def staff_calendar(core: Core, *, community_id: int) -> StaffCalendar:
    with core.db.transaction() as session:
        return calendar_of(session, session.get_one(Community, community_id))


def staff_available(core: Core, *, community_id: int, at: datetime | None = None) -> bool:
    """Whether a person answers the staff line at `at` (now when None)."""
    return staff_calendar(core, community_id=community_id).available(at or core.now())


def next_staff_opening(
    core: Core, *, community_id: int, after: datetime | None = None
) -> datetime | None:
    """When a person is next there: `after` (now) itself while open; None: not in 60 days."""
    return staff_calendar(core, community_id=community_id).next_opening(after or core.now())


@acting()
def set_staff_hours(core: Core, *, community_id: int, hours: str, by: str) -> str:
    """Change the weekly hours; raises HoursError saying what is wrong. Returns them as saved."""
    text = " ".join((hours or "").split())
    parse_week(text)
    if len(text) > 200:
        raise HoursError("at most 200 characters")
    with core.db.transaction() as session:
        session.get_one(Community, community_id).staff_hours = text
        audit(session, actor=by, action="staff_hours.set", community_id=community_id,
              hours=text)
    return text
