"""The send side of the outbox: whether a message may go now, its claim, and what came of it.

A worker asks `next_send` what to do with a message id, `claim`s the row with one
conditional UPDATE (so two workers never both send it), hands the `Outgoing`
snapshot to a sender, then records the provider's id or the failure. Every step is
safe to repeat: a job that runs twice finds the row claimed or sent and does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.community.models import Community
from core.context import Core
from core.messages.models import Direction, Message, MessageChannel, MessageStatus
from core.messages.outbox import HELD_IN_QUIET_HOURS, held_until
from core.messages.services import advance_status, learn_from_error
from core.residents.models import Resident

log = logging.getLogger(__name__)

#: Rows a worker may take: written and not yet handed to anyone who is sending them.
CLAIMABLE = (MessageStatus.PENDING, MessageStatus.QUEUED)
#: Carrier refusals that no retry can change.
PERMANENT_ERRORS = frozenset({"21610", "21211", "21614", "21408", "21612", "21617"})
#: Errors after which nobody knows whether the carrier took the message: ask it first.
UNKNOWN_OUTCOME = frozenset({"timeout", "stuck"})
#: More identical texts than this to one number within the window is a loop, not a reminder.
LOOP_LIMIT = 20
LOOP_WINDOW = timedelta(minutes=5)
#: A landline reminder call is tried this often in all when nobody answers.
CALL_ATTEMPTS = 2
CALL_RETRY_AFTER = timedelta(minutes=10)
_UNANSWERED_CALLS = frozenset({"busy", "no-answer", "failed", "canceled"})
_CHUNK = 500


@dataclass(frozen=True)
class Outgoing:
    """Everything a sender needs for one attempt, read from the row and its community."""

    message_id: int
    channel: str  # "sms", or "voice" for a landline reminder call
    kind: str
    to: str
    from_number: str
    body: str
    segments: int
    language: str
    community_name: str
    voice_rate: str
    attempts_before: int
    # The previous attempt may have reached the carrier (timeout, or a worker died
    # holding it): ask the carrier for a message to this number since `created_at`.
    check_provider_first: bool
    created_at: datetime

    @property
    def held_in_quiet_hours(self) -> bool:
        """Reminders and broadcasts; these also get a validity period at the carrier."""
        return self.kind in HELD_IN_QUIET_HOURS


@dataclass(frozen=True)
class NothingToDo:
    """Sent, failed, suppressed, being sent by someone else, or not ours to send."""

    status: str


@dataclass(frozen=True)
class NotYet:
    """Not before `until` (a retry's backoff, or quiet hours): ask again then."""

    until: datetime
    kind: str


@dataclass(frozen=True)
class Dropped:
    """Given up without sending: `expired` (pointless by now) or `loop`."""

    status: str
    reason: str


NextSend = Outgoing | NothingToDo | NotYet | Dropped


def next_send(core: Core, message_id: int) -> NextSend:
    """What a worker should do with this message right now."""
    now = core.now()
    with core.db.transaction() as session:
        row = session.execute(
            select(Message, Community, Resident)
            .join(Community, Community.id == Message.community_id)
            .outerjoin(Resident, Resident.id == Message.resident_id)
            .where(Message.id == message_id)
        ).first()
        if row is None or row[0].direction != Direction.OUTBOUND:
            return NothingToDo("missing")
        message, community, resident = row
        if message.status not in CLAIMABLE:
            return NothingToDo(message.status)
        if message.expires_at is not None and now >= message.expires_at:
            return _drop(session, message, MessageStatus.SUPPRESSED, "expired", now)
        release = held_until(
            message.kind, now, community.zone, core.quiet_hours, message.not_before
        )
        if release is not None and release > now:
            if message.expires_at is not None and release >= message.expires_at:
                return _drop(session, message, MessageStatus.SUPPRESSED, "expired", now)
            if message.not_before != release:
                session.execute(
                    update(Message)
                    .where(Message.id == message.id, Message.status.in_(CLAIMABLE))
                    .values(not_before=release)
                )
            return NotYet(release, message.kind)
        if _looks_like_a_loop(session, message, now):
            log.warning(
                "loop guard: message %s to %s failed, over %d identical texts in %s: %r",
                message.id,
                message.phone,
                LOOP_LIMIT,
                LOOP_WINDOW,
                message.body,
            )
            return _drop(session, message, MessageStatus.FAILED, "loop", now)
        return Outgoing(
            message_id=message.id,
            channel=message.channel,
            kind=message.kind,
            to=message.phone,
            from_number=community.phone,
            body=message.body,
            segments=message.segments,
            language=(resident.language if resident is not None else community.language),
            community_name=community.name,
            voice_rate=community.voice_rate,
            attempts_before=message.attempts,
            check_provider_first=message.error_code in UNKNOWN_OUTCOME,
            created_at=message.created_at,
        )


def _looks_like_a_loop(session: Session, message: Message, now: datetime) -> bool:
    recent = session.scalar(
        select(func.count())
        .select_from(Message)
        .where(
            Message.phone == message.phone,
            Message.sent_at >= now - LOOP_WINDOW,
            Message.direction == Direction.OUTBOUND,
            Message.body == message.body,
            Message.id != message.id,
        )
    )
    return bool(recent and recent >= LOOP_LIMIT)


def _drop(session: Session, message: Message, status: str, reason: str, now: datetime) -> Dropped:
    session.execute(
        update(Message)
        .where(Message.id == message.id, Message.status.in_(CLAIMABLE))
        .values(status=status, error_code=reason, updated_at=now)
    )
    return Dropped(status, reason)


def claim(core: Core, message_id: int) -> bool:
    """Take the row for sending; False when another worker (or an earlier run) has it."""
    with core.db.transaction() as session:
        result = session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status.in_(CLAIMABLE))
            .values(
                status=MessageStatus.SENDING,
                attempts=Message.attempts + 1,
                updated_at=core.now(),
            )
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def record_sent(core: Core, message_id: int, provider_sid: str) -> None:
    """The carrier took it: keep its id (status callbacks and look-ups find the row by it)."""
    now = core.now()
    with core.db.transaction() as session:
        result = session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status == MessageStatus.SENDING)
            .values(
                status=MessageStatus.SENT,
                provider_sid=provider_sid,
                error_code=None,
                sent_at=now,
                updated_at=now,
            )
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return
        # Taken back by the sweep meanwhile (or already moved on by a callback):
        # the id still proves it went, so it must never be sent again.
        message = session.get(Message, message_id, with_for_update=True)
        if message is None:
            return
        if message.provider_sid is None:
            message.provider_sid = provider_sid
        advance_status(message, MessageStatus.SENT, now)


