"""Texts waiting to be read: recorded by the webhook, read in order under the phone's lock.

The webhook's only write is `accept_text` (the message and its inbox entry in one
transaction); the reader takes `pending_texts` while it holds the phone's lock, and
housekeeping finds the phones whose read job was lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from core.context import Core
from core.conversations.models import InboxText
from core.messages.models import Message, MessageChannel, MessageKind, MessageStatus
from core.messages.services import inbound_values


@dataclass(frozen=True)
class PendingText:
    message_id: int
    body: str
    provider_sid: str | None
    received_at: datetime


def receive_text(
    core: Core, *, community_id: int, phone: str, message_id: int, received_at: datetime
) -> None:
    """Put a recorded inbound text in the phone's inbox; a second call changes nothing."""
    with core.db.transaction() as session:
        if session.get(InboxText, message_id) is not None:
            return
        try:
            with session.begin_nested():
                session.add(
                    InboxText(
                        message_id=message_id,
                        community_id=community_id,
                        phone=phone,
                        received_at=received_at,
                    )
                )
        except IntegrityError:
            pass  # a concurrent retry of the same text put it there first


@dataclass(frozen=True)
class Accepted:
    message_id: int
    is_new: bool  # False: Twilio retried a text we have
    waiting: bool  # not read yet: someone must read it (again, if its reader died)


def accept_text(
    core: Core,
    *,
    community_id: int,
    phone: str,
    body: str,
    provider_sid: str,
    spooled_at: datetime | None = None,
) -> Accepted:
    """Record an inbound text and put it in the phone's inbox, in one transaction.

    The webhook's only write: everything else about the text happens when it is read.
    `spooled_at`: the text came then, while the database was down, and waited in the
    web host's spool; it counts as received then, and is marked as taken in now.
    """
    now = core.now()
    received = spooled_at or now
    try:
        with core.db.transaction() as session:
            values = inbound_values(
                session,
                community_id=community_id,
                phone=phone,
                body=body,
                provider_sid=provider_sid,
                now=received,
            )
            if spooled_at is not None:
                values.update(spooled_at=spooled_at, taken_in_at=now)
            message_id = session.execute(
                insert(Message).values(values).returning(Message.id)
            ).scalar_one()
            session.execute(
                insert(InboxText).values(
                    message_id=message_id,
                    community_id=community_id,
                    phone=phone,
                    received_at=received,
                )
            )
        return Accepted(message_id, is_new=True, waiting=True)
    except IntegrityError:
        pass  # Twilio retried a text we have (MessageSid is unique): say where it stands
    with core.db.transaction() as session:
        known = session.execute(
            select(Message.id, InboxText.handled_at)
            .outerjoin(InboxText, InboxText.message_id == Message.id)
            .where(Message.provider_sid == provider_sid)
        ).first()
        if known is not None:
            return Accepted(known.id, is_new=False, waiting=known.handled_at is None)
    raise RuntimeError(f"could not record text {provider_sid}")  # pragma: no cover


def pending_texts(core: Core, *, community_id: int, phone: str) -> list[PendingText]:
    """The phone's texts not yet read, oldest first. Call while holding the phone's lock."""
    with core.db.transaction() as session:
        rows = session.execute(
            select(InboxText.message_id, Message.body, Message.provider_sid, InboxText.received_at)
            .join(Message, Message.id == InboxText.message_id)
            .where(
                InboxText.community_id == community_id,
                InboxText.phone == phone,
                InboxText.handled_at.is_(None),
            )
            .order_by(InboxText.message_id)
        ).all()
        return [PendingText(*row) for row in rows]


def stale_inbox_phones(core: Core, *, older_than: datetime) -> list[tuple[int, str, int]]:
    """Phones with a text recorded before `older_than` and still unread: the newest such
    text of each (community id, phone, message id). Their read job was lost."""
    with core.db.transaction() as session:
        rows = session.execute(
            select(InboxText.community_id, InboxText.phone, func.max(InboxText.message_id))
            .where(InboxText.handled_at.is_(None), InboxText.received_at < older_than)
            .group_by(InboxText.community_id, InboxText.phone)
        ).all()
        return [(community_id, phone, message_id) for community_id, phone, message_id in rows]


def unsent_answers(core: Core, *, message_ids: list[int], phone: str) -> list[tuple[int, str]]:
    """Of these just-written messages, the texts to `phone` still waiting to be sent:
    what the webhook answers inline when the queue cannot be reached."""
    if not message_ids:
        return []
    with core.db.transaction() as session:
        rows = session.execute(
            select(Message.id, Message.body)
            .where(
                Message.id.in_(message_ids),
                Message.phone == phone,
                Message.status == MessageStatus.PENDING,
                Message.channel == MessageChannel.SMS,
                Message.kind.in_([MessageKind.REPLY, MessageKind.CONFIRMATION]),
            )
            .order_by(Message.id)
        ).all()
        return [(message_id, body) for message_id, body in rows]
