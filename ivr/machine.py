"""The phone menu as an explicit state machine: each named state, how it is entered,
what its keys do, and the rules every state shares.

Shared rules: 0 reaches a person from anywhere; in a one-key menu 9 repeats the
menu, * repeats its last sentence, 8 slows every prompt for the rest of the call
(and for the resident's next calls), # goes back to the main menu; a key that is
not on the menu gets an apology and the menu again. Silence repeats the menu
once; the second silence in a row puts the caller through to a person (or, when
nobody is there, promises a call back and says when). A caller whose number is
not registered only ever reaches the unknown-caller menus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.residents.services import set_voice_pace
from ivr import my_orders, navigation, ordering, rating, staff_line
from ivr.states import (
    HOME_STATES,
    NUMBER_ENTRY,
    RESIDENTS_ONLY,
    Call,
    DialEnded,
    Enter,
    Event,
    Keys,
    Prompt,
    Silence,
    State,
    Where,
)

#: The second silence in a row means the caller needs a person.
SILENCES_BEFORE_A_PERSON = 2
REPEAT_MENU, REPEAT_LAST, SLOWER, BACK = "9", "*", "8", "#"

Enterer = Callable[[Call, Where], Prompt]
KeyHandler = Callable[[Call, Where, str], Prompt | None]  # None: not a key of this menu


@dataclass(frozen=True)
class StateSpec:
    enter: Enterer
    keys: KeyHandler


def _main_keys(call: Call, where: Where, digits: str) -> Prompt | None:
    if digits == "1":
        return ordering.enter_deal(call, Where(State.DEAL))
    if digits == "2":
        return my_orders.enter_orders(call, Where(State.ORDERS))
    if digits == "3":
        return my_orders.enter_cancel(call, Where(State.CANCEL))
    if digits == rating.RATE_KEY and navigation.rating_waits(call):
        return rating.enter_rate(call, Where(State.RATE))
    return None


def _unregistered_keys(call: Call, where: Where, digits: str) -> Prompt | None:
    if digits == "1":
        return ordering.enter_deal(call, Where(State.BROWSE))
    if digits == "2":
        return staff_line.ring_me_back(call)
    return None


def _no_keys(call: Call, where: Where, digits: str) -> Prompt | None:
    return None


def _enter_home(call: Call, where: Where) -> Prompt:
    return navigation.home(call, after=False)


STATES: dict[State, StateSpec] = {
    State.MAIN: StateSpec(lambda call, where: navigation.main_menu(call), _main_keys),
    State.DEAL: StateSpec(ordering.enter_deal, ordering.deal_keys),
    State.QUANTITY: StateSpec(ordering.enter_quantity, ordering.quantity_keys),
    State.CONFIRM: StateSpec(ordering.enter_confirm, ordering.confirm_keys),
    State.ORDERS: StateSpec(my_orders.enter_orders, my_orders.orders_keys),
    State.CANCEL: StateSpec(my_orders.enter_cancel, my_orders.cancel_keys),
    State.CANCEL_CONFIRM: StateSpec(my_orders.enter_cancel_confirm, my_orders.cancel_confirm_keys),
    State.UNREGISTERED: StateSpec(
        lambda call, where: navigation.unregistered(call), _unregistered_keys
    ),
    State.BROWSE: StateSpec(ordering.enter_deal, ordering.browse_keys),
    State.LEAVE_NUMBER: StateSpec(staff_line.enter_leave_number, staff_line.leave_number_keys),
    State.STAFF: StateSpec(_enter_home, _no_keys),
    State.RATE: StateSpec(rating.enter_rate, rating.rate_keys),
}


def greet(call: Call) -> Prompt:
    return navigation.greeting(call)


def answer(call: Call, where: Where, event: Event) -> Prompt:
    """One step: the caller pressed keys, stayed silent, came back from staff, or arrived."""
    if where.state in RESIDENTS_ONLY and call.resident is None:
        where = Where(State.UNREGISTERED)  # never a menu that could order
    if where.deal is None and where.state in (State.QUANTITY, State.CONFIRM, State.CANCEL_CONFIRM):
        where = Where(State.MAIN)  # a URL without its deal: start again safely
    if where.state == State.CONFIRM and where.quantity is None:
        where = Where(State.QUANTITY, deal=where.deal)
    spec = STATES[where.state]
    match event:
        case Silence(count):
            return _on_silence(call, where, spec, count)
        case DialEnded(answered):
            return staff_line.staff_call_ended(call, answered=answered)
        case Keys(digits):
            return _on_keys(call, where, spec, digits)
        case Enter():
            return spec.enter(call, where)
    raise TypeError(f"unknown event {event!r}")  # pragma: no cover


def _on_keys(call: Call, where: Where, spec: StateSpec, digits: str) -> Prompt:
    if digits == "0":
        return staff_line.to_staff(call)
    if where.state not in NUMBER_ENTRY:
        shared = _shared_key(call, where, spec, digits)
        if shared is not None:
            return shared
    prompt = spec.keys(call, where, digits)
    if prompt is None:
        return spec.enter(call, where).before(call.say("ivr.wrong_key"))
    return prompt


def _shared_key(call: Call, where: Where, spec: StateSpec, digits: str) -> Prompt | None:
    """The keys every one-key menu shares (a number being typed takes them as digits)."""
    if digits == REPEAT_MENU:
        return spec.enter(call, where)
    if digits == REPEAT_LAST:
        return _repeat_last(call, where, spec)
    if digits == SLOWER:
        return _slower(call, where, spec)
    if digits == BACK and where.state not in HOME_STATES:
        return navigation.home(call)
    return None


def _repeat_last(call: Call, where: Where, spec: StateSpec) -> Prompt:
    """The last thing said before the keys, then the keys: what a caller most often missed."""
    prompt = spec.enter(call, where)
    if where.state == State.MAIN:
        prompt.lines[:0] = navigation.headline(call)
    prompt.lines = prompt.lines[-2:]
    return prompt


def _slower(call: Call, where: Where, spec: StateSpec) -> Prompt:
    """Key 8: slower speech from now on, remembered for the resident's next calls."""
    if call.slow:
        return spec.enter(call, where).before(call.say("ivr.pace.already"))
    if call.resident is not None:
        set_voice_pace(
            call.core, community_id=call.community.id, phone=call.resident.phone, pace="slow"
        )
        said = call.say("ivr.pace.slower_remembered")
    else:
        said = call.say("ivr.pace.slower")
    prompt = spec.enter(call, where).before(said)
    prompt.slower = True
    return prompt


def _on_silence(call: Call, where: Where, spec: StateSpec, count: int) -> Prompt:
    if count >= SILENCES_BEFORE_A_PERSON:
        return staff_line.on_long_silence(call)
    prompt = spec.enter(call, where)
    if prompt.wait is None:
        return prompt
    prompt.before(call.say("ivr.silence.repeat"))
    prompt.silence = count
    return prompt
