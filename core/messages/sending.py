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

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from core.calls.models import UNANSWERED, CallStatus
from core.carriers.routing import route_for
from core.carriers.variables import FilledTemplate
from core.community.models import Community
from core.context import Core
from core.messages.models import Direction, Message, MessageChannel, MessageStatus
from core.messages.outbox import HELD_IN_QUIET_HOURS, held_until
from core.messages.services import advance_status, learn_from_error
from core.residents.models import Resident

log = logging.getLogger(__name__)

#: Rows a worker may take: written and not yet handed to anyone who is sending them.
CLAIMABLE = (MessageStatus.PENDING, MessageStatus.QUEUED)
#: Errors after which nobody knows whether the carrier took the message: ask it first.
UNKNOWN_OUTCOME = frozenset({"timeout", "stuck"})
#: More identical texts than this to one number within the window is a loop, not a reminder.
LOOP_LIMIT = 20
LOOP_WINDOW = timedelta(minutes=5)
#: A landline reminder call is tried this often in all when nobody answers.
CALL_ATTEMPTS = 2
CALL_RETRY_AFTER = timedelta(minutes=10)


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
    community_id: int = 0
    # For Aliyun and Tencent: the community's filed template for this kind, filled in;
    # None there means nothing was filed, and the sender refuses rather than guess.
    template: FilledTemplate | None = None
    # Who sends it: the community's SMS or voice provider (core.carriers.routing).
    provider: str = ""
    # When the attempt of unknown outcome was last heard of (with check_provider_first).
    attempted_at: datetime | None = None

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
    return next_sends(core, [message_id])[message_id]


def next_sends(core: Core, message_ids: list[int]) -> dict[int, NextSend]:
    """`next_send` for many messages at once (a bulk job), in one transaction."""
    now = core.now()
    steps: dict[int, NextSend] = dict.fromkeys(message_ids, NothingToDo("missing"))
    with core.db.transaction() as session:
        rows = session.execute(
            select(Message, Community, Resident)
            .join(Community, Community.id == Message.community_id)
            .outerjoin(Resident, Resident.id == Message.resident_id)
            .where(Message.id.in_(message_ids))
        ).all()
        candidates = []
        for message, community, resident in rows:
            if message.direction != Direction.OUTBOUND:
                continue
            steps[message.id] = _step(core, session, message, community, resident, now)
            if isinstance(steps[message.id], Outgoing):
                candidates.append(message)
        for message in _loops(session, candidates, now):
            log.warning(
                "loop guard: message %s to %s failed, over %d identical texts in %s: %r",
                message.id,
                message.phone,
                LOOP_LIMIT,
                LOOP_WINDOW,
                message.body,
            )
            steps[message.id] = _drop(session, message, MessageStatus.FAILED, "loop", now)
    return steps


def _step(
    core: Core,
    session: Session,
    message: Message,
    community: Community,
    resident: Resident | None,
    now: datetime,
) -> NextSend:
    if message.status not in CLAIMABLE:
        return NothingToDo(message.status)
    if message.expires_at is not None and now >= message.expires_at:
        return _drop(session, message, MessageStatus.SUPPRESSED, "expired", now)
    release = held_until(message.kind, now, community.zone, core.quiet_hours, message.not_before)
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
    route = route_for(core, session, message, community)
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
        community_id=community.id,
        template=route.template,
        provider=route.provider,
        attempted_at=message.updated_at if message.error_code in UNKNOWN_OUTCOME else None,
    )


def _loops(session: Session, messages: list[Message], now: datetime) -> list[Message]:
    """Messages that would be one identical text too many to their number: one query."""
    if not messages:
        return []
    recent = {
        (phone, body): n
        for phone, body, n in session.execute(
            select(Message.phone, Message.body, func.count())
            .where(
                Message.phone.in_({m.phone for m in messages}),
                Message.sent_at >= now - LOOP_WINDOW,
                Message.direction == Direction.OUTBOUND,
            )
            .group_by(Message.phone, Message.body)
        ).all()
    }
    return [m for m in messages if recent.get((m.phone, m.body), 0) >= LOOP_LIMIT]


