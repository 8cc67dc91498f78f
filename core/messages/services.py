"""The message log: inbound texts, replies, and status changes reported by the carrier.

Statuses only move forward (see `STATUS_RANK`): Twilio's callbacks repeat and
arrive out of order, and a late `sent` must never overwrite `delivered`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.carriers import codes as carrier_codes
from core.community.models import Community
from core.context import Core
from core.messages.models import (
    STATUS_RANK,
    Direction,
    Message,
    MessageChannel,
    MessageKind,
    MessageStatus,
)
from core.messages.outbox import queue_message
from core.phones import try_normalize_phone
from core.residents.models import Resident
from core.residents.services import resident_by_phone
from core.sms_segments import count_segments

#: Carrier errors that say the resident asked for no more texts.
OPTED_OUT_ERRORS = frozenset({"21610", carrier_codes.BLOCKED})
#: Carrier errors that say the number cannot take texts at all.
UNTEXTABLE_ERRORS = {
    "21211": "invalid_number",
    "21614": "not_mobile",
    "30006": "landline",
    carrier_codes.BAD_NUMBER: "invalid_number",
}


@dataclass(frozen=True)
class Inbound:
    message_id: int
    is_new: bool  # False: the provider retried a text we already have


def inbound_values(
    session: Session, *, community_id: int, phone: str, body: str, provider_sid: str, now: datetime
) -> dict[str, object]:
    """The columns of an inbound text's log row."""
    resident = resident_by_phone(session, community_id, phone)
    return {
        "community_id": community_id,
        "resident_id": resident.id if resident else None,
        "direction": Direction.INBOUND,
        "channel": MessageChannel.SMS,
        "phone": phone,
        "body": body,
        "kind": MessageKind.INBOUND,
        "status": MessageStatus.RECEIVED,
        "segments": count_segments(body),
        "provider_sid": provider_sid,
        "created_at": now,
        "updated_at": now,
    }


def record_inbound(
    core: Core, *, community_id: int, phone: str, body: str, provider_sid: str
) -> Inbound:
    """Log an inbound text before anything else is done with it; unique on its provider id."""
    now = core.now()
    e164 = try_normalize_phone(phone) or phone
    with core.db.transaction() as session:
        existing = session.scalar(select(Message.id).where(Message.provider_sid == provider_sid))
        if existing is not None:
            return Inbound(existing, is_new=False)
        message = Message(
            **inbound_values(
                session,
                community_id=community_id,
                phone=e164,
                body=body,
                provider_sid=provider_sid,
                now=now,
            )
        )
        try:
            with session.begin_nested():
                session.add(message)
        except IntegrityError:
            pass
        else:
            return Inbound(message.id, is_new=True)
    # A concurrent retry of the same text committed first.
    with core.db.transaction() as session:
        existing_id = session.scalar(select(Message.id).where(Message.provider_sid == provider_sid))
        assert existing_id is not None
        return Inbound(existing_id, is_new=False)


def queue_reply(
    core: Core,
    *,
    community_id: int,
    phone: str,
    body: str,
    dedupe_key: str | None = None,
    even_if_opted_out: bool = False,
) -> Message | None:
    """Write a reply to a resident's own text: never held for quiet hours."""
    now = core.now()
    e164 = try_normalize_phone(phone) or phone
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        resident = resident_by_phone(session, community_id, e164)
        return queue_message(
            session,
            community=community,
            resident=resident,
            phone=e164,
            body=body,
            kind=MessageKind.REPLY,
            now=now,
            dedupe_key=dedupe_key,
            even_if_opted_out=even_if_opted_out,
        )


def mark_answered_inline(core: Core, message_id: int) -> None:
    """The reply went back in the webhook's own TwiML because the queue was down."""
    with core.db.transaction() as session:
        message = session.get_one(Message, message_id, with_for_update=True)
        message.inline = True
        advance_status(message, MessageStatus.SENT, core.now())


def advance_status(
    message: Message, status: str, now: datetime, error_code: str | None = None
) -> bool:
    """Move a message's status forward only; True when it moved."""
    if STATUS_RANK[MessageStatus(status)] <= STATUS_RANK[MessageStatus(message.status)]:
        if message.status == status and error_code and not message.error_code:
            message.error_code = error_code
        return False
    message.status = status
    message.updated_at = now
    if error_code:
        message.error_code = error_code
    if status == MessageStatus.SENT and message.sent_at is None:
        message.sent_at = now
    return True


def learn_from_error(session: Session, message: Message, error_code: str | None) -> None:
    """What a carrier error teaches about the resident: opted out, or no texts at all."""
    if not error_code or message.resident_id is None:
        return
    resident = session.get(Resident, message.resident_id)
    if resident is None:
        return
    if error_code in OPTED_OUT_ERRORS:
        resident.opted_out = True
    elif error_code in UNTEXTABLE_ERRORS:
        resident.phone_problem = UNTEXTABLE_ERRORS[error_code]


@dataclass(frozen=True)
class StatusUpdate:
    message_id: int
    status: str
    moved: bool


def apply_status_callback(
    core: Core,
    *,
    status: str,
    message_id: int | None = None,
    provider_sid: str | None = None,
    error_code: str | None = None,
    community_id: int | None = None,
    community_ids: Collection[int] | None = None,
) -> StatusUpdate | None:
    """A status reported by the carrier; None when the message or status is unknown to us.

    `community_id`: the report came through a community's own push URL, so it may only
    move that community's messages; `community_ids`: through a provider account's, which
    serves these communities."""
    try:
        new_status = MessageStatus(status)
    except ValueError:
        return None
    if new_status in (MessageStatus.RECEIVED, MessageStatus.PENDING, MessageStatus.SUPPRESSED):
        return None
    with core.db.transaction() as session:
        message = None
        if message_id is not None:
            message = session.get(Message, message_id, with_for_update=True)
        if message is None and provider_sid:
            message = session.scalar(
                select(Message).where(Message.provider_sid == provider_sid).with_for_update()
            )
        if message is None or message.direction != Direction.OUTBOUND:
            return None
        if community_id is not None and message.community_id != community_id:
            return None
        if community_ids is not None and message.community_id not in community_ids:
            return None
        if provider_sid and message.provider_sid is None:
            message.provider_sid = provider_sid
        moved = advance_status(message, new_status, core.now(), error_code or None)
        if new_status in (MessageStatus.UNDELIVERED, MessageStatus.FAILED):
            learn_from_error(session, message, error_code)
        return StatusUpdate(message.id, message.status, moved)
