"""What every core service is handed: the database, the policy values and the clock.

The composition root (`bootstrap.py`) builds one from the settings; tests build
their own, with a clock they can move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from core.db import Database, utcnow
from core.ports.carriers import CarrierKeywords, NoCarrierKeywords
from core.settings import QuietHours


@dataclass
class Core:
    db: Database
    quiet_hours: QuietHours = field(default_factory=lambda: QuietHours.parse("21:00-08:00"))
    clock: Callable[[], datetime] = utcnow
    # The service's provider (SMS_SENDER), for communities that name none of their own
    # (`communities.sms_provider`, `voice_provider`: see core.carriers.routing).
    sms_provider: str = "console"
    # The words a carrier answers itself (providers/twilio/keywords.py, set by the root),
    # which the SMS channel therefore does not answer again.
    carrier_keywords: CarrierKeywords = field(default_factory=NoCarrierKeywords)

    def now(self) -> datetime:
        return self.clock()


class FrozenClock:
    """A clock that stands still until moved: for deadline and reminder tests."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.current = self.current + timedelta(**delta)
