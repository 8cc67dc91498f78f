"""The console's call placer: says what it would ring, and dials nobody.

A reminder call is printed like the console sender's texts (and recorded as sent
with a `CONSOLE-<id>` sid); a call back is logged, and the phone menu leaves it
recorded rather than placed.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from core.messages.sending import Outgoing
from core.ports.carriers import CallBack

log = logging.getLogger(__name__)

CONSOLE = "console"


class ConsoleCallPlacer:
    """For development and rehearsals: calls are written down, not rung."""

    name = CONSOLE

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def reminder_call(self, out: Outgoing) -> str:
        print(f"[call {out.from_number} -> {out.to}] {out.body}", file=self.stream, flush=True)
        return f"CONSOLE-{out.message_id}"

    def find_placed(self, out: Outgoing) -> str | None:
        """An unanswered doubt about a call costs a second call at most: nothing to ask."""
        return None

    def call_back(self, call: CallBack) -> str:
        log.info("console: would ring %s back from %s", call.to, call.from_number)
        return f"CONSOLE-CALLBACK-{call.call_id}"
