"""Texts waiting to be read: recorded by the webhook, read in order under the phone's lock.

The webhook's only write is `accept_text` (the message and its inbox entry in one
transaction). The inbox is the readers' queue: a reader claims the oldest waiting
texts' phones (`claim_waiting`) and takes each phone's `pending_texts` while it holds
the phone's lock; housekeeping finds the texts whose reader was lost.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from core.context import Core
from core.conversations.models import InboxText
from core.db import UTCDateTime
from core.messages.models import Direction, Message, MessageChannel, MessageKind, MessageStatus
from core.orders.models import IdempotencyKey
from core.phones import try_normalize_phone
from core.sms_segments import count_segments


@dataclass(frozen=True)
class PendingText:
    message_id: int
    body: str
    provider_sid: str | None
    received_at: datetime
    spooled_at: datetime | None = None  # it waited in the web host's spool until then
    # Whether an action already ran under its provider id (an idempotency key): False
    # when the reader's query saw none, None when it did not ask.
    acted: bool | None = None


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

    The webhook's only write, on its hot path: one insert (no ORM object, no SELECT
    first; on PostgreSQL one statement for both rows) that does nothing when the
    provider's id is known already, so a carrier's retry is told where its text stands
    instead. `spooled_at`: the text came then, while the database was down, and waited
    in the web host's spool; it counts as received then, and is marked as taken in now.
    """
    now = core.now()
    received = spooled_at or now
    values = {
        "community_id": community_id,
        "e164": try_normalize_phone(phone),  # the resident is found inside the insert
        "direction": Direction.INBOUND.value,
        "channel": MessageChannel.SMS.value,
        "phone": phone,
        "body": body,
        "kind": MessageKind.INBOUND.value,
        "status": MessageStatus.RECEIVED.value,
        "segments": count_segments(body),
        "provider_sid": provider_sid,
        "spooled_at": spooled_at,
        "taken_in_at": now if spooled_at is not None else None,
        "received": received,
    }
    engine = core.db.autocommit_engine
    if engine is not None:  # PostgreSQL
        # One statement is its own transaction: no BEGIN and COMMIT round trips. It goes
        # to the driver as compiled once: SQLAlchemy's execution of it cost as much again.
        row = _insert_in_autocommit(engine, _compiled_for(engine), _driver_values(values))
        if row is not None:
            return Accepted(row[0], is_new=True, waiting=True)
        with engine.connect() as db:
            return _accepted(db, None, provider_sid)
    with core.db.transaction() as session:
        message_id = session.execute(_RECORD_MESSAGE, values).scalar_one_or_none()
        if message_id is not None:
            session.execute(_RECORD_ENTRY, {**values, "message_id": message_id})
        return _accepted(session, message_id, provider_sid)


def _accepted(db: Connection | Session, message_id: int | None, provider_sid: str) -> Accepted:
    if message_id is not None:
        return Accepted(message_id, is_new=True, waiting=True)
    # The carrier retried a text we have (its id is unique): say where it stands.
    known = db.execute(
        select(Message.id, InboxText.handled_at)
        .outerjoin(InboxText, InboxText.message_id == Message.id)
        .where(Message.provider_sid == provider_sid)
    ).one()
    return Accepted(known.id, is_new=False, waiting=known.handled_at is None)


# The webhook's insert, as SQL text: SQLAlchemy cannot cache its dialects' ON CONFLICT
# inserts, and compiling one cost more than the insert itself (7 ms a text, profiled).
# Both databases read the same `ON CONFLICT ... DO NOTHING RETURNING` (SQLite 3.35+);
# tests/unit/core/test_inbox_queue.py checks every column against the models.
_INSERT_MESSAGE = """
INSERT INTO messages (community_id, resident_id, direction, channel, phone, body, kind,
    status, segments, provider_sid, attempts, inline, spooled_at, taken_in_at,
    created_at, updated_at)
VALUES (:community_id,
    (SELECT id FROM residents WHERE community_id = :community_id AND phone = :e164),
    :direction, :channel, :phone, :body, :kind, :status, :segments, :provider_sid, 0, false,
    :spooled_at, :taken_in_at, :received, :received)
ON CONFLICT (provider_sid) DO NOTHING
RETURNING id"""
_TIMES = (
    bindparam("received", type_=UTCDateTime()),
    bindparam("spooled_at", type_=UTCDateTime()),
    bindparam("taken_in_at", type_=UTCDateTime()),
)
_RECORD_MESSAGE = text(_INSERT_MESSAGE).bindparams(*_TIMES)
_RECORD_ENTRY = text(
    "INSERT INTO sms_inbox (message_id, community_id, phone, received_at)"
    " VALUES (:message_id, :community_id, :phone, :received)"
).bindparams(bindparam("received", type_=UTCDateTime()))
#: PostgreSQL: the message and its inbox entry in one statement, one round trip.
_RECORD_BOTH = text(
    f"WITH new_text AS ({_INSERT_MESSAGE})"
    " INSERT INTO sms_inbox (message_id, community_id, phone, received_at)"
    " SELECT id, :community_id, :phone, :received FROM new_text"
    " RETURNING message_id"
).bindparams(*_TIMES)


