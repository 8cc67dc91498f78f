"""The console's call placer: logs the call back it would place, and dials nobody."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class ConsoleCallPlacer:
    """For development and rehearsals: the call back is written down, not rung."""

    name = "console"

    def call_back(self, *, to: str, from_: str) -> str | None:
        log.info("console: would ring %s back from %s", to, from_)
        return None
