"""Tables for the conversation with one phone number.

Kept in the database, not Redis: the dialog must survive Redis being down, and
the same transaction that records a text as handled moves its dialog on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class Conversation(Base):
    """Where the dialog with one phone stands, and what the abuse rules remember of it."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("community_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    phone: Mapped[str] = mapped_column(String(40))  # E.164 where it parses, else as received
    # The question we last asked, if any; it lapses DIALOG_TTL after it was asked.
    awaiting_quantity_for: Mapped[int | None] = mapped_column(Integer, default=None)
    awaiting_cancel_choice: Mapped[bool] = mapped_column(Boolean, default=False)
    # A list shown in pages ("deals" or "orders") and how many items were shown so far.
    list_kind: Mapped[str | None] = mapped_column(String(10), default=None)
    list_shown: Mapped[int] = mapped_column(Integer, default=0)
    state_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # A question that waits for the resident's answer: the changes to confirm
    # ({"kind": "confirm", "changes": [...]}) or the deals to pick from ({"kind": "pick", ...}).
    pending: Mapped[dict | None] = mapped_column(JSON, default=None)
    # The deal the dialog was last about: what "再加一份" or "改成3份" refers to.
    last_deal: Mapped[int | None] = mapped_column(Integer, default=None)
    # Texts in a row that were not understood: the second one gets the simplest path.
    misread: Mapped[int] = mapped_column(Integer, default=0)
    # Abuse and loop guards: arrival times of recent texts, digests of recent replies.
    recent_texts: Mapped[list[str]] = mapped_column(JSON, default=list)
    recent_replies: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    muted_reason: Mapped[str | None] = mapped_column(String(20), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InboxText(Base):
    """An inbound text waiting to be read, or read already (`handled_at`).

    Texts from one phone are read in the order they were recorded, by whichever
    request holds that phone's lock; a Twilio retry of a text already read finds
    it handled and does nothing.
    """

    __tablename__ = "sms_inbox"
    __table_args__ = (
        Index("ix_sms_inbox_phone_handled", "community_id", "phone", "handled_at"),
        # The inbox as a queue: the readers claim the oldest waiting texts, and the
        # sweep looks for stale ones, among a few waiting rows, not every text ever read.
        Index(
            "ix_sms_inbox_waiting",
            "message_id",
            sqlite_where=text("handled_at IS NULL"),
            postgresql_where=text("handled_at IS NULL"),
        ),
    )

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    phone: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When a reader took it (its phone's texts) to read: others leave it for a while, and
    # take it back after that if the reader died (core.conversations.inbox.claim_waiting).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # What came of it, for staff and for the log: the intent's name, "muted", "ignored", ...
    outcome: Mapped[str | None] = mapped_column(String(40), default=None)
