"""Who asked to hear of new deals, and which deal was announced to whom."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class AnnouncementSubscription(Base):
    __tablename__ = "announcement_subscriptions"
    __table_args__ = (UniqueConstraint("resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_by: Mapped[str] = mapped_column(String(80))  # "sms" or the staff login
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DealAnnouncement(Base):
    """A deal whose opening was announced (to however many): never announced twice."""

    __tablename__ = "deal_announcements"

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    recipients: Mapped[int] = mapped_column(default=0)
    held_by_cap: Mapped[int] = mapped_column(default=0)
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AnnouncementSent(Base):
    """One resident told of one deal: what the weekly cap counts."""

    __tablename__ = "announcements_sent"
    __table_args__ = (
        UniqueConstraint("deal_id", "resident_id"),
        Index("ix_announcements_sent_resident_at", "resident_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