def _drop(session: Session, message: Message, status: str, reason: str, now: datetime) -> Dropped:
    session.execute(
        update(Message)
        .where(Message.id == message.id, Message.status.in_(CLAIMABLE))
        .values(status=status, error_code=reason, updated_at=now)
    )
    return Dropped(status, reason)


def claim(core: Core, message_id: int) -> bool:
    """Take the row for sending; False when another worker (or an earlier run) has it.
    One statement on its own (`one_statement`): paced sends claim one row at a time."""
    with core.db.one_statement() as db:
        result = db.execute(_CLAIM, {"message_id": message_id, "now": core.now()})
        return result.rowcount == 1


def claim_many(core: Core, message_ids: list[int]) -> set[int]:
    """`claim` for a bulk job: the ids it took, in one statement."""
    if not message_ids:
        return set()
    with core.db.one_statement() as db:
        taken = db.scalars(_CLAIM_MANY, {"message_ids": message_ids, "now": core.now()})
        return set(taken)


_MESSAGES = Message.__table__
_NOW = bindparam("now", type_=_MESSAGES.c.updated_at.type)
#: Built once, run for every send: the claim, and a bulk job's (its ids in one array).
_CLAIM = (
    _MESSAGES.update()
    .where(_MESSAGES.c.id == bindparam("message_id"), _MESSAGES.c.status.in_(CLAIMABLE))
    .values(status=MessageStatus.SENDING, attempts=_MESSAGES.c.attempts + 1, updated_at=_NOW)
)
_CLAIM_MANY = (
    _MESSAGES.update()
    .where(
        _MESSAGES.c.id.in_(bindparam("message_ids", expanding=True)),
        _MESSAGES.c.status.in_(CLAIMABLE),
    )
    .values(status=MessageStatus.SENDING, attempts=_MESSAGES.c.attempts + 1, updated_at=_NOW)
    .returning(_MESSAGES.c.id)
)
#: The carrier took it: its id and the time, on a row still claimed.
_SENT = (
    _MESSAGES.update()
    .where(_MESSAGES.c.id == bindparam("message_id"), _MESSAGES.c.status == MessageStatus.SENDING)
    .values(
        status=MessageStatus.SENT,
        provider_sid=bindparam("sid"),
        error_code=None,
        sent_at=bindparam("sent_at", type_=_MESSAGES.c.sent_at.type),
        updated_at=_NOW,
    )
)


def record_sent_many(core: Core, sent: dict[int, str]) -> None:
    """`record_sent` for a bulk job: one statement for the common case."""
    if not sent:
        return
    now = core.now()
    with core.db.transaction() as session:
        session.connection().execute(
            _SENT,
            [
                {"message_id": mid, "sid": sid, "sent_at": now, "now": now}
                for mid, sid in sent.items()
            ],
        )
        odd = session.scalars(
            select(Message.id).where(Message.id.in_(list(sent)), Message.provider_sid.is_(None))
        ).all()
    for message_id in odd:  # taken back meanwhile: the careful path
        record_sent(core, message_id, sent[message_id])


def record_sent(core: Core, message_id: int, provider_sid: str) -> None:
    """The carrier took it: keep its id (status callbacks and look-ups find the row by it)."""
    now = core.now()
    with core.db.one_statement() as db:  # the common case: the row is still ours
        params = {"message_id": message_id, "sid": provider_sid, "sent_at": now, "now": now}
        if db.execute(_SENT, params).rowcount == 1:
            return
    with core.db.transaction() as session:
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
        if call_status == CallStatus.COMPLETED:
            advance_status(message, MessageStatus.DELIVERED, now)
            return message.status
        if call_status not in UNANSWERED:
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
