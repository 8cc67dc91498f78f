"""A short delivery: what the supplier brought, who gets less, and telling them.

Staff record what came, choose a rule (see `core.books.fair_share`), look at the
result (`preview_shortfall`), then apply it (`apply_shortfall`): in one transaction
the orders shrink, the deal's total follows, each change is in the ledger as an
ADJUSTED entry, each affected household gets a text in its language with the deal's
own unit, and, when asked, the units that did not come are ordered for them in the
next open deal of the same product. A deal's delivery is recorded once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import formatting
from core.accounts.acting import acting
from core.accounts.services import audit
from core.books import notes
from core.books.fair_share import Claim, share
from core.books.ledger import deal_row, record_entry
from core.books.models import Delivery, EntryKind, ShareRule
from core.community.models import Community
from core.context import Core
from core.deals.models import Deal, DealStatus
from core.i18n import t
from core.messages.models import MessageKind
from core.messages.outbox import queue_message
from core.orders.models import Channel, Order, OrderStatus
from core.residents.models import Resident
from core.results import DealView

#: A delivery is shared out only for a deal that goes ahead (or has stopped ordering).
SHAREABLE = (DealStatus.CLOSED, DealStatus.CONFIRMED)
#: Orders a delivery is shared among: not yet collected, or collected.
SHARED_AMONG = (OrderStatus.PLACED, OrderStatus.PICKED_UP)


class ShortfallRefusal(enum.StrEnum):
    NOT_SHAREABLE = "not_shareable"  # the deal is not going ahead (draft, open, called off, over)
    ALREADY_APPLIED = "already_applied"
    BAD_NUMBER = "bad_number"  # a negative delivery


@dataclass(frozen=True)
class ShareLine:
    order_id: int
    resident_id: int
    name: str
    phone: str
    ordered: int
    given: int
    price_fen: int

    @property
    def cut(self) -> int:
        return self.ordered - self.given

    @property
    def less_fen(self) -> int:
        return self.cut * self.price_fen


@dataclass(frozen=True)
class ShortfallPlan:
    deal: DealView
    delivered: int
    rule: ShareRule
    lines: tuple[ShareLine, ...]
    carry_to: DealView | None  # the next open deal of the same product, if any

    @property
    def ordered(self) -> int:
        return sum(line.ordered for line in self.lines)

    @property
    def short(self) -> int:
        return max(self.ordered - self.delivered, 0)

    @property
    def affected(self) -> tuple[ShareLine, ...]:
        return tuple(line for line in self.lines if line.cut)

    @property
    def less_fen(self) -> int:
        return sum(line.less_fen for line in self.lines)


@dataclass(frozen=True)
class ShortfallApplied:
    plan: ShortfallPlan
    delivery_id: int
    texts: int
    carried: dict[int, int]  # order id -> units ordered for them in the next deal


def _plan(session: Session, deal: Deal, delivered: int, rule: ShareRule) -> ShortfallPlan:
    rows = session.execute(
        select(Order, Resident)
        .join(Resident, Resident.id == Order.resident_id)
        .where(Order.deal_id == deal.id, Order.status.in_(SHARED_AMONG))
        .order_by(Order.created_at, Order.id)
    ).all()
    shares = share(rule, [Claim(o.id, o.quantity, o.created_at) for o, _ in rows], delivered)
    lines = tuple(
        ShareLine(o.id, r.id, r.name, r.phone, o.quantity, shares[o.id], deal.price_fen)
        for o, r in rows
    )
    following = next_deal_of_same_product(session, deal)
    return ShortfallPlan(
        deal=DealView.of(deal),
        delivered=delivered,
        rule=rule,
        lines=lines,
        carry_to=DealView.of(following) if following is not None else None,
    )


def next_deal_of_same_product(session: Session, deal: Deal) -> Deal | None:
    """The next deal of this product still taking orders: where unmet units may go."""
    return session.scalar(
        select(Deal)
        .where(
            Deal.community_id == deal.community_id,
            Deal.id != deal.id,
            Deal.title_zh == deal.title_zh,
            Deal.status == DealStatus.OPEN,
        )
        .order_by(Deal.closes_at, Deal.id)
        .limit(1)
    )


@acting(by=None)
def preview_shortfall(
    core: Core, *, community_id: int, deal_id: int, delivered: int, rule: ShareRule | str
) -> ShortfallPlan | ShortfallRefusal:
    """What applying would do; changes nothing."""
    with core.db.transaction() as session:
        deal = deal_row(session, community_id, deal_id)
        refusal = _refuse(session, deal, delivered)
        return refusal or _plan(session, deal, delivered, ShareRule(rule))


@dataclass(frozen=True)
class RecordedDelivery:
    """A deal's delivery as it was recorded (and shared out, when it was short)."""

    ordered: int
    delivered: int
    rule: ShareRule | None  # None when nothing was short
    by: str
    at: datetime


@acting(by=None)
def recorded_delivery(core: Core, *, community_id: int, deal_id: int) -> RecordedDelivery | None:
    """What was recorded for the deal's delivery, if anything: the ledger page shows it
    in place of a form that could only be refused (a delivery is recorded once)."""
    with core.db.transaction() as session:
        deal = deal_row(session, community_id, deal_id)
        row = session.scalar(select(Delivery).where(Delivery.deal_id == deal.id))
        if row is None:
            return None
        return RecordedDelivery(
            ordered=row.ordered_units,
            delivered=row.delivered_units,
            rule=ShareRule(row.rule) if row.rule else None,
            by=row.recorded_by,
            at=row.recorded_at,
        )


