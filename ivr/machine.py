"""The phone menu as an explicit state machine: each named state, how it is entered,
what its keys do, and the rules every state shares.

Shared rules: 0 reaches a person from anywhere; 9 repeats a one-key menu; a key
that is not on the menu gets an apology and the menu again; silence repeats the
menu, the second silence adds the offer of a person, the third ends the call
politely. A caller whose number is not registered only ever reaches the
unknown-caller menu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ivr import my_orders, navigation, ordering
from ivr.states import (
    NUMBER_ENTRY,
    RESIDENTS_ONLY,
    Call,
    DialEnded,
    Enter,
    Event,
    Keys,
    Silence,
    State,
    Turn,
    Where,
)

#: The third silence in a row ends the call.
SILENCES_BEFORE_GOODBYE = 3

Enterer = Callable[[Call, Where], Turn]
KeyHandler = Callable[[Call, Where, str], Turn | None]  # None: not a key of this menu


@dataclass(frozen=True)
class StateSpec:
    enter: Enterer
    keys: KeyHandler


def _main_keys(call: Call, where: Where, digits: str) -> Turn | None:
    if digits == "1":
        return ordering.enter_deal(call, Where(State.DEAL))
    if digits == "2":
        return my_orders.enter_orders(call, Where(State.ORDERS))
    if digits == "3":
        return my_orders.enter_cancel(call, Where(State.CANCEL))
    return None


def _no_keys(call: Call, where: Where, digits: str) -> Turn | None:
    return None


def _enter_home(call: Call, where: Where) -> Turn:
    return navigation.home(call, after=False)


STATES: dict[State, StateSpec] = {
    State.MAIN: StateSpec(lambda call, where: navigation.main_menu(call), _main_keys),
    State.DEAL: StateSpec(ordering.enter_deal, ordering.deal_keys),
    State.QUANTITY: StateSpec(ordering.enter_quantity, ordering.quantity_keys),
    State.CONFIRM: StateSpec(ordering.enter_confirm, ordering.confirm_keys),
    State.ORDERS: StateSpec(my_orders.enter_orders, my_orders.orders_keys),
    State.CANCEL: StateSpec(my_orders.enter_cancel, my_orders.cancel_keys),
    State.CANCEL_CONFIRM: StateSpec(my_orders.enter_cancel_confirm, my_orders.cancel_confirm_keys),
    State.UNREGISTERED: StateSpec(lambda call, where: navigation.unregistered(call), _no_keys),
    State.STAFF: StateSpec(_enter_home, _no_keys),
}


def greet(call: Call) -> Turn:
    return navigation.greeting(call)


def answer(call: Call, where: Where, event: Event) -> Turn:
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
        case DialEnded(status):
            return navigation.staff_call_ended(call, status)
        case Keys(digits):
            return _on_keys(call, where, spec, digits)
        case Enter():
            return spec.enter(call, where)
    raise TypeError(f"unknown event {event!r}")  # pragma: no cover


def _on_keys(call: Call, where: Where, spec: StateSpec, digits: str) -> Turn:
    if digits == "0":
        return navigation.to_staff(call)
    if digits == "9" and where.state not in NUMBER_ENTRY:
        return spec.enter(call, where)
    turn = spec.keys(call, where, digits)
    if turn is None:
        return spec.enter(call, where).before(call.say("ivr.wrong_key"))
    return turn


def _on_silence(call: Call, where: Where, spec: StateSpec, count: int) -> Turn:
    if count >= SILENCES_BEFORE_GOODBYE:
        return Turn([call.say("ivr.silence.goodbye")], hangup=True)
    turn = spec.enter(call, where)
    if turn.wait is None:
        return turn
    if count <= 1:
        turn.before(call.say("ivr.silence.repeat"))
    else:
        turn.lines.append(call.say("ivr.silence.offer_staff"))
    turn.silence = count
    return turn
