"""The committee's history: finished deals by month with their figures, a resident's
orders over time, and who has not collected a deal yet (with a reminder on the pickup day).

Finished deals (called off, pickup over) keep their rows: these reads find them by the
deal's database id, never by the short number, which a later deal may already hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import formatting
from core.accounts.acting import acting
from core.accounts.services import audit
from core.books.ledger import collected_by_deal
from core.books.models import Delivery
from core.community.models import Community
from core.context import Core
from core.deals.models import Deal, DealStatus
from core.deals.services import deal_by_number
from core.i18n import LANGUAGES, t
from core.messages.models import MessageKind
from core.orders.models import Order, OrderStatus
from core.reminders.writing import Recipient, write_messages
from core.residents.addresses import room_sort_key
from core.residents.models import Resident
from core.results import DealView

#: A deal is history once it can change no more: called off, or its pickup over.
FINISHED = (DealStatus.CANCELLED, DealStatus.FULFILLED)
#: Orders the supplier was asked for: not cancelled (collected, waiting, or never collected).
BOUGHT = (OrderStatus.PLACED, OrderStatus.PICKED_UP, OrderStatus.NO_SHOW)
#: Orders still waiting at the desk: placed during pickup, or left when pickup was over.
MISSING = (OrderStatus.PLACED, OrderStatus.NO_SHOW)


@dataclass(frozen=True)
class DealFigures:
    """One deal's books in units and integer fen."""

    deal: DealView
    orders: int
    ordered: int  # units ordered from the supplier (before a short delivery cut the orders)
    delivered: int  # units the supplier delivered (the ordered units when none recorded)
    collected: int  # units picked up
    not_collected: int  # units never picked up
    expected_fen: int  # what the bought orders come to
    collected_fen: int  # the money taken, as the deal's ledger has it (undos netted out)


@dataclass(frozen=True)
class MonthOfDeals:
    month: date  # the 1st of the month, in the community's zone
    deals: list[DealFigures]

    @property
    def expected_fen(self) -> int:
        return sum(d.expected_fen for d in self.deals)

    @property
    def collected_fen(self) -> int:
        return sum(d.collected_fen for d in self.deals)


def delivered_units(session: Session, deal: Deal, ordered: int) -> int:
    """What the supplier delivered for `deal`: the delivery record where one is kept.

    Until a deal has one, what was delivered is what was ordered.
    """
    delivered = session.scalar(select(Delivery.delivered_units).where(Delivery.deal_id == deal.id))
    return ordered if delivered is None else int(delivered)


def ordered_units(session: Session, deal: Deal, standing: int) -> int:
    """What was ordered from the supplier for `deal`, as its delivery record keeps it.

    Sharing a short delivery cuts the orders to what came, so the standing orders alone
    would make every short delivery look complete (ordered 7, delivered 7 for 9 ordered).
    Without a delivery record the standing orders are what was ordered.
    """
    before = session.scalar(select(Delivery.ordered_units).where(Delivery.deal_id == deal.id))
    return standing if before is None else int(before)


def _figures(session: Session, deal: Deal, collected_fen: int | None = None) -> DealFigures:
    """The deal's figures; its money collected is the ledger's, read here unless given."""
    orders = session.scalars(
        select(Order).where(Order.deal_id == deal.id, Order.status.in_(BOUGHT))
    ).all()
    ordered = sum(o.quantity for o in orders)
    collected = sum(o.quantity for o in orders if o.status == OrderStatus.PICKED_UP)
    return DealFigures(
        deal=DealView.of(deal),
        orders=len(orders),
        ordered=ordered_units(session, deal, ordered),
        delivered=delivered_units(session, deal, ordered),
        collected=collected,
        not_collected=ordered - collected,
        expected_fen=ordered * deal.price_fen,
        collected_fen=(
            collected_by_deal(session, [deal.id])[deal.id]
            if collected_fen is None
            else collected_fen
        ),
    )


@acting(by=None)
def finished_deals_by_month(core: Core, *, community_id: int) -> list[MonthOfDeals]:
    """Every finished deal with its figures, newest month first, by the pickup's month."""
    with core.db.transaction() as session:
        zone = session.get_one(Community, community_id).zone
        deals = session.scalars(
            select(Deal)
            .where(Deal.community_id == community_id, Deal.status.in_(FINISHED))
            .order_by(Deal.pickup_start.desc(), Deal.id.desc())
        ).all()
        taken = collected_by_deal(session, [deal.id for deal in deals])
        months: dict[date, list[DealFigures]] = {}
        for deal in deals:
            month = deal.pickup_start.astimezone(zone).date().replace(day=1)
            months.setdefault(month, []).append(_figures(session, deal, taken[deal.id]))
        return [MonthOfDeals(month, figures) for month, figures in months.items()]


@acting(by=None)
def deal_figures(core: Core, *, community_id: int, deal_id: int) -> DealFigures:
    with core.db.transaction() as session:
        return _figures(session, deal_by_number(session, community_id, deal_id=deal_id))


@dataclass(frozen=True)
class HistoryLine:
    """One order of a resident's, as the history page lists it."""

    order_id: int
    deal: DealView
    quantity: int
    total_fen: int
    status: str
    channel: str
    ordered_at: datetime
    picked_up_at: datetime | None


