"""What came through the spool lately, for the dashboard: texts and call-back requests
that arrived while the database was down, with when they came and when they were taken in.

Scoped to one community (the console asks for the acting user's); the spool's own
files are the web host's, and the console only shows how many wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from core.accounts.acting import acting
from core.calls.models import VoiceCall
from core.context import Core
from core.messages.models import Direction, Message

#: How far back the dashboard looks.
RECENT = timedelta(days=7)
SHOWN = 50


@dataclass(frozen=True)
class SpooledText:
    phone: str
    body: str
    arrived_at: datetime
    taken_in_at: datetime | None


@dataclass(frozen=True)
class SpooledCallback:
    phone: str
    arrived_at: datetime
    taken_in_at: datetime | None
    callback: str | None  # where the call back stands (requested, placed, ...)


@dataclass(frozen=True)
class SpooledLately:
    texts: list[SpooledText]
    callbacks: list[SpooledCallback]

    @property
    def empty(self) -> bool:
        return not self.texts and not self.callbacks


@acting(by=None)
def spooled_lately(core: Core, *, community_id: int) -> SpooledLately:
    since = core.now() - RECENT
    with core.db.transaction() as session:
        texts = session.execute(
            select(Message.phone, Message.body, Message.spooled_at, Message.taken_in_at)
            .where(
                Message.community_id == community_id,
                Message.direction == Direction.INBOUND,
                Message.spooled_at >= since,
            )
            .order_by(Message.spooled_at.desc())
            .limit(SHOWN)
        ).all()
        calls = session.execute(
            select(VoiceCall.phone, VoiceCall.spooled_at, VoiceCall.taken_in_at, VoiceCall.callback)
            .where(VoiceCall.community_id == community_id, VoiceCall.spooled_at >= since)
            .order_by(VoiceCall.spooled_at.desc())
            .limit(SHOWN)
        ).all()
    return SpooledLately(
        texts=[SpooledText(*row) for row in texts],
        callbacks=[SpooledCallback(*row) for row in calls],
    )
