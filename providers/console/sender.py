"""The console sender (`SMS_SENDER=console`): prints what would be sent, sends nothing.

The send job still records the message as sent, with a `CONSOLE-<id>` sid, so the
staff pages and the phone simulator show it as a real send would be shown.
"""

from __future__ import annotations

import sys
from typing import TextIO

from core.messages.models import MessageChannel
from core.messages.sending import Outgoing


class ConsoleSender:
    """For development and rehearsals: prints what would be sent."""

    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, out: Outgoing) -> str:
        how = "call" if out.channel == MessageChannel.VOICE else "sms"
        print(f"[{how} {out.from_number} -> {out.to}] {out.body}", file=self.stream, flush=True)
        return f"CONSOLE-{out.message_id}"

    def find_sent(self, out: Outgoing) -> str | None:
        return None  # printing twice harms nobody