def _refuse(session: Session, deal: Deal, delivered: int) -> ShortfallRefusal | None:
    if delivered < 0:
        return ShortfallRefusal.BAD_NUMBER
    if deal.status not in SHAREABLE:
        return ShortfallRefusal.NOT_SHAREABLE
    if session.scalar(select(Delivery.id).where(Delivery.deal_id == deal.id)) is not None:
        return ShortfallRefusal.ALREADY_APPLIED
    return None


@acting()
def apply_shortfall(
    core: Core,
    *,
    community_id: int,
    deal_id: int,
    delivered: int,
    rule: ShareRule | str,
    carry_over: bool = False,
    by: str,
) -> ShortfallApplied | ShortfallRefusal:
    """Record the delivery and share it out: orders, ledger and texts in one transaction."""
    now = core.now()
    with core.db.transaction() as session:
        deal = deal_row(session, community_id, deal_id)
        # Two staff applying at once: the second waits here, then finds the delivery.
        session.refresh(deal, with_for_update=True)
        refusal = _refuse(session, deal, delivered)
        if refusal is not None:
            return refusal
        plan = _plan(session, deal, delivered, ShareRule(rule))
        following = next_deal_of_same_product(session, deal) if carry_over else None
        delivery = Delivery(
            community_id=community_id,
            deal_id=deal.id,
            ordered_units=plan.ordered,
            delivered_units=delivered,
            rule=plan.rule if plan.short else None,
            carried_to_deal_id=following.id if following is not None else None,
            recorded_by=by,
            recorded_at=now,
            applied_at=now,
        )
        try:
            with session.begin_nested():
                session.add(delivery)
        except IntegrityError:  # recorded a moment ago by another request
            return ShortfallRefusal.ALREADY_APPLIED
        community = session.get_one(Community, community_id)
        carried: dict[int, int] = {}
        texts = 0
        for line in plan.affected:
            order = session.get_one(Order, line.order_id, with_for_update=True)
            resident = session.get_one(Resident, line.resident_id)
            order.quantity = line.given
            order.updated_at = now
            order.revision += 1
            if line.given == 0 and order.status == OrderStatus.PLACED:
                order.status = OrderStatus.CANCELLED
                order.cancelled_at = now
            record_entry(
                session,
                community_id=community_id,
                deal_id=deal.id,
                kind=EntryKind.ADJUSTED,
                amount_fen=-line.less_fen,
                by=by,
                order_id=order.id,
                resident_id=resident.id,
                note=notes.shortfall_note(line.ordered, line.given),
                at=now,
            )
            if following is not None:
                units = carry_into(session, following, resident, line.cut, now)
                if units:
                    carried[order.id] = units
            body = shortfall_text(deal, line, community, resident.language, following, carried)
            if queue_message(
                session,
                community=community,
                resident=resident,
                body=body,
                kind=MessageKind.DEAL_UPDATE,
                now=now,
                quiet_hours=core.quiet_hours,
                deal_id=deal.id,
                dedupe_key=f"shortfall:{delivery.id}:{order.id}",
            ):
                texts += 1
        deal.units_ordered = max(deal.units_ordered - sum(line.cut for line in plan.affected), 0)
        audit(
            session,
            actor=by,
            action="deal.short_delivery",
            community_id=community_id,
            deal_id=deal.id,
            ordered=plan.ordered,
            delivered=delivered,
            rule=plan.rule,
            affected=len(plan.affected),
            carried=sum(carried.values()),
        )
        return ShortfallApplied(plan, delivery.id, texts, carried)


def carry_into(
    session: Session, following: Deal, resident: Resident, units: int, now: datetime
) -> int:
    """Order `units` more for the resident in the next deal, as far as its cap and limit allow."""
    order = session.scalar(
        select(Order)
        .where(Order.deal_id == following.id, Order.resident_id == resident.id)
        .with_for_update()
    )
    held = order.quantity if order is not None and order.status == OrderStatus.PLACED else 0
    if following.per_resident_limit is not None:
        units = min(units, max(following.per_resident_limit - held, 0))
    if units <= 0:
        return 0
    statement = update(Deal).where(Deal.id == following.id, Deal.status == DealStatus.OPEN)
    statement = statement.where(
        Deal.stock_cap.is_(None) | (Deal.units_ordered + units <= Deal.stock_cap)
    )
    moved = session.execute(
        statement.values(units_ordered=Deal.units_ordered + units),
        execution_options={"synchronize_session": False},
    )
    if moved.rowcount != 1:
        return 0
    if order is None:
        order = Order(
            deal_id=following.id,
            resident_id=resident.id,
            created_at=now,
            revision=0,
            channel=Channel.STAFF,
        )
        session.add(order)
    order.quantity = held + units
    order.status = OrderStatus.PLACED
    order.placed_by = "short delivery"
    order.cancelled_at = None
    order.updated_at = now
    order.revision += 1
    session.flush()
    return units


def shortfall_text(
    deal: Deal,
    line: ShareLine,
    community: Community,
    language: str,
    following: Deal | None,
    carried: dict[int, int],
) -> str:
    """这次到货少了，您的梨从3份改为2份，少付15元 — with the carried units, if any."""
    key = "sms.shortfall.none" if line.given == 0 else "sms.shortfall.changed"
    body = t(
        language,
        key,
        title=deal.title(language),
        old=line.ordered,
        new=line.given,
        unit=deal.unit,
        less=formatting.money(line.less_fen, language),
    )
    units = carried.get(line.order_id, 0)
    if following is not None and units:
        body += t(
            language,
            "sms.shortfall.carried",
            units=units,
            unit=following.unit,
            number=following.number,
            title=following.title(language),
        )
    return body
