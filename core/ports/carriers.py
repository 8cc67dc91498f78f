"""The carrier ports: what the workers and channels ask of whoever carries a text or a call.

The providers (providers/twilio, providers/aliyun, providers/tencent, providers/console)
implement these; nothing here knows any provider's SDK or wire format. A send returns
the provider's id or raises `SendFailed`, which says whether the reason may pass (retry
later) or not; a request a provider sent us is judged `Verification` before anything
of it is recorded or kept.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from core.messages.sending import Outgoing

#: The longest text any carrier takes or hands us: Twilio's cap (its error 21617), which
#: the mainland providers stay well inside. A longer body is no resident's text.
MAX_TEXT_CHARS = 1600


class SendFailed(Exception):
    """The provider did not take the message; `transient` ones are worth retrying."""

    def __init__(self, code: str, detail: str, *, transient: bool) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.transient = transient


class MessageSender(Protocol):
    """Delivers one outbox message: a text, or for a landline a call that speaks it."""

    name: str

    def send(self, out: Outgoing) -> str:
        """Text it (or, for a landline, call and speak it); the provider's id."""
        ...

    def find_sent(self, out: Outgoing) -> str | None:
        """The provider's id if an earlier attempt of unknown outcome did get through."""
        ...


class BatchSender(MessageSender, Protocol):
    """A sender whose provider takes many numbers in one call (Aliyun, Tencent)."""

    def send_batch(self, outs: list[Outgoing]) -> dict[int, str | SendFailed]:
        """Each message id's provider id, or why it was not taken."""
        ...


class CallFailed(Exception):
    """A call could not be placed. `transient`: try again soon; `number_refused`: the
    carrier blames the number itself, so no later try will ring it either."""

    def __init__(
        self, code: str, detail: str, *, transient: bool, number_refused: bool = False
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.transient = transient
        self.number_refused = number_refused


@dataclass(frozen=True)
class CallBack:
    """A call back owed to a resident: ring `to` from the community's number."""

    call_id: int
    to: str
    from_number: str


class ReminderCaller(Protocol):
    """Speaks a reminder to a landline: every carrier with calls has this (Twilio, and
    the mainland voice notifications, Aliyun's and Tencent's, which play a filed TTS
    template and cannot ring a resident into a menu)."""

    name: str

    def reminder_call(self, out: Outgoing) -> str:
        """Ring the landline and speak the reminder twice; the provider's call id.
        Raises SendFailed, as a text's send does."""
        ...

    def find_placed(self, out: Outgoing) -> str | None:
        """The call id if an attempt of unknown outcome did place the call."""
        ...


class CallPlacer(ReminderCaller, Protocol):
    """Places the calls Mianhua makes itself: a reminder spoken to a landline, and the
    call back promised to a resident who asked for one (a carrier with a phone menu)."""

    def call_back(self, call: CallBack) -> str:
        """Ring the resident back into the phone menu; the provider's call id.
        Raises CallFailed."""
        ...


@dataclass(frozen=True)
class Verification:
    """What a provider's request was judged: taken (and how it was authenticated, as
    the spool records it), or refused and why (for the log; the provider hears 403)."""

    accepted: bool
    by: str  # "twilio-signature", "unchecked (setting)", "push-key", ...
    refusal: str = ""

    @classmethod
    def passed(cls, by: str) -> Verification:
        return cls(True, by)

    @classmethod
    def refused(cls, by: str, why: str) -> Verification:
        return cls(False, by, why)


class CarrierKeyword(enum.StrEnum):
    """What a carrier does itself with a word a resident texts."""

    OPT_OUT = "opt_out"  # it blocks the number from our texts, and answers the resident
    OPT_IN = "opt_in"  # it unblocks the number, and answers


class CarrierKeywords(Protocol):
    """The whole-message words a carrier acts on itself (Twilio's STOP and START).

    The channel still reads them as the resident's opt-out or opt-in, but says nothing
    more: the carrier answered already, and a reply of ours to a blocked number bounces.
    """

    def acted_on(self, body: str) -> CarrierKeyword | None:
        """What the carrier did with this text by itself, if anything."""
        ...


class NoCarrierKeywords:
    """A carrier that leaves every word to us (the console, a bare core in tests)."""

    def acted_on(self, body: str) -> CarrierKeyword | None:
        return None