@acting(by=None)
def resident_history(core: Core, *, community_id: int, resident_id: int) -> list[HistoryLine]:
    """Every order a resident placed in this community, newest first, cancelled ones too."""
    with core.db.transaction() as session:
        rows = session.execute(
            select(Order, Deal)
            .join(Deal, Deal.id == Order.deal_id)
            .join(Resident, Resident.id == Order.resident_id)
            .where(Order.resident_id == resident_id, Resident.community_id == community_id)
            .order_by(Order.created_at.desc(), Order.id.desc())
        ).all()
        return [
            HistoryLine(
                order_id=order.id,
                deal=DealView.of(deal),
                quantity=order.quantity,
                total_fen=order.quantity * deal.price_fen,
                status=order.status,
                channel=order.channel,
                ordered_at=order.created_at,
                picked_up_at=order.picked_up_at,
            )
            for order, deal in rows
        ]


@dataclass(frozen=True)
class Missing:
    resident_id: int
    name: str
    phone: str
    building: str
    unit: str
    room: str
    quantity: int
    total_fen: int


@dataclass(frozen=True)
class NotCollected:
    deal: DealView
    missing: list[Missing]
    can_remind: bool  # only on the pickup day, and only while someone is missing


def _pickup_days(deal: Deal, zone) -> tuple[date, date]:  # type: ignore[no-untyped-def]
    return deal.pickup_start.astimezone(zone).date(), deal.pickup_end.astimezone(zone).date()


def _is_pickup_day(deal: Deal, zone, now: datetime) -> bool:  # type: ignore[no-untyped-def]
    first, last = _pickup_days(deal, zone)
    return deal.status in (DealStatus.CONFIRMED, DealStatus.FULFILLED) and (
        first <= now.astimezone(zone).date() <= last
    )


def _missing(session: Session, deal: Deal) -> list[tuple[Order, Resident]]:
    rows = session.execute(
        select(Order, Resident)
        .join(Resident, Resident.id == Order.resident_id)
        .where(Order.deal_id == deal.id, Order.status.in_(MISSING))
    ).all()
    return sorted(
        ((o, r) for o, r in rows),
        key=lambda row: (room_sort_key(row[1].building, row[1].unit, row[1].room), row[1].name),
    )


@acting(by=None)
def not_collected(core: Core, *, community_id: int, deal_id: int) -> NotCollected:
    """Who still has goods waiting on a deal, in room order; kept after pickup is over."""
    with core.db.transaction() as session:
        deal = deal_by_number(session, community_id, deal_id=deal_id)
        zone = session.get_one(Community, community_id).zone
        rows = _missing(session, deal)
        return NotCollected(
            deal=DealView.of(deal),
            missing=[
                Missing(
                    resident_id=r.id,
                    name=r.name,
                    phone=r.phone,
                    building=r.building,
                    unit=r.unit,
                    room=r.room,
                    quantity=o.quantity,
                    total_fen=o.quantity * deal.price_fen,
                )
                for o, r in rows
            ],
            can_remind=bool(rows) and _is_pickup_day(deal, zone, core.now()),
        )


@dataclass(frozen=True)
class NotPickupDay:
    """Refused: a not-collected reminder goes only on the pickup day."""

    deal_number: int

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True)
class Reminded:
    recipients: int  # residents the reminder was written for today (0 when sent before)


@acting()
def remind_not_collected(
    core: Core, *, community_id: int, deal_id: int, by: str
) -> Reminded | NotPickupDay:
    """Text (or call) everyone still missing on the pickup day, once per resident and day.

    The dedupe key names the day, so a second click the same day writes nothing new;
    outside the pickup day it is refused (a reminder a week late only confuses).
    """
    now = core.now()
    with core.db.transaction() as session:
        deal = deal_by_number(session, community_id, deal_id=deal_id)
        community = session.get_one(Community, community_id)
        if not _is_pickup_day(deal, community.zone, now):
            return NotPickupDay(deal.number)
        today = now.astimezone(community.zone).date().isoformat()
        rows = _missing(session, deal)
        written = write_messages(
            session,
            community=community,
            recipients=[
                Recipient(
                    resident,
                    _uncollected_text(deal, order, community, resident.language),
                    f"uncollected:{deal.id}:{today}:{resident.id}",
                )
                for order, resident in rows
            ],
            kind=MessageKind.BROADCAST,
            now=now,
            quiet_hours=core.quiet_hours,
            deal_id=deal.id,
        )
        count = written.pending + written.suppressed
        audit(
            session,
            actor=by,
            action="reminder.not_collected",
            community_id=community_id,
            number=deal.number,
            deal_id=deal.id,
            recipients=count,
        )
        return Reminded(recipients=count)


def _uncollected_text(deal: Deal, order: Order, community: Community, language: str) -> str:
    lang = language if language in LANGUAGES else "zh"
    return t(
        lang,
        "reminder.not_collected",
        number=deal.number,
        title=deal.title(lang),
        quantity=order.quantity,
        unit=deal.unit,
        end=formatting.when(deal.pickup_end, community.zone, lang),
        place=deal.pickup_place or community.pickup_place,
    )
