"""The help inbox's table: one row per resident (phone) waiting for a person.

A phone has at most one open item per community, so a resident who writes five
times is one row in the inbox, not five. `open_phone` carries the phone while the
item is open and is cleared when it is done: the unique constraint on it holds
that rule on SQLite and PostgreSQL alike (NULLs never collide), and doubles as the
index the inbox reads its open items by.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class HelpReason(enum.StrEnum):
    NOT_UNDERSTOOD = "not_understood"  # not understood twice in a row
    QUESTION = "question"  # a question the service cannot answer
    COMPLAINT = "complaint"  # a complaint (e.g. bad produce)
    WANTS_PERSON = "wants_person"  # "找人工", "我要跟人说话"
    UNKNOWN_NUMBER = "unknown_number"  # a text from a number that is no resident
    FLOOD = "flood"  # a phone held back for flooding
    CALLBACK = "callback"  # a phone call-back request
    # A member's reply to a team message, marked with the team (core/teams).
    TEAM_PRICE_SURVEY = "team_price_survey"
    TEAM_FARM_INSPECTION = "team_farm_inspection"
    TEAM_TASTING = "team_tasting"
    TEAM_BARGAINING = "team_bargaining"


class HelpStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class HelpRequest(Base):
    __tablename__ = "help_requests"
    __table_args__ = (
        UniqueConstraint("community_id", "open_phone"),
        Index("ix_help_requests_community_status", "community_id", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    phone: Mapped[str] = mapped_column(String(40))
    # The phone while the item is open, NULL once done: one open item per phone.
    open_phone: Mapped[str | None] = mapped_column(String(40), default=None)
    # The resident of that phone when the item was opened (None: an unknown number).
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), default=None)
    reason: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=HelpStatus.OPEN)
    first_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), default=None)
    latest_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), default=None)
    # Since when the resident waits for a person; cleared by an answer, set again by
    # the next text that needs one. Open items without it have been answered.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_by: Mapped[str | None] = mapped_column(String(80), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    done_by: Mapped[str | None] = mapped_column(String(80), default=None)
