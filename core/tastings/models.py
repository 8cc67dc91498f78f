"""Scores residents gave a deal: a tasting's sample before it opens, or after pickup.

One row per deal, resident and kind, written when the question is asked and filled
when the answer comes; an unanswered row is the open question a bare "4" answers.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class RatingKind(enum.StrEnum):
    SAMPLE = "sample"  # a tasting-team member scored a sample before the deal opened
    PICKUP = "pickup"  # a resident scored what they collected


class Tasting(Base):
    __tablename__ = "tastings"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), unique=True)
    started_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("deal_id", "resident_id", "kind"),
        Index("ix_ratings_resident_asked", "resident_id", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    kind: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(5), default="sms")  # sms, voice, staff
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    score: Mapped[int | None] = mapped_column(Integer, default=None)  # 1..5
    words: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The text (or call) that gave the score: the same text read twice scores once.
    answer_key: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)


class TastingPolicy(Base):
    """Whether a community asks residents about what they collected (off unless set)."""

    __tablename__ = "tasting_policies"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    ask_after_pickup: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
