"""Getting messages moving again: what the outbox sweep asks the database.

Rows the relay could not enqueue (Redis was down), retries whose time came,
reminders released after quiet hours, and rows a dead worker left `sending`.
The worker side (`workers/sweep.py`) checks Redis and enqueues; this says which
rows, and moves them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update

from core.context import Core
from core.messages.models import Message, MessageStatus
from core.messages.sending import CLAIMABLE
from core.messages.services import advance_status

log = logging.getLogger(__name__)

_CHUNK = 500


def mark_queued(core: Core, message_ids: Iterable[int]) -> None:
    """These rows are on a queue now; the sweep leaves them to it (unless the job vanishes)."""
    ids = list(message_ids)
    now = core.now()
    for start in range(0, len(ids), _CHUNK):  # each chunk stands alone: marking is idempotent
        with core.db.one_statement() as db:  # after every reader's batch: no session
            db.execute(_QUEUED, {"message_ids": ids[start : start + _CHUNK], "now": now})


_MESSAGES = Message.__table__
_QUEUED = (
    _MESSAGES.update()
    .where(
        _MESSAGES.c.id.in_(bindparam("message_ids", expanding=True)),
        _MESSAGES.c.status == MessageStatus.PENDING,
    )
    .values(
        status=MessageStatus.QUEUED,
        updated_at=bindparam("now", type_=_MESSAGES.c.updated_at.type),
    )
)


def hold_until(core: Core, message_id: int, until: datetime) -> None:
    """Keep a row pending until `until` (used when the queue could not take it now)."""
    with core.db.transaction() as session:
        session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status.in_(CLAIMABLE))
            .values(status=MessageStatus.PENDING, not_before=until)
        )


#: A row pending for less than this may be on its way to its queue: the relay enqueues
#: it right after its commit, or a reader holds its batch's replies until the batch is read
#: (sms_gateway.jobs.READ_FOR_SECONDS). The sweep leaves it so long, or it would enqueue it
#: a second time under the same job id, over the job that may be running (bench/scale_out:
#: a reply batch's job record vanished under its worker, RQ's InvalidJobOperation).
ON_ITS_WAY = timedelta(seconds=5)


def due_pending(core: Core, *, limit: int = 5000) -> list[tuple[int, str]]:
    """Rows written but never queued (Redis was down) or due again: (id, kind), oldest first.
    A row written in the last ON_ITS_WAY is left to the relay that is queueing it."""
    now = core.now()
    with core.db.transaction() as session:
        rows = session.execute(
            select(Message.id, Message.kind)
            .where(
                Message.status == MessageStatus.PENDING,
                (Message.not_before.is_(None)) | (Message.not_before <= now),
                Message.updated_at < now - ON_ITS_WAY,
            )
            .order_by(Message.id)
            .limit(limit)
        ).all()
        return [(row.id, row.kind) for row in rows]


def long_queued(core: Core, *, older_than: timedelta, limit: int = 5000) -> list[tuple[int, str]]:
    """Rows queued this long: the caller checks whether their job still exists."""
    cutoff = core.now() - older_than
    with core.db.transaction() as session:
        rows = session.execute(
            select(Message.id, Message.kind)
            .where(Message.status == MessageStatus.QUEUED, Message.updated_at < cutoff)
            .order_by(Message.id)
            .limit(limit)
        ).all()
        return [(row.id, row.kind) for row in rows]


def still_queued(core: Core, message_ids: Iterable[int]) -> set[int]:
    """Of these rows, the ones still `queued`: read again after the sweep asked Redis, so
    a row whose job sent it and ended in between is not taken for one that lost its job."""
    ids = list(message_ids)
    if not ids:
        return set()
    with core.db.transaction() as session:
        return set(
            session.scalars(
                select(Message.id).where(
                    Message.id.in_(ids), Message.status == MessageStatus.QUEUED
                )
            )
        )


def take_back_stuck(
    core: Core, *, older_than: timedelta, max_attempts: int
) -> list[tuple[int, str]]:
    """Rows left `sending` this long: the worker holding them died. Pending again, marked
    `stuck` so the next attempt first asks the carrier whether the last one got through."""
    now = core.now()
    cutoff = now - older_than
    taken: list[tuple[int, str]] = []
    with core.db.transaction() as session:
        stuck = session.scalars(
            select(Message)
            .where(Message.status == MessageStatus.SENDING, Message.updated_at < cutoff)
            .order_by(Message.id)
            .with_for_update(skip_locked=True)
        ).all()
        for message in stuck:
            if message.provider_sid is not None:  # it went; only the bookkeeping was lost
                advance_status(message, MessageStatus.SENT, now)
                continue
            message.error_code = "stuck"
            message.updated_at = now
            if message.attempts >= max_attempts:
                message.status = MessageStatus.FAILED
                continue
            message.status = MessageStatus.PENDING
            taken.append((message.id, message.kind))
    if stuck:
        log.warning("sweep: took back %d message(s) stuck in sending", len(stuck))
    return taken
