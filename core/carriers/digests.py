"""Pickup reminders merged into one text when the day's cap would not take them all.

A resident with three deals to collect would get three reminders; at a cap of a few
texts a day (Tencent, the carriers) that crowds out her replies. The reminders due for
one pickup (the same window and place) become one digest, 取货提醒：赵县雪花梨2箱、蔚县小米
1袋，请于11月28日周六 9:00-11:00到社区服务站取。 The merged rows stay in the outbox as
`suppressed` with `merged` and the digest's id, so the console can say who got what.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby

from sqlalchemy import Row, or_, select, update
from sqlalchemy.orm import Session

from core import formatting
from core.carriers.variables import MessageFacts, fit
from core.community.models import Community
from core.deals.models import Deal
from core.i18n import t
from core.messages.models import Message, MessageChannel, MessageKind, MessageStatus
from core.messages.outbox import queue_message
from core.orders.models import Order
from core.residents.models import Resident

DIGEST_PREFIX = "digest:"
#: error_code of a reminder merged into a digest; error_detail names the digest.
MERGED = "merged"
_CLAIMABLE = (MessageStatus.PENDING, MessageStatus.QUEUED)


def due_reminders(
    session: Session,
    message: Message,
    community: Community,
    now: datetime,
    *,
    exclude: set[int] = frozenset(),  # type: ignore[assignment]
) -> list[Row[tuple[Message, Deal, Order]]]:
    """The resident's pickup reminders due now and not yet sent (with deal and order)."""
    if message.resident_id is None:
        return []
    rows = session.execute(
        select(Message, Deal, Order)
        .join(Deal, Deal.id == Message.deal_id)
        .join(Order, (Order.deal_id == Deal.id) & (Order.resident_id == Message.resident_id))
        .where(
            Message.community_id == community.id,
            Message.resident_id == message.resident_id,
            Message.kind == MessageKind.REMINDER,
            Message.channel == MessageChannel.SMS,
            Message.status.in_(_CLAIMABLE),
            or_(Message.not_before.is_(None), Message.not_before <= now),
            or_(Message.expires_at.is_(None), Message.expires_at > now),
            Message.dedupe_key.like("reminder:%"),
            ~Message.dedupe_key.like("%:uncollected"),
        )
        .order_by(Deal.pickup_start, Message.id)
    ).all()
    return [row for row in rows if row[0].id not in exclude]


def merge_into_digests(
    session: Session,
    *,
    message: Message,
    community: Community,
    now: datetime,
    items_limit: int,
    exclude: set[int] = frozenset(),  # type: ignore[assignment]
) -> list[int]:
    """Merge the resident's due pickup reminders, per pickup, into digests; the ids merged.

    A pickup with one reminder only is left alone (there is nothing to merge it with)."""
    resident = session.get(Resident, message.resident_id) if message.resident_id else None
    if resident is None:
        return []
    rows = due_reminders(session, message, community, now, exclude=exclude)
    language = resident.language
    merged: list[int] = []

    def pickup(row):  # type: ignore[no-untyped-def]
        deal = row[1]
        return (deal.pickup_start, deal.pickup_end, deal.pickup_place or community.pickup_place)

    for (start, end, place), group in groupby(rows, key=pickup):
        for chunk in _chunks(list(group), language, items_limit):
            if len(chunk) < 2:
                continue
            digest = queue_message(
                session,
                community=community,
                resident=resident,
                body=t(
                    language,
                    "sms.digest",
                    items=_items(chunk, language),
                    pickup=formatting.span(start, end, community.zone, language),
                    place=place,
                ),
                kind=MessageKind.REMINDER,
                now=now,
                dedupe_key=f"{DIGEST_PREFIX}{resident.id}:{chunk[0][0].id}",
            )
            if digest is None:
                continue
            expiries = [row[0].expires_at for row in chunk]
            digest.expires_at = None if None in expiries else max(expiries)  # type: ignore[type-var]
            ids = [row[0].id for row in chunk]
            session.execute(
                update(Message)
                .where(Message.id.in_(ids), Message.status.in_(_CLAIMABLE))
                .values(
                    status=MessageStatus.SUPPRESSED,
                    error_code=MERGED,
                    error_detail=f"{DIGEST_PREFIX}{digest.id}",
                    updated_at=now,
                )
            )
            merged += ids
    session.flush()
    return merged


def digest_facts(
    session: Session, digest: Message, community: Community, language: str
) -> MessageFacts:
    """A digest's typed values, from the reminders it merged."""
    rows = session.execute(
        select(Message, Deal, Order)
        .join(Deal, Deal.id == Message.deal_id)
        .join(Order, (Order.deal_id == Deal.id) & (Order.resident_id == Message.resident_id))
        .where(Message.error_code == MERGED, Message.error_detail == f"{DIGEST_PREFIX}{digest.id}")
        .order_by(Message.id)
    ).all()
    if not rows:
        return MessageFacts(body=digest.body, community_name=community.name)
    deal = rows[0][1]
    return MessageFacts(
        body=digest.body,
        community_name=community.name,
        items=_items(rows, language),
        pickup=formatting.span(deal.pickup_start, deal.pickup_end, community.zone, language),
        place=deal.pickup_place or community.pickup_place,
    )


#: The longest a deal's name is in a digest: several must share one short variable
#: (Tencent 20 characters: two names, amounts and a separator), so a long title gives
#: way to a name residents know it by.
DIGEST_NAME_MAX = 6


def digest_name(deal: Deal, language: str) -> str:
    """The deal as a digest names it: its title when short, else (in Chinese) the
    fullest of its aliases that fit (two characters at least), else the title cut with …"""
    title = " ".join(deal.title(language).split())
    if len(title) <= DIGEST_NAME_MAX:
        return title
    if language != "en":
        aliases = sorted(
            (a.strip() for a in deal.aliases or [] if 2 <= len(a.strip()) <= DIGEST_NAME_MAX),
            key=len,
        )
        if aliases:
            return aliases[-1]  # the fullest of the short ones: 雪花梨 over 梨子
    return fit(title, DIGEST_NAME_MAX)


def _item(row, language: str) -> str:  # type: ignore[no-untyped-def]
    _, deal, order = row
    return t(
        language,
        "sms.digest.item",
        title=digest_name(deal, language),
        amount=f"{order.quantity}{deal.unit}",
    )


def _items(rows, language: str) -> str:  # type: ignore[no-untyped-def]
    return t(language, "sms.digest.separator").join(_item(row, language) for row in rows)


def _chunks(rows, language: str, limit: int):  # type: ignore[no-untyped-def]
    """Runs of reminders whose item list fits one variable (one digest each)."""
    chunk: list = []  # type: ignore[type-arg]
    for row in rows:
        if chunk and len(_items([*chunk, row], language)) > limit:
            yield chunk
            chunk = []
        chunk.append(row)
    if chunk:
        yield chunk
