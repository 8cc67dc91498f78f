"""Daily caps and the sending window of a mainland community, asked before each send.

Aliyun takes 50 notifications per template per number a day, Tencent a few a number a
day, and the carriers about 10 non-marketing texts (shared/CHINA-PROVIDERS.md 2.2-2.4):
past the cap the provider refuses, and the text is lost for the day. So before a worker
sends, `within_daily_caps` looks at what each resident got today:

- replies and confirmations go first: they may use the whole budget; everything else
  leaves `RESERVED_FOR_REPLIES` texts of it for them;
- pickup reminders that would pass the budget are merged into one digest per pickup
  (取货提醒：赵县雪花梨2箱、蔚县小米1袋，请于…到社区服务站取); what still does not fit is
  held to the next morning (`cn_held`), or dropped if it would be pointless by then;
- outside 08:00-21:00 every kind but a direct reply waits for the morning (the
  providers' and carriers' window for notifications, whatever QUIET_HOURS says);
- the row's filed template is filled from its typed values, and a free text too long
  for its variable is carried over several texts (each one more row in the outbox).

Communities on Twilio or the console pass through untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from core.carriers.digests import (
    DIGEST_PREFIX,
    MERGED,
    digest_facts,
    due_reminders,
    merge_into_digests,
)
from core.carriers.filling import (
    VARIABLE_LIMIT,
    can_send_digest,
    fill_for_row,
    is_superseded,
)
from core.carriers.models import Carrier, CarrierAccount
from core.carriers.variables import FilledTemplate
from core.community.models import Community
from core.context import Core
from core.messages.models import Message, MessageChannel, MessageKind, MessageStatus
from core.messages.outbox import end_of_quiet_hours
from core.messages.sending import CLAIMABLE, Dropped, NextSend, NotYet, Outgoing
from core.settings import QuietHours

#: The providers' documented per-number day caps (Aliyun: per template).
DEFAULT_DAILY_BUDGET: dict[str, int] = {Carrier.ALIYUN: 50, Carrier.TENCENT: 10}
#: Aliyun counts per signature, template and number; Tencent per number.
COUNTED_PER_TEMPLATE = frozenset({Carrier.ALIYUN})
#: Texts of the day's budget that reminders and news leave for replies and confirmations.
RESERVED_FOR_REPLIES = 2
FIRST = frozenset({MessageKind.REPLY, MessageKind.CONFIRMATION, MessageKind.STAFF_REPLY})
#: The answer to a resident's own text: the one kind sent at night.
DIRECT_REPLIES = frozenset({MessageKind.REPLY, MessageKind.CONFIRMATION})
#: When a mainland community's texts wait: outside the 08:00-21:00 window.
MAINLAND_QUIET = QuietHours.parse("21:00-08:00")
#: error_code of a row held to the next morning by the cap.
HELD = "cn_held"
#: error_code of a confirmation no template can tell any more: the order changed since.
SUPERSEDED = "superseded"
_COUNTED = (
    MessageStatus.SENDING,
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.UNDELIVERED,
)


def provider_of(core: Core, community: Community) -> str:
    """The community's SMS provider: its own once communities carry one, else SMS_SENDER."""
    return getattr(community, "sms_provider", None) or core.sms_provider


def daily_budget(account: CarrierAccount | None, provider: str) -> int:
    if account is not None and account.daily_budget:
        return account.daily_budget
    return DEFAULT_DAILY_BUDGET.get(provider, 10)


def within_daily_caps(core: Core, steps: dict[int, NextSend]) -> dict[int, NextSend]:
    """What the send path should do with each message, mainland caps and window applied.

    Takes and returns `next_sends`' answer: an Outgoing may become NotYet (held),
    Dropped (merged into a digest) or an Outgoing with its filled template."""
    steps = _calls_in_daytime(core, steps)
    outs = [
        s for s in steps.values() if isinstance(s, Outgoing) and s.channel == MessageChannel.SMS
    ]
    if not any(out.provider in Carrier.__members__.values() for out in outs):
        # Twilio and the console (each Outgoing names its route): not a query more
        return steps
    decided = dict(steps)
    now = core.now()
    with core.db.transaction() as session:
        batch = _Batch()
        for out in sorted(outs, key=lambda o: (o.kind not in FIRST, o.message_id)):
            if not isinstance(decided.get(out.message_id), Outgoing):
                continue  # merged into a digest a moment ago
            decision = _decide(core, session, out, now, batch)
            if isinstance(decision, dict):
                decided.update(decision)
            else:
                decided[out.message_id] = decision
    return decided


