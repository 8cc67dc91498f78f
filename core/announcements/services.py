"""Telling residents who asked for it that a new deal is open: one text per deal.

Residents opt in with "订阅团购" and out with "不要通知" (by text, or staff set it); this
is apart from 退订, which stops every text. When a deal opens the periodic work writes
one announcement per subscriber, in the daytime only (a text written in the evening
waits for the morning, unless the deal closes before it; none goes after the deal
closes), and never more than `WEEKLY_CAP` in seven days per resident:
past the cap a deal is simply not announced to them, they still see it with "团购".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import formatting
from core.accounts.acting import acting
from core.accounts.services import audit
from core.announcements.models import AnnouncementSent, AnnouncementSubscription, DealAnnouncement
from core.community.models import Community
from core.context import Core
from core.deals.models import Deal, DealStatus
from core.i18n import t
from core.messages.models import MessageKind
from core.messages.outbox import queue_message
from core.residents.models import Resident
from core.residents.services import resident_by_phone

#: At most this many announcements per resident in any seven days, across all deals.
WEEKLY_CAP = 3
WEEK = timedelta(days=7)
#: The daytime announcements go in, in the community's zone: a new deal is no reason
#: to wake anyone, nor to text during the evening meal and after.
DAYTIME_START = time(9, 0)
DAYTIME_END = time(20, 0)


@dataclass(frozen=True)
class Subscription:
    changed: bool
    subscribed: bool


@dataclass(frozen=True)
class AnnouncementRun:
    deals: int = 0
    texts: int = 0
    held_by_cap: int = 0


def daytime_after(now: datetime, community: Community) -> datetime | None:
    """When an announcement written `now` may go: None if it is daytime, else the next 9:00."""
    local = now.astimezone(community.zone)
    if DAYTIME_START <= local.time() < DAYTIME_END:
        return None
    start = local.replace(
        hour=DAYTIME_START.hour, minute=DAYTIME_START.minute, second=0, microsecond=0
    )
    if start <= local:
        start += timedelta(days=1)
    return start.astimezone(now.tzinfo)


def _set(session: Session, resident: Resident, on: bool, by: str, now: datetime) -> Subscription:
    row = session.scalar(
        select(AnnouncementSubscription).where(AnnouncementSubscription.resident_id == resident.id)
    )
    if row is None:
        if not on:
            return Subscription(False, False)
        session.add(
            AnnouncementSubscription(
                community_id=resident.community_id,
                resident_id=resident.id,
                subscribed=True,
                changed_by=by,
                changed_at=now,
            )
        )
        return Subscription(True, True)
    changed = row.subscribed != on
    if changed:
        row.subscribed, row.changed_by, row.changed_at = on, by, now
    return Subscription(changed, on)


def subscribe_by_text(
    core: Core, *, community_id: int, phone: str, on: bool
) -> Subscription | None:
    """订阅团购 / 不要通知 from the resident's own phone; None for a stranger."""
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return None
        return _set(session, resident, on, "sms", core.now())


@acting()
def set_subscription(
    core: Core, *, community_id: int, resident_id: int, on: bool, by: str
) -> Subscription | None:
    """Staff set it for a resident (who asked at the desk or on the phone)."""
    with core.db.transaction() as session:
        resident = session.get(Resident, resident_id)
        if resident is None or resident.community_id != community_id:
            return None
        result = _set(session, resident, on, by, core.now())
        if result.changed:
            audit(session, actor=by, action="announce.subscription", community_id=community_id,
                  resident_id=resident_id, on=on)  # fmt: skip
        return result


def announcement_text(deal: Deal, language: str, zone: ZoneInfo) -> str:
    """新团购2号赵县雪花梨35元/箱，11月28日周六 20:00截止。回2 2订2份。回“不要通知”不再收到。"""
    return t(
        language,
        "sms.announce.new_deal",
        number=deal.number,
        title=deal.title(language),
        price=formatting.money(deal.price_fen, language),
        unit=deal.unit,
        closes=formatting.when(deal.closes_at, zone, language),
    )


