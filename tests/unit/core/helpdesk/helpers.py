"""Texts that need a person, and phones held back, as the SMS reader leaves them."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from sqlalchemy import select

from core.conversations.models import Conversation
from core.helpdesk.models import HelpReason
from core.helpdesk.services import ask_for_help
from core.messages.services import record_inbound

_sids = count(1)


def writes_for_help(world, phone: str, body: str, reason: HelpReason) -> int:  # type: ignore[no-untyped-def]
    """A text arrives and the reader decides it needs a person; returns the help item's id."""
    text = record_inbound(
        world.core,
        community_id=world.community_id,
        phone=phone,
        body=body,
        provider_sid=f"SMhelp{next(_sids):06d}",
    )
    with world.core.db.transaction() as session:
        return ask_for_help(
            session,
            community_id=world.community_id,
            phone=phone,
            reason=reason,
            message_id=text.message_id,
            now=world.core.now(),
        )


def held_back(world, phone: str, *, minutes: int = 30, reason: str = "flood") -> None:  # type: ignore[no-untyped-def]
    """The flood rule held this phone (written the way core.conversations records it)."""
    now = world.core.now()
    with world.core.db.transaction() as session:
        conversation = session.scalar(
            select(Conversation).where(
                Conversation.community_id == world.community_id, Conversation.phone == phone
            )
        )
        if conversation is None:
            conversation = Conversation(
                community_id=world.community_id,
                phone=phone,
                recent_texts=[],
                recent_replies=[],
                updated_at=now,
            )
            session.add(conversation)
        conversation.muted_until = now + timedelta(minutes=minutes)
        conversation.muted_reason = reason
        conversation.recent_texts = [now.isoformat()] * 11
