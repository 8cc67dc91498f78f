"""The main menu, the unknown caller's menu, and the way to a person (key 0)."""

from __future__ import annotations

from datetime import time

from ivr import speech
from ivr.states import Call, State, Turn, Where

DIAL_TIMEOUT_SECONDS = 30  # about six rings before "nobody could answer"


def greeting(call: Call) -> Turn:
    """The first words of a call: by name for a resident, then their menu."""
    name = call.community.name
    if call.resident is None:
        return unregistered(call).before(call.say("ivr.greeting.unknown", community=name))
    hello = call.say("ivr.greeting.known", name=call.resident.name, community=name)
    return main_menu(call).before(hello)


def main_menu(call: Call) -> Turn:
    return Turn([call.say("ivr.main.menu")], wait=Where(State.MAIN))


def unregistered(call: Call) -> Turn:
    lines = [call.say("ivr.unregistered"), call.say("ivr.unregistered.menu")]
    return Turn(lines, wait=Where(State.UNREGISTERED))


def home(call: Call, *, after: bool = True) -> Turn:
    """Back where this caller starts: the main menu, or the unknown caller's menu."""
    if call.resident is None:
        return unregistered(call)
    turn = main_menu(call)
    return turn.before(call.say("ivr.main.anything_else")) if after else turn


def goodbye(call: Call) -> Turn:
    return Turn([call.say("ivr.goodbye")], hangup=True)


def staff_hours(call: Call) -> tuple[time, time] | None:
    """The staff line's hours ("08:30-17:30"); None when unset or unreadable (always open)."""
    try:
        start, end = (time.fromisoformat(p.strip()) for p in call.community.staff_hours.split("-"))
    except (AttributeError, ValueError):
        return None
    return (start, end) if start < end else None


def to_staff(call: Call) -> Turn:
    """Key 0: ring the staff phone, or say when someone will be there."""
    number = call.community.staff_line
    if not number:
        return home(call).before(call.say("ivr.staff.none"))
    hours = staff_hours(call)
    if hours is not None:
        start, end = hours
        local = call.now.astimezone(call.community.zone).time().replace(tzinfo=None)
        if not start <= local < end:
            day = call.say("ivr.day.today" if local < start else "ivr.day.tomorrow")
            closed = call.say(
                "ivr.staff.closed",
                start=speech.clock(start, call.language),
                end=speech.clock(end, call.language),
                day=day,
            )
            return home(call).before(closed)
    return Turn([call.say("ivr.staff.connecting")], dial=number)


def staff_call_ended(call: Call, status: str) -> Turn:
    """After the <Dial>: a finished conversation ends the call; no answer goes home."""
    if status == "completed":
        return goodbye(call)
    return home(call).before(call.say("ivr.staff.busy"))
