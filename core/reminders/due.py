"""Which reminders are due: the database says, a periodic job asks.

Each reminder has a window in which it makes sense and a dedupe key, so a scan
can run every few seconds, or late after the workers were down, and still writes
each reminder once, or not at all once it would be pointless:

- the evening before pickup at the community's `reminder_evening_time`, until the
  "pickup soon" reminder takes over;
- `reminder_hours_before` hours before pickup starts, until pickup ends (never
  after: "collect it" once the desk has closed only confuses);
- "not yet collected" once pickup has ended (after a grace for the desk's last
  ticks), for a day;
- "N more units needed" once to those who ordered, when a deal nears its
  deadline short of its minimum, written only when it can go at once so the
  number it tells is still true.

Quiet hours hold reminders until the morning (`held_until`); a reminder whose
morning comes after its window closes is not written at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.community.models import Community
from core.context import Core
from core.deals.models import Deal, DealStatus
from core.messages.models import Message, MessageKind
from core.messages.outbox import held_until
from core.orders.models import Order, OrderStatus
from core.orders.services import order_text
from core.reminders.writing import Recipient, write_messages
from core.residents.models import Resident

#: Staff tick the last pickups off after the desk closes; wait this long before asking.
UNCOLLECTED_GRACE = timedelta(minutes=30)
#: After this, a "not yet collected" notice is stale news (say, after a long outage).
UNCOLLECTED_WITHIN = timedelta(hours=24)
#: A deal this close to its deadline and short of its minimum tells its buyers once.
SHORT_NOTICE_BEFORE_CLOSE = timedelta(hours=24)


@dataclass(frozen=True)
class DueReport:
    pickup_evening: int = 0
    pickup_soon: int = 0
    uncollected: int = 0
    short_of_minimum: int = 0

    @property
    def total(self) -> int:
        return self.pickup_evening + self.pickup_soon + self.uncollected + self.short_of_minimum


@dataclass(frozen=True)
class _Window:
    name: str  # also the catalog key's suffix and the dedupe key's last part
    opens: datetime
    closes: datetime  # the message expires here: never sent after


def pickup_windows(deal: Deal, community: Community) -> list[_Window]:
    """The evening-before and pickup-soon windows of a deal, in UTC."""
    zone = community.zone
    soon_at = deal.pickup_start - timedelta(hours=community.reminder_hours_before)
    day_before = deal.pickup_start.astimezone(zone).date() - timedelta(days=1)
    evening_at = datetime.combine(
        day_before, time.fromisoformat(community.reminder_evening_time), tzinfo=zone
    )
    windows = [_Window("pickup_soon", soon_at, deal.pickup_end)]
    if evening_at < soon_at:
        windows.insert(0, _Window("pickup_evening", evening_at, soon_at))
    return windows


def queue_due_reminders(core: Core) -> DueReport:
    """Write every reminder that is due now and was not written before."""
    now = core.now()
    counts: dict[str, int] = {}
    with core.db.transaction() as session:
        deal_ids = session.scalars(
            select(Deal.id).where(
                (
                    Deal.status.in_([DealStatus.CONFIRMED, DealStatus.FULFILLED])
                    & (Deal.pickup_end > now - UNCOLLECTED_GRACE - UNCOLLECTED_WITHIN)
                )
                | (
                    (Deal.status == DealStatus.OPEN)
                    & (Deal.closes_at > now)
                    & (Deal.closes_at <= now + SHORT_NOTICE_BEFORE_CLOSE)
                )
            )
        ).all()
    for deal_id in deal_ids:  # one transaction per deal: a big deal never holds up the rest
        with core.db.transaction() as session:
            deal = session.get_one(Deal, deal_id)
            community = session.get_one(Community, deal.community_id)
            for name, written in _due_for_deal(core, session, deal, community, now).items():
                counts[name] = counts.get(name, 0) + written
    return DueReport(**counts)


def _due_for_deal(
    core: Core, session: Session, deal: Deal, community: Community, now: datetime
) -> dict[str, int]:
    written: dict[str, int] = {}
    if deal.status == DealStatus.OPEN:
        if deal.units_ordered < deal.min_units and deal.is_taking_orders(now):
            release = held_until(MessageKind.DEAL_UPDATE, now, community.zone, core.quiet_hours)
            if release is None:  # tell the shortfall only when it is still true on arrival
                written["short_of_minimum"] = _write(
                    core,
                    session,
                    deal,
                    community,
                    now,
                    "short_of_minimum",
                    MessageKind.DEAL_UPDATE,
                    (OrderStatus.PLACED,),
                    expires_at=deal.closes_at,
                )
        return written
    if deal.status == DealStatus.CONFIRMED:
        for window in pickup_windows(deal, community):
            if not window.opens <= now < window.closes:
                continue
            release = held_until(MessageKind.REMINDER, now, community.zone, core.quiet_hours)
            if release is not None and release >= window.closes:
                continue  # by the morning it would be pointless
            written[window.name] = _write(
                core,
                session,
                deal,
                community,
                now,
                window.name,
                MessageKind.REMINDER,
                (OrderStatus.PLACED,),
                expires_at=window.closes,
            )
    uncollected_from = deal.pickup_end + UNCOLLECTED_GRACE
    if uncollected_from <= now < uncollected_from + UNCOLLECTED_WITHIN:
        written["uncollected"] = _write(
            core,
            session,
            deal,
            community,
            now,
            "uncollected",
            MessageKind.REMINDER,
            (OrderStatus.PLACED, OrderStatus.NO_SHOW),
            expires_at=uncollected_from + UNCOLLECTED_WITHIN,
        )
    return written


def _write(
    core: Core,
    session: Session,
    deal: Deal,
    community: Community,
    now: datetime,
    name: str,
    kind: MessageKind,
    order_statuses: tuple[OrderStatus, ...],
    *,
    expires_at: datetime,
) -> int:
    prefix = f"reminder:{deal.id}:"
    taken = set(
        session.scalars(
            select(Message.dedupe_key).where(
                Message.deal_id == deal.id, Message.dedupe_key.like(f"{prefix}%:{name}")
            )
        )
    )
    rows = session.execute(
        select(Order, Resident)
        .join(Resident, Resident.id == Order.resident_id)
        .where(Order.deal_id == deal.id, Order.status.in_(order_statuses))
        .order_by(Order.id)
    ).all()
    recipients = [
        Recipient(
            resident,
            reminder_text(name, deal, community, resident.language, order.quantity),
            key,
        )
        for order, resident in rows
        if (key := f"{prefix}{resident.id}:{name}") not in taken
    ]
    if not recipients:
        return 0
    result = write_messages(
        session,
        community=community,
        recipients=recipients,
        kind=kind,
        now=now,
        quiet_hours=core.quiet_hours,
        deal_id=deal.id,
        expires_at=expires_at,
    )
    return result.pending + result.suppressed


def reminder_text(name: str, deal: Deal, community: Community, language: str, quantity: int) -> str:
    """A reminder about one deal, from the catalog key `reminder.<name>`."""
    return order_text(
        f"reminder.{name}", deal, quantity, community, language, help=community.help_phone_dialled
    )
