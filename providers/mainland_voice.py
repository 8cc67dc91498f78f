"""Reminder calls through a mainland provider: the call placer port, and what it needs.

Twilio speaks our own words (TwiML); Aliyun voice notification and Tencent VMS speak only
an approved TTS template, filled with variables, to one callee a request. A placer turns
a landline reminder's `Outgoing` into one such call and returns the provider's call id,
which its call receipt names again. Branch B1 of issue 11 moves this Protocol to
core/ports/carriers.py (`CallPlacer`); it is defined here until then.
"""

from __future__ import annotations

from typing import Protocol

from core.carriers import codes
from core.carriers.variables import FilledTemplate
from core.messages.sending import Outgoing
from core.ports.carriers import SendFailed

#: How often the provider speaks the template in one call: older residents on landlines
#: often miss the first words, so twice, as the Twilio reminder call does.
PLAY_TIMES = 2


class CallPlacer(Protocol):
    name: str

    def place_reminder_call(self, out: Outgoing) -> str:
        """Ring the landline and speak the reminder; the provider's call id."""
        ...

    def find_placed(self, out: Outgoing) -> str | None:
        """The call id if an attempt of unknown outcome did place the call."""
        ...


def filed_voice_template(out: Outgoing, carrier: str) -> FilledTemplate:
    """The TTS template a call is placed with; none filed is a permanent failure."""
    if out.template is None:
        raise SendFailed(
            codes.TEMPLATE, f"no {carrier} TTS template filed for reminder calls", transient=False
        )
    return out.template
