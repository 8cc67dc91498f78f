"""The phone menu's named states, where a caller is, and what one step answers.

A caller's place in the menu travels with the next request the carrier makes
(ivr/steps.py; for Twilio the `<Gather action>` URL, `/voice/step?s=confirm&d=2&q=3&n=7`,
signed with the rest of the request). The same request therefore always gets the
same answer, which is what makes a retried step safe, and nothing is left to
clean up when a caller hangs up mid-way.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from core.community.models import Community
from core.context import Core
from core.i18n import t
from core.residents.services import ResidentView


class State(enum.StrEnum):
    MAIN = "main"  # 1 group buys, 2 my orders, 3 cancel, 0 staff, 9 repeat
    DEAL = "deal"  # one group buy read out: 1 order, 2 next, 3 previous, # main menu
    QUANTITY = "quantity"  # how many, then # (* then # goes back)
    CONFIRM = "confirm"  # the order read back: 1 confirm, 2 change the number
    ORDERS = "orders"  # my orders read out: 9 repeat, # main menu
    CANCEL = "cancel"  # which order to cancel: its number, then #
    CANCEL_CONFIRM = "cancel_confirm"  # 1 cancel it, 2 keep it
    UNREGISTERED = "unregistered"  # an unknown number: 1 deals, 2 ring me back, 0 staff
    BROWSE = "browse"  # an unknown caller hears a group buy: 2 next, 3 previous, # menu
    LEAVE_NUMBER = "leave_number"  # no caller id: the number to ring back, then #
    STAFF = "staff"  # back from putting the caller through to the staff phone
    RATE = "rate"  # a score for what the resident collected: 1-5 (key 6 in the main menu)


#: States that take a number ended by # rather than one key.
NUMBER_ENTRY = frozenset({State.QUANTITY, State.CANCEL, State.LEAVE_NUMBER})
#: Where a caller starts: "#" (back to the main menu) has nowhere further to go.
HOME_STATES = frozenset({State.MAIN, State.UNREGISTERED})
#: States only a registered resident may be in.
RESIDENTS_ONLY = frozenset(
    {
        State.MAIN,
        State.DEAL,
        State.QUANTITY,
        State.CONFIRM,
        State.ORDERS,
        State.CANCEL,
        State.CANCEL_CONFIRM,
        State.RATE,
    }
)


@dataclass(frozen=True)
class Where:
    """A state and what it is about: the deal number and the quantity typed."""

    state: State
    deal: int | None = None
    quantity: int | None = None


@dataclass
class Prompt:
    """What one step answers: words, then wait in a state, transfer, or hang up."""

    lines: list[str]
    wait: Where | None = None
    silence: int = 0  # consecutive silences so far in this state
    dial: str | None = None
    hangup: bool = False
    slower: bool = False  # the caller pressed 8: this and every later prompt is slower

    def before(self, *lines: str) -> Prompt:
        """The same prompt with words said first (an apology, a confirmation)."""
        self.lines[:0] = [line for line in lines if line]
        return self


@dataclass(frozen=True)
class Keys:
    digits: str


@dataclass(frozen=True)
class Silence:
    count: int  # this is the caller's count-th silence in a row


@dataclass(frozen=True)
class DialEnded:
    """Back from putting the caller through to the staff line."""

    answered: bool  # somebody picked up and talked (not busy, no answer, failed)


@dataclass(frozen=True)
class Enter:
    """Arriving in a state with nothing pressed (the carrier was sent on to it)."""


Event = Keys | Silence | DialEnded | Enter


@dataclass(frozen=True)
class Call:
    """One step of one call: who is calling which community, and the step's id."""

    core: Core
    call_sid: str
    phone: str
    community: Community
    resident: ResidentView | None
    step: int  # from the URL; names this step in idempotency keys
    slow: bool = False  # speaking slowly: asked for in this call (8) or remembered

    @property
    def caller_phone(self) -> str:
        """The resident's number as registered, else what the caller id said (maybe "anonymous")."""
        return self.resident.phone if self.resident else self.phone

    @property
    def language(self) -> str:
        return self.resident.language if self.resident else self.community.language

    @property
    def now(self) -> datetime:
        return self.core.now()

    def say(self, key: str, /, **params: object) -> str:
        return t(self.language, key, **params)

    def step_key(self, action: str) -> str:
        """An idempotency key for an action taken at this step: a carrier's retries repeat it."""
        return f"{self.call_sid}:{action}-{self.step}"