def _calls_in_daytime(core: Core, steps: dict[int, NextSend]) -> dict[int, NextSend]:
    """Reminder calls placed through Aliyun or Tencent keep the mainland window too: a
    call is never a direct reply, so outside 08:00-21:00 it waits for the morning.

    They are not counted against the texts' budget: voice notification is another
    product, and its documentation gives no per-number day cap (CHINA-PROVIDERS.md 2.5)."""
    calls = [
        s
        for s in steps.values()
        if isinstance(s, Outgoing)
        and s.channel == MessageChannel.VOICE
        and s.provider in Carrier.__members__.values()
    ]
    if not calls:
        return steps
    decided = dict(steps)
    now = core.now()
    with core.db.transaction() as session:
        for call in calls:
            message = session.get(Message, call.message_id)
            community = session.get(Community, call.community_id)
            if message is None or community is None:
                continue
            morning = end_of_quiet_hours(now, community.zone, MAINLAND_QUIET)
            if morning is not None:
                decided[call.message_id] = _hold(session, message, morning, None)
    return decided


@dataclass
class _Batch:
    """What this call let through already: counted before the rows are claimed."""

    texts: dict[tuple[str, str], int] = field(default_factory=dict)
    going: set[int] = field(default_factory=set)


def _decide(
    core: Core, session: Session, out: Outgoing, now: datetime, batch: _Batch
) -> NextSend | dict[int, NextSend]:
    message = session.get(Message, out.message_id)
    community = session.get(Community, out.community_id)
    if message is None or community is None:
        return out
    provider = provider_of(core, community)
    if provider not in Carrier.__members__.values():
        return out
    if message.kind not in DIRECT_REPLIES:
        morning = end_of_quiet_hours(now, community.zone, MAINLAND_QUIET)
        if morning is not None:
            return _hold(session, message, morning, None)
    account = session.scalar(
        select(CarrierAccount).where(
            CarrierAccount.community_id == community.id, CarrierAccount.provider == provider
        )
    )
    facts = None
    if (message.dedupe_key or "").startswith(DIGEST_PREFIX):
        facts = digest_facts(session, message, community, out.language)
    filled = fill_for_row(
        session,
        message=message,
        community=community,
        provider=provider,
        language=out.language,
        facts=facts,
    )
    if filled is None and is_superseded(session, message):
        # An order changed again before this confirmation went: the later one tells it.
        return _drop(session, message, SUPERSEDED)
    texts = filled.texts if filled is not None else ()
    scope = (message.phone, message.kind if provider in COUNTED_PER_TEMPLATE else "")
    budget = daily_budget(account, provider)
    allowed = budget if message.kind in FIRST else max(1, budget - RESERVED_FOR_REPLIES)
    used = _sent_today(session, message, community, now, scope[1]) + batch.texts.get(scope, 0)
    need = max(1, len(texts))
    due = 1
    if message.kind == MessageKind.REMINDER:
        due = len(due_reminders(session, message, community, now, exclude=batch.going)) or 1
    if used + max(need, due) <= allowed:
        return _let_through(session, message, out, texts, now, batch, scope, need)
    decided: dict[int, NextSend] = {}
    if due > 1 and used < allowed and can_send_digest(session, community.id, provider):
        # The due reminders would pass the budget: one digest per pickup instead.
        merged = merge_into_digests(
            session,
            message=message,
            community=community,
            now=now,
            items_limit=VARIABLE_LIMIT.get(provider, 20),
            exclude=batch.going,
        )
        if message.id in merged:
            return {mid: Dropped(MessageStatus.SUPPRESSED, MERGED) for mid in merged}
        if merged:  # a digest of the others will take a text of the budget
            decided = {mid: Dropped(MessageStatus.SUPPRESSED, MERGED) for mid in merged}
            batch.texts[scope] = batch.texts.get(scope, 0) + 1
            used += 1
    if used + need <= allowed:  # alone at its pickup, and there is room for it
        decided[message.id] = _let_through(session, message, out, texts, now, batch, scope, need)
    else:
        decided[message.id] = _hold(session, message, _next_morning(now, community), HELD)
    return decided if len(decided) > 1 else decided[message.id]