@dataclass(frozen=True)
class Retrying:
    at: datetime


@dataclass(frozen=True)
class Failed:
    code: str


def record_failure(
    core: Core,
    message_id: int,
    *,
    code: str,
    detail: str,
    transient: bool,
    retry_delays: Iterable[float],
) -> Retrying | Failed:
    """A failed attempt: retried after the next delay while the reason may pass, else failed.

    A permanent refusal teaches us about the resident (21610: they texted STOP;
    21211/21614: the number takes no texts), so later messages are suppressed.
    """
    now = core.now()
    delays = list(retry_delays)
    with core.db.transaction() as session:
        message = session.get_one(Message, message_id, with_for_update=True)
        if message.status not in (MessageStatus.SENDING, *CLAIMABLE):
            return Failed(message.error_code or code)
        message.error_code = code[:10]
        message.error_detail = detail
        message.updated_at = now
        if transient and message.attempts <= len(delays):
            community = session.get_one(Community, message.community_id)
            delay = timedelta(seconds=delays[message.attempts - 1] if message.attempts else 0)
            at = held_until(
                message.kind, now + delay, community.zone, core.quiet_hours, now + delay
            )
            assert at is not None
            if message.expires_at is not None and at >= message.expires_at:
                message.status = MessageStatus.SUPPRESSED
                return Failed("expired")
            # A retry starts the message's way out again: back to pending, due later.
            message.status = MessageStatus.PENDING
            message.not_before = at
            return Retrying(at)
        message.status = MessageStatus.FAILED
        if code in ("21408", "21612", "21617"):
            log.error(
                "message %s refused with %s: %s; text: %r", message.id, code, detail, message.body
            )
        learn_from_error(session, message, code)
        return Failed(code)


def mark_queued(core: Core, message_ids: Iterable[int]) -> None:
    """These rows are on a queue now; the sweep leaves them to it (unless the job vanishes)."""
    ids = list(message_ids)
    now = core.now()
    with core.db.transaction() as session:
        for start in range(0, len(ids), _CHUNK):
            session.execute(
                update(Message)
                .where(
                    Message.id.in_(ids[start : start + _CHUNK]),
                    Message.status == MessageStatus.PENDING,
                )
                .values(status=MessageStatus.QUEUED, updated_at=now),
                execution_options={"synchronize_session": False},
            )


def hold_until(core: Core, message_id: int, until: datetime) -> None:
    """Keep a row pending until `until` (used when the queue could not take it now)."""
    with core.db.transaction() as session:
        session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status.in_(CLAIMABLE))
            .values(status=MessageStatus.PENDING, not_before=until)
        )


def due_pending(core: Core, *, limit: int = 5000) -> list[tuple[int, str]]:
    """Rows written but never queued (Redis was down) or due again: (id, kind), oldest first."""
    now = core.now()
    with core.db.transaction() as session:
        rows = session.execute(
            select(Message.id, Message.kind)
            .where(
                Message.status == MessageStatus.PENDING,
                (Message.not_before.is_(None)) | (Message.not_before <= now),
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


def record_call_outcome(
    core: Core, *, message_id: int, call_sid: str, call_status: str
) -> str | None:
    """A reminder call ended: answered is delivered; unanswered is tried once more later.

    Only the current attempt's call counts (callbacks repeat and arrive late), so a
    repeated `no-answer` never schedules a third call. Returns the row's new status.
    """
    now = core.now()
    with core.db.transaction() as session:
        message = session.get(Message, message_id, with_for_update=True)
        if (
            message is None
            or message.channel != MessageChannel.VOICE
            or message.provider_sid != call_sid
            or message.status != MessageStatus.SENT
        ):
            return None
        if call_status == "completed":
            advance_status(message, MessageStatus.DELIVERED, now)
            return message.status
        if call_status not in _UNANSWERED_CALLS:
            return None  # initiated, ringing, in-progress: not an outcome yet
        if message.attempts < CALL_ATTEMPTS:
            community = session.get_one(Community, message.community_id)
            later = now + CALL_RETRY_AFTER
            again = held_until(message.kind, later, community.zone, core.quiet_hours, later)
            if message.expires_at is None or (again is not None and again < message.expires_at):
                message.status = MessageStatus.PENDING
                message.not_before = again
                message.provider_sid = None  # late callbacks about this call no longer count
                message.error_code = call_status[:10]
                message.updated_at = now
                return message.status
        advance_status(message, MessageStatus.UNDELIVERED, now, call_status[:10])
        return message.status
