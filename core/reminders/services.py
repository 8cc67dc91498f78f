"""Staff bulk reminders: one text to every resident with an order on a deal.

The staff SMS command `REMIND N`, the command line `reminders send` and the staff
console all call these three functions: a preview that says how many residents
and segments it will cost before anything is sent, the send itself (rows written
in bulk under one batch id, enqueued after commit), and its progress.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import formatting
from core.accounts.acting import acting
from core.accounts.services import audit
from core.community.models import Community
from core.context import Core
from core.deals.models import Deal
from core.deals.services import DealNotFound, deal_by_number
from core.i18n import LANGUAGES, t
from core.messages.models import Message, MessageChannel, MessageKind, MessageStatus
from core.messages.outbox import delivery_for
from core.orders.models import Order, OrderStatus
from core.ports.carriers import MAX_TEXT_CHARS
from core.reminders.writing import Recipient, write_messages
from core.residents.models import Resident
from core.results import DealView
from core.sms_segments import count_segments

__all__ = [
    "BulkPreview",
    "BulkProgress",
    "BulkReminder",
    "BulkTextInvalid",
    "DealNotFound",
    "NobodyToRemind",
    "bulk_progress",
    "preview_bulk_reminder",
    "send_bulk_reminder",
]



class BulkTextInvalid(ValueError):
    """The staff's own text cannot be sent; `key` is the catalog text saying why."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(t("en", key, **params))
        self.key = key
        self.params = params


class NobodyToRemind(ValueError):
    """No resident holds an order on the deal: a reminder would go to nobody."""

    key = "staff.remind.nobody"

    def __init__(self, number: int) -> None:
        super().__init__(t("en", self.key))
        self.number = number


@dataclass(frozen=True)
class BulkPreview:
    deal: DealView
    recipients: int  # residents who will get it: texted plus called
    texted: int
    called: int  # landline residents, called instead
    suppressed: int  # opted out, or no number that takes texts or calls
    segments_each: int  # the longest text's segments
    segments_total: int  # over every texted resident, in their language
    texts: dict[str, str]  # language -> the text


@dataclass(frozen=True)
class BulkReminder:
    batch_id: str
    deal: DealView
    recipients: int
    texted: int
    called: int
    suppressed: int
    segments_total: int
    replayed: bool = False  # this batch id was sent before; nothing new was written


@dataclass(frozen=True)
class BulkProgress:
    batch_id: str
    total: int
    pending: int  # waiting: not yet handed to a worker (or held for the morning)
    sending: int  # queued or being sent
    sent: int  # the carrier took it; no delivery report yet
    delivered: int
    failed: int  # failed or undelivered
    suppressed: int

    @property
    def done(self) -> bool:
        return self.pending == 0 and self.sending == 0


@acting(by=None)
def preview_bulk_reminder(
    core: Core,
    *,
    community_id: int,
    number: int | None = None,
    deal_id: int | None = None,
    text: str | None = None,
) -> BulkPreview:
    """What `send_bulk_reminder` would send, without sending anything."""
    with core.db.transaction() as session:
        deal, community, buyers = _buyers(session, community_id, number, deal_id)
        texts = _texts(deal, community, text, {r.language for r in buyers})
        return _preview(deal, buyers, texts)


@acting()
def send_bulk_reminder(
    core: Core,
    *,
    community_id: int,
    number: int | None = None,
    deal_id: int | None = None,
    text: str | None = None,
    by: str,
    batch_id: str | None = None,
) -> BulkReminder:
    """Remind every resident with an order on deal `number`; returns the batch to follow.

    Give `batch_id` (e.g. derived from the staff text's MessageSid) to make a retried
    request send nothing twice. Raises NobodyToRemind when nobody holds an order: a
    batch of nobody is no reminder, and staff should hear so rather than "sent to 0".
    """
    now = core.now()
    batch = batch_id or uuid.uuid4().hex
    with core.db.transaction() as session:
        deal, community, buyers = _buyers(session, community_id, number, deal_id)
        texts = _texts(deal, community, text, {r.language for r in buyers})
        preview = _preview(deal, buyers, texts)
        replayed = bool(
            session.scalar(select(Message.id).where(Message.batch_id == batch).limit(1))
        )
        if not replayed and preview.recipients == 0:
            raise NobodyToRemind(deal.number)
        if not replayed:
            write_messages(
                session,
                community=community,
                recipients=[
                    Recipient(r, texts[_language(r)], f"bulk:{batch}:{r.id}") for r in buyers
                ],
                kind=MessageKind.BROADCAST,
                now=now,
                quiet_hours=core.quiet_hours,
                deal_id=deal.id,
                batch_id=batch,
            )
            audit(
                session,
                actor=by,
                action="reminder.bulk",
                community_id=community_id,
                number=deal.number,
                batch_id=batch,
                recipients=preview.recipients,
                segments=preview.segments_total,
                custom_text=text is not None,
            )
    return BulkReminder(
        batch_id=batch,
        deal=preview.deal,
        recipients=preview.recipients,
        texted=preview.texted,
        called=preview.called,
        suppressed=preview.suppressed,
        segments_total=preview.segments_total,
        replayed=replayed,
    )


