"""The way to a person: key 0 or two silences put the caller through in staff hours;
otherwise, or when nobody answers, a call back is promised and its time said.

Whether a person is there comes from core.community.hours (weekly hours, public
holidays, the committee's closed days); the promise is a call-back request staff
see in the console. A caller is never left with silence: every ending says what
happens next.
"""

from __future__ import annotations

from core.calls.models import CallbackReason
from core.calls.staff_callbacks import (
    CallbackPromise,
    request_staff_callback,
    transfer_failed_in_call,
)
from core.community.hours import staff_available
from core.formatting import dial_form
from core.phones import try_normalize_phone
from ivr import speech
from ivr.navigation import goodbye, home
from ivr.states import Call, Prompt, State, Where


def _reason(call: Call, reason: CallbackReason) -> CallbackReason:
    """An unknown caller's request is above all one to register them.

    A transfer nobody answered keeps its own reason: it also stops a second transfer.
    """
    if call.resident is None and reason != CallbackReason.NO_ANSWER:
        return CallbackReason.UNKNOWN_CALLER
    return reason


def _ask(call: Call, reason: CallbackReason) -> CallbackPromise:
    return request_staff_callback(
        call.core,
        community_id=call.community.id,
        call_sid=call.call_sid,
        phone=call.caller_phone,
        reason=_reason(call, reason),
    )


def promise_lines(call: Call, promise: CallbackPromise) -> list[str]:
    """When a person will ring: 今天下午5点半以前 / 明天上午8点半上班以后."""
    zone, lang, now = call.community.zone, call.language, call.now
    if not promise.phone_known:
        if promise.from_ is not None:
            opening = speech.moment(promise.from_, zone, lang, now)
            return [call.say("ivr.callback.no_number", opening=opening)]
        return [call.say("ivr.callback.no_number_later")]
    if promise.by is not None:
        by = speech.moment(promise.by, zone, lang, now)
        return [call.say("ivr.callback.by", by=by)]
    if promise.from_ is not None:
        opening = speech.moment(promise.from_, zone, lang, now)
        return [call.say("ivr.callback.from", opening=opening)]
    return [call.say("ivr.callback.later")]


def _promised(call: Call, reason: CallbackReason, *, end: bool, first: str | None = None) -> Prompt:
    """Record the request, say when to expect the call, then end the call or go home."""
    promise = _ask(call, reason)
    lines = [first] if first else []
    lines += promise_lines(call, promise)
    if end:
        return goodbye(call).before(*lines)
    return home(call).before(*lines)


def to_staff(call: Call, *, silent: bool = False) -> Prompt:
    """Key 0 (or two silences): a person now, or a call back promised with its time."""
    if transfer_failed_in_call(call.core, call_sid=call.call_sid):
        # Nobody answered this caller a moment ago: promise the call back, do not ring again.
        first = call.say("ivr.callback.already")
        return _promised(call, CallbackReason.NO_ANSWER, end=silent, first=first)
    number = call.community.staff_line
    if not number:
        first = call.say("ivr.staff.none")
        return _promised(call, CallbackReason.NO_STAFF_LINE, end=silent, first=first)
    if not staff_available(call.core, community_id=call.community.id, at=call.now):
        first = call.say("ivr.staff.closed")
        return _promised(call, CallbackReason.OUT_OF_HOURS, end=silent, first=first)
    key = "ivr.staff.connecting_on_silence" if silent else "ivr.staff.connecting"
    return Prompt([call.say(key)], dial=number)


def staff_call_ended(call: Call, *, answered: bool) -> Prompt:
    """After the transfer: a conversation ends the call; no answer leaves a call back."""
    if answered:
        return goodbye(call)
    return _promised(call, CallbackReason.NO_ANSWER, end=False, first=call.say("ivr.staff.busy"))


def on_long_silence(call: Call) -> Prompt:
    """The second silence in a row: this caller needs a person, not the menu again."""
    return to_staff(call, silent=True)


def ring_me_back(call: Call) -> Prompt:
    """An unknown caller asks to be rung back (to be registered): their number is read back.

    Without a caller id they are asked to type the number instead.
    """
    if try_normalize_phone(call.caller_phone) is None:
        return enter_leave_number(call, Where(State.LEAVE_NUMBER))
    return _noted(call, call.caller_phone)


def _noted(call: Call, phone: str) -> Prompt:
    promise = request_staff_callback(
        call.core,
        community_id=call.community.id,
        call_sid=call.call_sid,
        phone=phone,
        reason=CallbackReason.UNKNOWN_CALLER,
    )
    digits = speech.digits(dial_form(phone), call.language)
    noted = call.say("ivr.callback.noted", phone=digits)
    return home(call).before(noted, *promise_lines(call, promise))


def enter_leave_number(call: Call, where: Where) -> Prompt:
    return Prompt([call.say("ivr.callback.type_number")], wait=Where(State.LEAVE_NUMBER))


def leave_number_keys(call: Call, where: Where, digits: str) -> Prompt | None:
    """The typed number (a landline with its area code); * goes back."""
    if "*" in digits:
        return home(call)
    phone = try_normalize_phone(digits) if digits.isdigit() else None
    if phone is None:
        return enter_leave_number(call, where).before(call.say("ivr.callback.bad_number"))
    return _noted(call, phone)