def announce_new_deals(core: Core) -> AnnouncementRun:
    """The periodic work: announce each deal opened lately and not announced yet."""
    now = core.now()
    deals = texts = held = 0
    with core.db.transaction() as session:
        fresh = session.scalars(
            select(Deal)
            .outerjoin(DealAnnouncement, DealAnnouncement.deal_id == Deal.id)
            .where(
                DealAnnouncement.deal_id.is_(None),
                Deal.status == DealStatus.OPEN,
                Deal.closes_at > now,
            )
            .order_by(Deal.id)
        ).all()
        for deal in fresh:
            if not deal.is_taking_orders(now):
                continue  # opens later (its opens_at): announced once it does
            sent, capped = _announce(core, session, deal, now)
            deals, texts, held = deals + 1, texts + sent, held + capped
    return AnnouncementRun(deals, texts, held)


def _announce(core: Core, session: Session, deal: Deal, now: datetime) -> tuple[int, int]:
    try:
        with session.begin_nested():
            mark = DealAnnouncement(deal_id=deal.id, community_id=deal.community_id,
                                    announced_at=now)  # fmt: skip
            session.add(mark)
    except IntegrityError:  # another worker announces it
        return 0, 0
    community = session.get(Community, deal.community_id)
    assert community is not None
    subscribers = session.scalars(
        select(Resident)
        .join(AnnouncementSubscription, AnnouncementSubscription.resident_id == Resident.id)
        .where(
            Resident.community_id == deal.community_id,
            AnnouncementSubscription.subscribed.is_(True),
            Resident.opted_out.is_(False),
        )
        .order_by(Resident.id)
    ).all()
    release = daytime_after(now, community)
    if release is not None and release >= deal.closes_at:
        return 0, 0  # it closes before the morning: news of it then would be no news
    sent = capped = 0
    for resident in subscribers:
        if not resident.can_receive_sms:
            continue  # an announcement is a text: a landline hears of deals when it calls
        if _this_week(session, resident.id, now) >= WEEKLY_CAP:
            capped += 1
            continue
        message = queue_message(
            session,
            community=community,
            resident=resident,
            body=announcement_text(deal, resident.language, community.zone),
            kind=MessageKind.BROADCAST,
            now=now,
            quiet_hours=core.quiet_hours,
            deal_id=deal.id,
            dedupe_key=f"announce:{deal.id}:r{resident.id}",
            not_before=release,
        )
        if message is not None:
            message.expires_at = deal.closes_at  # held past the deadline (caps): never sent
        session.add(AnnouncementSent(deal_id=deal.id, resident_id=resident.id,
                                     message_id=message.id if message else None,
                                     created_at=now))  # fmt: skip
        session.flush()
        sent += 1
    mark.recipients, mark.held_by_cap = sent, capped
    return sent, capped


def _this_week(session: Session, resident_id: int, now: datetime) -> int:
    return (
        session.scalar(
            select(func.count(AnnouncementSent.id)).where(
                AnnouncementSent.resident_id == resident_id,
                AnnouncementSent.created_at > now - WEEK,
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Subscriber:
    resident_id: int
    name: str
    phone: str
    address: str
    since: datetime
    by: str


@acting(by=None)
def subscribers(core: Core, *, community_id: int) -> list[Subscriber]:
    """Who hears of new deals, for the console."""
    with core.db.transaction() as session:
        rows = session.execute(
            select(Resident, AnnouncementSubscription)
            .join(AnnouncementSubscription, AnnouncementSubscription.resident_id == Resident.id)
            .where(
                Resident.community_id == community_id,
                AnnouncementSubscription.subscribed.is_(True),
            )
            .order_by(Resident.name)
        ).all()
        return [
            Subscriber(r.id, r.name, r.phone, r.address, s.changed_at, s.changed_by)
            for r, s in rows
        ]
