"""Writing many outbox rows at once: a reminder to every buyer of a deal, in one statement.

`queue_message` checks and inserts one row at a time; for thousands of residents
this writes them with one multi-row INSERT that skips dedupe keys already taken
(ON CONFLICT DO NOTHING, so two scans racing each other write each reminder once)
and announces only the rows it really wrote to the relay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.community.models import Community
from core.db import OutboxEntry, note_outbox
from core.messages.models import Direction, Message, MessageKind, MessageStatus
from core.messages.outbox import delivery_for, held_until
from core.residents.models import Resident
from core.settings import QuietHours
from core.sms_segments import count_segments

_CHUNK = 1000


@dataclass(frozen=True)
class Recipient:
    resident: Resident
    body: str
    dedupe_key: str


@dataclass(frozen=True)
class Written:
    pending: int  # will be texted or called
    suppressed: int  # written for the record only (opted out, no usable number)


def write_messages(
    session: Session,
    *,
    community: Community,
    recipients: list[Recipient],
    kind: MessageKind,
    now: datetime,
    quiet_hours: QuietHours | None,
    deal_id: int | None = None,
    expires_at: datetime | None = None,
    batch_id: str | None = None,
) -> Written:
    """Insert one message per recipient (those whose dedupe key is new) and queue them."""
    not_before = held_until(kind, now, community.zone, quiet_hours)
    rows = []
    for recipient in recipients:
        channel, status = delivery_for(recipient.resident, kind)
        rows.append(
            {
                "community_id": community.id,
                "resident_id": recipient.resident.id,
                "deal_id": deal_id,
                "direction": Direction.OUTBOUND.value,
                "channel": channel.value,
                "phone": recipient.resident.phone,
                "body": recipient.body,
                "kind": kind.value,
                "status": status.value,
                "segments": count_segments(recipient.body),
                "attempts": 0,
                "not_before": not_before,
                "dedupe_key": recipient.dedupe_key,
                "batch_id": batch_id,
                "expires_at": expires_at,
                "inline": False,
                "created_at": now,
                "updated_at": now,
            }
        )
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # One statement, executed for many rows ("insertmanyvalues"): compiled once, sent
    # in pages, and RETURNING says which rows were new.
    statement = (
        insert(Message.__table__)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Message.__table__.c.id, Message.__table__.c.status)
    )
    pending = suppressed = 0
    connection = session.connection()
    for start in range(0, len(rows), _CHUNK):
        for message_id, status in connection.execute(statement, rows[start : start + _CHUNK]):
            if status == MessageStatus.PENDING:
                pending += 1
                note_outbox(session, OutboxEntry(message_id, kind, not_before))
            else:
                suppressed += 1
    return Written(pending, suppressed)