@acting(by=None)
def bulk_progress(core: Core, *, batch_id: str, community_id: int | None = None) -> BulkProgress:
    """Where a batch stands; an unknown batch id (or, with `community_id`, another
    community's) reads as an empty, finished batch."""
    scope = [Message.batch_id == batch_id]
    if community_id is not None:
        scope.append(Message.community_id == community_id)
    with core.db.transaction() as session:
        counts = Counter(
            {
                status: int(n)
                for status, n in session.execute(
                    select(Message.status, func.count()).where(*scope).group_by(Message.status)
                ).all()
            }
        )
    return BulkProgress(
        batch_id=batch_id,
        total=sum(counts.values()),
        pending=counts[MessageStatus.PENDING],
        sending=counts[MessageStatus.QUEUED] + counts[MessageStatus.SENDING],
        sent=counts[MessageStatus.SENT],
        delivered=counts[MessageStatus.DELIVERED],
        failed=counts[MessageStatus.FAILED] + counts[MessageStatus.UNDELIVERED],
        suppressed=counts[MessageStatus.SUPPRESSED],
    )


def _buyers(
    session: Session, community_id: int, number: int | None, deal_id: int | None = None
) -> tuple[Deal, Community, list[Resident]]:
    deal = deal_by_number(session, community_id, number, deal_id=deal_id)
    community = session.get_one(Community, community_id)
    buyers = list(
        session.scalars(
            select(Resident)
            .join(Order, Order.resident_id == Resident.id)
            .where(Order.deal_id == deal.id, Order.status == OrderStatus.PLACED)
            .order_by(Resident.id)
        )
    )
    return deal, community, buyers


def _language(resident: Resident) -> str:
    return resident.language if resident.language in LANGUAGES else "zh"


def _texts(
    deal: Deal, community: Community, text: str | None, languages: set[str]
) -> dict[str, str]:
    """The staff's own text for everyone, or the catalog's reminder in each language."""
    wanted = sorted({lang if lang in LANGUAGES else "zh" for lang in languages} or {"zh"})
    if text is not None:
        text = text.strip()
        if not text:
            raise BulkTextInvalid("reminder.error.text_empty")
        if len(text) > MAX_TEXT_CHARS:
            raise BulkTextInvalid("reminder.error.text_too_long", limit=MAX_TEXT_CHARS)
        return dict.fromkeys(wanted, text)
    return {
        lang: t(
            lang,
            "reminder.bulk",
            number=deal.number,
            title=deal.title(lang),
            pickup=formatting.span(deal.pickup_start, deal.pickup_end, community.zone, lang),
            place=deal.pickup_place or community.pickup_place,
        )
        for lang in wanted
    }


def _preview(deal: Deal, buyers: list[Resident], texts: dict[str, str]) -> BulkPreview:
    texted = called = suppressed = segments_total = 0
    segments = {lang: count_segments(body) for lang, body in texts.items()}
    for resident in buyers:
        channel, status = delivery_for(resident, MessageKind.BROADCAST)
        if status == MessageStatus.SUPPRESSED:
            suppressed += 1
        elif channel == MessageChannel.VOICE:
            called += 1
        else:
            texted += 1
            segments_total += segments[_language(resident)]
    return BulkPreview(
        deal=DealView.of(deal),
        recipients=texted + called,
        texted=texted,
        called=called,
        suppressed=suppressed,
        segments_each=max(segments.values()),
        segments_total=segments_total,
        texts=texts,
    )
