"""Reminder calls through a mainland provider: what both placers need.

Twilio speaks our own words (TwiML); Aliyun voice notification and Tencent VMS speak only
an approved TTS template, filled with variables, to one callee a request. A placer turns
a landline reminder's `Outgoing` into one such call and returns the provider's call id,
which its call receipt names again. Both are `core.ports.carriers.ReminderCaller`s.
"""

from __future__ import annotations

from core.carriers import codes
from core.carriers.variables import FilledTemplate
from core.messages.sending import Outgoing
from core.ports.carriers import SendFailed

#: How often the provider speaks the template in one call: older residents on landlines
#: often miss the first words, so twice, as the Twilio reminder call does.
PLAY_TIMES = 2


def filed_voice_template(out: Outgoing, carrier: str) -> FilledTemplate:
    """The TTS template a call is placed with; none filed is a permanent failure."""
    if out.template is None:
        raise SendFailed(
            codes.TEMPLATE, f"no {carrier} TTS template filed for reminder calls", transient=False
        )
    return out.template
