"""The phone menu's face to a carrier: one request of a call in, what to answer out.

A provider's voice webhook (providers/twilio/voice_web.py) verifies the request,
reads it into `CallParties` and an `Event`, and calls `start` or `step` here;
this module finds the community by the number called and the resident by the
caller's, decides whether a resident is rung back instead (free for them), hands
the event to the state machine, and says how to speak the answer. The provider
renders the `CallAnswer` in its wire format.
"""

from __future__ import annotations

from dataclasses import dataclass

from bootstrap import Mianhua
from core.calls.services import identify, skip_callback, start_call
from core.community.models import Community
from core.community.services import community_by_phone
from core.i18n import DEFAULT_LANGUAGE, t
from core.residents.services import ResidentView
from ivr import machine
from ivr.callback import enqueue_callback
from ivr.pace import Pace, pace_for, plain_pace, prefers_slow
from ivr.states import Call, Event, Prompt
from ivr.steps import StepRequest

INBOUND = "inbound"


@dataclass(frozen=True)
class CallParties:
    """Who is on one request of a call: the community's line and the other party."""

    call_sid: str
    line: str  # the community's number
    caller: str  # the resident's number, or what the caller id said ("anonymous")
    direction: str = INBOUND  # the carrier's word for a call we placed otherwise

    @property
    def rang_us(self) -> bool:
        return self.direction == INBOUND


@dataclass(frozen=True)
class MenuAnswer:
    """What the menu says and awaits, how to say it, and this request's step id."""

    prompt: Prompt
    pace: Pace
    step: int = 0


@dataclass(frozen=True)
class RingBack:
    """Refuse the call unanswered, so it costs the caller nothing: they are rung back."""


CallAnswer = MenuAnswer | RingBack


def start(root: Mianhua, parties: CallParties) -> CallAnswer:
    """A call begins: the greeting, or a rejection when a call back is owed and queued."""
    core = root.core
    community = community_by_phone(core, parties.line)
    if community is None or not parties.call_sid:
        return not_our_line()
    started = start_call(
        core,
        community_id=community.id,
        call_sid=parties.call_sid[:64],
        phone=parties.caller,
        direction=parties.direction[:20],
        offer_callback=parties.rang_us,
    )
    if started.callback_owed:
        if enqueue_callback(root, started.call_id):
            return RingBack()
        skip_callback(core, call_id=started.call_id)  # no queue: answer the call instead
    call = _call(root, parties, community, started.resident, step=0, slow=False)
    return _spoken(root, call, machine.greet(call))


def step(root: Mianhua, parties: CallParties, asked: StepRequest, event: Event) -> CallAnswer:
    """A later step: the caller pressed keys, stayed silent, came back from staff, or arrived."""
    found = identify(root.core, community_phone=parties.line, phone=parties.caller)
    if found is None:
        return not_our_line()
    community, resident = found
    call = _call(root, parties, community, resident, step=asked.step, slow=asked.slow)
    return _spoken(root, call, machine.answer(call, asked.where, event))


def not_our_line() -> MenuAnswer:
    """A number that is no community of ours: say so in Chinese, and hang up."""
    words = t(DEFAULT_LANGUAGE, "ivr.unknown_line")
    return MenuAnswer(Prompt([words], hangup=True), plain_pace(DEFAULT_LANGUAGE))


def apology() -> MenuAnswer:
    """Something broke: a polite goodbye rather than the carrier's own error message."""
    words = t(DEFAULT_LANGUAGE, "ivr.error")
    return MenuAnswer(Prompt([words], hangup=True), plain_pace(DEFAULT_LANGUAGE))


def _call(
    root: Mianhua,
    parties: CallParties,
    community: Community,
    resident: ResidentView | None,
    *,
    step: int,
    slow: bool,
) -> Call:
    return Call(
        root.core,
        parties.call_sid[:64],
        parties.caller,
        community,
        resident,
        step,
        slow=slow or prefers_slow(resident),
    )


def _spoken(root: Mianhua, call: Call, prompt: Prompt) -> MenuAnswer:
    """A caller who needs slower speech also gets half as long again to find a key."""
    pace = pace_for(
        call.language,
        call.community.voice_rate,
        slow=call.slow or prompt.slower,
        key_timeout_seconds=root.settings.ivr_key_timeout_seconds,
    )
    return MenuAnswer(prompt, pace, call.step)