def _let_through(
    session: Session,
    message: Message,
    out: Outgoing,
    texts: tuple[FilledTemplate, ...],
    now: datetime,
    batch: _Batch,
    scope: tuple[str, str],
    need: int,
) -> Outgoing:
    batch.texts[scope] = batch.texts.get(scope, 0) + need
    batch.going.add(message.id)
    return _go(session, message, out, texts, now)


def _go(
    session: Session,
    message: Message,
    out: Outgoing,
    texts: tuple[FilledTemplate, ...],
    now: datetime,
) -> Outgoing:
    """The row goes out with its first text; the other pieces become rows of their own."""
    if len(texts) > 1:
        first_value = _split_value(texts[0])
        for number, filled in enumerate(texts[1:], start=2):
            _continuation(session, message, _split_value(filled), number, now)
        message.body = first_value
        session.flush()
        return replace(out, template=texts[0], body=first_value)
    return replace(out, template=texts[0] if texts else None)


def _split_value(filled: FilledTemplate) -> str:
    """The free value of a filled template: what differs from one piece to the next."""
    values = dict(filled.values)
    return values.get("content") or values.get("items") or filled.text


def _continuation(
    session: Session, message: Message, body: str, number: int, now: datetime
) -> None:
    from core.db import OutboxEntry, note_outbox
    from core.sms_segments import count_segments

    key = f"part:{message.id}:{number}"
    if session.scalar(select(Message.id).where(Message.dedupe_key == key)):
        return
    piece = Message(
        community_id=message.community_id,
        resident_id=message.resident_id,
        direction=message.direction,
        channel=message.channel,
        phone=message.phone,
        body=body,
        kind=message.kind,
        status=MessageStatus.PENDING,
        segments=count_segments(body),
        dedupe_key=key,
        batch_id=message.batch_id,
        expires_at=message.expires_at,
        created_at=now,
        updated_at=now,
    )
    session.add(piece)
    session.flush()
    note_outbox(session, OutboxEntry(piece.id, piece.kind, None))


def _drop(session: Session, message: Message, code: str) -> Dropped:
    session.execute(
        update(Message)
        .where(Message.id == message.id, Message.status.in_(CLAIMABLE))
        .values(status=MessageStatus.SUPPRESSED, error_code=code)
    )
    return Dropped(MessageStatus.SUPPRESSED, code)


def _hold(session: Session, message: Message, until: datetime, code: str | None) -> NextSend:
    """Not before `until`; dropped when it would be pointless by then."""
    if message.expires_at is not None and until >= message.expires_at:
        return _drop(session, message, code or "expired")
    values: dict[str, object] = {"not_before": until}
    if code is not None:
        values["error_code"] = code
    session.execute(
        update(Message)
        .where(Message.id == message.id, Message.status.in_(CLAIMABLE))
        .values(**values)
    )
    return NotYet(until, message.kind)


def _day_start(now: datetime, community: Community) -> datetime:
    local = now.astimezone(community.zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)


def _next_morning(now: datetime, community: Community) -> datetime:
    local = now.astimezone(community.zone) + timedelta(days=1)
    start = MAINLAND_QUIET.end
    morning = local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    return morning.astimezone(now.tzinfo)


def _sent_today(
    session: Session, message: Message, community: Community, now: datetime, kind: str
) -> int:
    """Texts this number got from the community today (its own day), sent or being sent."""
    since = _day_start(now, community)
    query = select(func.count(Message.id)).where(
        Message.community_id == community.id,
        Message.phone == message.phone,
        Message.channel == MessageChannel.SMS,
        Message.status.in_(_COUNTED),
        Message.id != message.id,
        or_(Message.sent_at >= since, (Message.sent_at.is_(None)) & (Message.updated_at >= since)),
    )
    if kind:
        query = query.where(Message.kind == kind)
    return session.scalar(query) or 0
