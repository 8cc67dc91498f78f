"""Writing outbound messages: the outbox rows that workers send after commit.

A core call that must tell someone something writes the row here, inside its own
transaction; nothing is sent from here, and the row is announced to the relay
only once the transaction has committed (see `Database.transaction`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.community.models import Community
from core.db import OutboxEntry, note_outbox
from core.joined import in_one_transaction
from core.messages.lateness import with_late_note
from core.messages.models import (
    Direction,
    Message,
    MessageChannel,
    MessageKind,
    MessageStatus,
)
from core.residents.models import Resident
from core.settings import QuietHours
from core.sms_segments import count_segments

#: Kinds that wait for the morning; a reply to a resident's own text never waits.
HELD_IN_QUIET_HOURS = frozenset(
    {MessageKind.REMINDER, MessageKind.BROADCAST, MessageKind.DEAL_UPDATE}
)
#: Kinds a landline resident is called with instead; replies and the rest are not spoken.
CALLED_ON_LANDLINES = frozenset(
    {MessageKind.REMINDER, MessageKind.BROADCAST, MessageKind.DEAL_UPDATE, MessageKind.CONFIRMATION}
)


def end_of_quiet_hours(now: datetime, zone: ZoneInfo, quiet: QuietHours) -> datetime | None:
    """When a message written `now` may go, or None if it may go at once."""
    local = now.astimezone(zone)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return None
    release = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
    if release <= local:
        release += timedelta(days=1)
    return release.astimezone(now.tzinfo)


def delivery_for(
    resident: Resident | None, kind: str, *, even_if_opted_out: bool = False
) -> tuple[MessageChannel, MessageStatus]:
    """How a message reaches this resident (text or call), or that it is only written down."""
    if resident is None:
        return MessageChannel.SMS, MessageStatus.PENDING
    if resident.opted_out and not even_if_opted_out:
        return MessageChannel.SMS, MessageStatus.SUPPRESSED
    if not resident.can_receive_sms:
        if kind in CALLED_ON_LANDLINES and resident.landline:
            return MessageChannel.VOICE, MessageStatus.PENDING
        return MessageChannel.SMS, MessageStatus.SUPPRESSED
    return MessageChannel.SMS, MessageStatus.PENDING


def held_until(
    kind: str,
    now: datetime,
    zone: ZoneInfo,
    quiet_hours: QuietHours | None,
    not_before: datetime | None = None,
) -> datetime | None:
    """When a message of this kind written `now` may go: quiet hours hold all but replies."""
    if kind in HELD_IN_QUIET_HOURS and quiet_hours is not None:
        morning = end_of_quiet_hours(now, zone, quiet_hours)
        if morning is not None and (not_before is None or not_before < morning):
            return morning
    return not_before


def queue_message(
    session: Session,
    *,
    community: Community,
    resident: Resident | None,
    body: str,
    kind: MessageKind,
    now: datetime,
    quiet_hours: QuietHours | None = None,
    phone: str | None = None,
    deal_id: int | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    even_if_opted_out: bool = False,
    key_is_new: bool = False,
) -> Message | None:
    """Write one outbound message; None when its dedupe key was written before.

    `key_is_new`: the caller's key is new but for a retry (an order's revision, the
    reply to the text being read), so a repeat is found by the insert itself (the key
    is unique) at the cost of a savepoint rolled back, not by a query first.
    """
    if dedupe_key is not None and not key_is_new and session.scalar(
        select(Message.id).where(Message.dedupe_key == dedupe_key)
    ):
        return None
    channel, status = delivery_for(resident, kind, even_if_opted_out=even_if_opted_out)
    not_before = held_until(kind, now, community.zone, quiet_hours, not_before)
    phone = phone or (resident.phone if resident else "")
    body = with_late_note(
        session, community=community, resident=resident, phone=phone, kind=kind, body=body, now=now
    )
    message = Message(
        community_id=community.id,
        resident_id=resident.id if resident else None,
        deal_id=deal_id,
        direction=Direction.OUTBOUND,
        channel=channel,
        phone=phone,
        body=body,
        kind=kind,
        status=status,
        segments=count_segments(body),
        dedupe_key=dedupe_key,
        not_before=not_before,
        created_at=now,
        updated_at=now,
    )
    if key_is_new and in_one_transaction(session):
        # A clash rolls the whole text back (core.joined). Written with the text's last
        # flush, with the conversation: its id is known after the commit.
        session.add(message)
        if status == MessageStatus.PENDING:
            note_outbox(session, lambda: OutboxEntry(message.id, message.kind, message.not_before))
        return message
    if dedupe_key is None:  # nothing to clash with
        session.add(message)
        session.flush()
    else:
        try:
            with session.begin_nested():
                session.add(message)
        except IntegrityError:
            # A concurrent transaction wrote the same dedupe key first: it stands.
            return None
    if status == MessageStatus.PENDING:
        note_outbox(session, OutboxEntry(message.id, message.kind, message.not_before))
    return message