def _insert_in_autocommit(engine: Engine, statement: str, params: dict[str, object]) -> Any:
    """Run one statement on a pooled connection's driver cursor; its first row.

    A driver error is raised as SQLAlchemy raises it (the webhook keeps the text in the
    spool on a SQLAlchemyError), and a connection the server dropped is thrown away,
    never handed out again: what SQLAlchemy's own execution does.
    """
    driver_error = engine.dialect.loaded_dbapi.Error
    try:
        raw = engine.raw_connection()
    except driver_error as exc:  # the server is not there
        raise DBAPIError.instance(None, None, exc, driver_error, dialect=engine.dialect) from exc
    try:
        with raw.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchone()
    except driver_error as exc:
        gone = engine.dialect.is_disconnect(exc, raw.dbapi_connection, None)
        if gone:
            raw.invalidate(exc)
        raise DBAPIError.instance(
            statement, params, exc, driver_error, connection_invalidated=gone,
            dialect=engine.dialect,
        ) from exc  # fmt: skip
    finally:
        raw.close()  # back to the pool


@functools.cache
def _compiled_for(engine: Engine) -> str:
    """The insert of both rows in the driver's own form (`%(name)s`, with the dialect's
    casts), compiled once per engine."""
    return str(_RECORD_BOTH.compile(dialect=engine.dialect))


_UTC = UTCDateTime()


def _driver_values(values: dict[str, object]) -> dict[str, object]:
    """The insert's values as the driver takes them: times as naive UTC (UTCDateTime's
    rule, which SQLAlchemy would have applied)."""
    times = {name.key: _UTC.process_bind_param(values[name.key], None) for name in _TIMES}  # type: ignore[arg-type]
    return {**values, **times}


@dataclass(frozen=True)
class Claimed:
    """What one reader took: how many texts, and their phones, oldest first."""

    texts: int
    phones: list[tuple[int, str]]  # (community id, phone)


def claim_waiting(core: Core, *, limit: int, lease: timedelta) -> Claimed:
    """Take the oldest waiting texts (up to `limit`) for one reader.

    Two readers never take the same text: on PostgreSQL the rows another reader is
    claiming are skipped (FOR UPDATE SKIP LOCKED), on SQLite writers take turns. A
    claim older than `lease` is taken to be a dead reader's, and the text may be taken
    again; the phone's lock still keeps its texts in order, whoever reads them."""
    now = core.now()
    free = or_(InboxText.claimed_at.is_(None), InboxText.claimed_at < now - lease)
    oldest = (
        select(InboxText.message_id)
        .where(InboxText.handled_at.is_(None), free)
        .order_by(InboxText.message_id)
        .limit(limit)
    )
    if core.db.is_postgres:
        oldest = oldest.with_for_update(skip_locked=True)
    with core.db.transaction() as session:
        rows = session.execute(
            update(InboxText)
            .where(InboxText.message_id.in_(oldest.scalar_subquery()))
            .values(claimed_at=now)
            .returning(InboxText.message_id, InboxText.community_id, InboxText.phone),
            execution_options={"synchronize_session": False},
        ).all()
    phones: dict[tuple[int, str], None] = {}
    for _message_id, community_id, phone in sorted(rows):
        phones.setdefault((community_id, phone), None)
    return Claimed(len(rows), list(phones))


def pending_texts(core: Core, *, community_id: int, phone: str) -> list[PendingText]:
    """The phone's texts not yet read, oldest first. Call while holding the phone's lock."""
    with core.db.transaction() as session:
        rows = session.execute(_PENDING, {"community_id": community_id, "phone": phone}).all()
        return [PendingText(*row) for row in rows]


#: Built once (run for every phone read): cheaper to run again than to build.
_PENDING = (
    select(
        InboxText.message_id,
        Message.body,
        Message.provider_sid,
        InboxText.received_at,
        Message.spooled_at,
    )
    .join(Message, Message.id == InboxText.message_id)
    .where(
        InboxText.community_id == bindparam("community_id"),
        InboxText.phone == bindparam("phone"),
        InboxText.handled_at.is_(None),
    )
    .order_by(InboxText.message_id)
)
#: The phone's oldest unread text, whether an action ran under its provider id already,
#: and how many wait: what a reading starts from (core.conversations.arrival adds the rest).
OLDEST_WAITING = (
    _PENDING.outerjoin(IdempotencyKey, IdempotencyKey.key == Message.provider_sid)
    .add_columns(IdempotencyKey.key.is_not(None), func.count().over())
    .limit(1)
)


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
