"""Quality problems: a complaint tied to the order it is about, made good, and counted.

A resident who collected goods reports a problem by text (the reader's Complaint) or by a
key in the phone menu; either way it is a help inbox item (reason `complaint`) with the
collected order attached (`QualityReport`). Staff make it good from the inbox item or the
deal's ledger with a cash refund or a credit: a ledger entry and a text to the resident,
in one transaction. Each supplier's complaint rate (complaints per collected order, by
the supplier's name) is read from the reports, for the next buy.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import formatting
from core.accounts.acting import acting
from core.accounts.services import audit
from core.books.cash import MAX_ENTRY_FEN, TABLE_METHODS
from core.books.ledger import record_entry
from core.books.models import EntryKind, LedgerEntry, PayMethod, QualityReport
from core.community.models import Community, Supplier
from core.context import Core
from core.deals.models import Deal
from core.helpdesk.models import HelpReason
from core.helpdesk.services import ask_for_help
from core.i18n import t
from core.messages.models import Message, MessageKind
from core.messages.outbox import queue_message
from core.orders.models import Order, OrderStatus
from core.residents.models import Resident
from core.residents.services import resident_by_phone

#: How long after pickup a problem is taken as about that pickup.
REPORT_WINDOW = timedelta(days=14)


def collected_order(
    session: Session,
    community_id: int,
    resident_id: int,
    now: datetime,
    deal_numbers: Iterable[int] = (),
) -> Order | None:
    """The resident's latest collected order (of the deals named, if any), within the window."""
    query = (
        select(Order)
        .join(Deal, Deal.id == Order.deal_id)
        .where(
            Deal.community_id == community_id,
            Order.resident_id == resident_id,
            Order.status == OrderStatus.PICKED_UP,
            Order.picked_up_at >= now - REPORT_WINDOW,
        )
        .order_by(Order.picked_up_at.desc(), Order.id.desc())
    )
    numbers = list(deal_numbers)
    if numbers:
        named = session.scalar(query.where(Deal.number.in_(numbers)).limit(1))
        if named is not None:
            return named
    return session.scalar(query.limit(1))


def attach_complaint(
    session: Session,
    *,
    community_id: int,
    help_request_id: int,
    resident_id: int | None,
    channel: str,
    message_id: int | None,
    now: datetime,
    deal_numbers: Iterable[int] = (),
) -> int | None:
    """Tie a complaint's help item to the collected order it is about, in the caller's
    transaction; the order's id, or None when the resident collected nothing lately."""
    if resident_id is None:
        return None
    order = collected_order(session, community_id, resident_id, now, deal_numbers)
    if order is None:
        return None
    known = session.scalar(
        select(QualityReport.id).where(
            QualityReport.help_request_id == help_request_id, QualityReport.order_id == order.id
        )
    )
    if known is not None:
        return order.id
    deal = session.get_one(Deal, order.deal_id)
    supplier = session.get(Supplier, deal.supplier_id) if deal.supplier_id else None
    try:
        with session.begin_nested():
            session.add(
                QualityReport(
                    community_id=community_id,
                    help_request_id=help_request_id,
                    order_id=order.id,
                    deal_id=deal.id,
                    supplier_name=supplier.name if supplier else "",
                    channel=channel,
                    message_id=message_id,
                    created_at=now,
                )
            )
    except IntegrityError:  # the same complaint attached a moment ago
        pass
    return order.id


def recent_pickup(core: Core, *, community_id: int, phone: str) -> bool:
    """Whether the resident collected anything lately: the phone menu then offers its key."""
    with core.db.transaction() as session:
        resident = resident_by_phone(session, community_id, phone)
        if resident is None:
            return False
        return collected_order(session, community_id, resident.id, core.now()) is not None


def report_problem_by_phone(core: Core, *, community_id: int, phone: str) -> int | None:
    """The phone menu's key: a help item for a person, with the collected order attached.

    Returns the order's id (None: nothing collected lately; the item is opened anyway,
    so a person calls back). Pressing again adds to the same open item.
    """
    now = core.now()
    with core.db.transaction() as session:
        item_id = ask_for_help(
            session,
            community_id=community_id,
            phone=phone,
            reason=HelpReason.COMPLAINT,
            message_id=None,
            now=now,
        )
        resident = resident_by_phone(session, community_id, phone)
        return attach_complaint(
            session,
            community_id=community_id,
            help_request_id=item_id,
            resident_id=resident.id if resident else None,
            channel="voice",
            message_id=None,
            now=now,
        )


@dataclass(frozen=True)
class ComplainedOrder:
    order_id: int
    deal_id: int
    deal_number: int
    title: str
    quantity: int
    unit: str
    paid_fen: int  # the order's worth
    made_good_fen: int  # refunded and credited so far
    picked_up_at: datetime | None
    supplier_name: str
    channel: str

    @property
    def most_fen(self) -> int:
        return max(self.paid_fen - self.made_good_fen, 0)


@acting(by=None)
def complained_orders(
    core: Core, *, community_id: int, help_request_id: int
) -> list[ComplainedOrder]:
    """The orders a help item's complaints are about, with what was made good so far."""
    with core.db.transaction() as session:
        rows = session.execute(
            select(QualityReport, Order, Deal)
            .join(Order, Order.id == QualityReport.order_id)
            .join(Deal, Deal.id == QualityReport.deal_id)
            .where(
                QualityReport.community_id == community_id,
                QualityReport.help_request_id == help_request_id,
            )
            .order_by(QualityReport.id)
        ).all()
        return [
            ComplainedOrder(
                order_id=order.id,
                deal_id=deal.id,
                deal_number=deal.number,
                title=deal.title_zh,
                quantity=order.quantity,
                unit=deal.unit,
                paid_fen=order.quantity * deal.price_fen,
                made_good_fen=_made_good(session, order.id),
                picked_up_at=order.picked_up_at,
                supplier_name=report.supplier_name,
                channel=report.channel,
            )
            for report, order, deal in rows
        ]


def _made_good(session: Session, order_id: int) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0)).where(
                LedgerEntry.order_id == order_id,
                LedgerEntry.kind.in_([EntryKind.REFUNDED, EntryKind.CREDITED]),
            )
        )
        or 0
    )


class MakeGoodRefusal(enum.StrEnum):
    NO_ORDER = "no_order"  # not an order of this community that was collected
    BAD_AMOUNT = "bad_amount"
    TOO_MUCH = "too_much"  # more than the order is worth, with what was made good before


@dataclass(frozen=True)
class MadeGood:
    order_id: int
    deal_id: int
    kind: EntryKind
    amount_fen: int
    entry_id: int | None  # None: the same form came again, nothing recorded twice
    message_id: int | None


@acting()
def make_good(
    core: Core,
    *,
    community_id: int,
    order_id: int,
    kind: EntryKind | str,
    amount_fen: int,
    method: PayMethod | str | None = None,
    note: str = "",
    form_token: str,
    by: str,
) -> MadeGood | MakeGoodRefusal:
    """A cash refund (REFUNDED, paid back by cash, WeChat or Alipay) or a credit
    (CREDITED) for a problem with an order: in the ledger and texted to the resident."""
    kind = EntryKind(kind)
    if kind == EntryKind.CREDITED:
        method = PayMethod.CREDIT
    if (
        kind not in (EntryKind.REFUNDED, EntryKind.CREDITED)
        or amount_fen <= 0
        or amount_fen > MAX_ENTRY_FEN
        or method is None
        or (kind == EntryKind.REFUNDED and PayMethod(method) not in TABLE_METHODS)
    ):
        return MakeGoodRefusal.BAD_AMOUNT
    now = core.now()
    dedupe = f"make-good:{order_id}:{form_token[:60]}"
    with core.db.transaction() as session:
        order = session.get(Order, order_id, with_for_update=True)
        deal = session.get(Deal, order.deal_id) if order is not None else None
        if order is None or deal is None or deal.community_id != community_id:
            return MakeGoodRefusal.NO_ORDER
        if order.status != OrderStatus.PICKED_UP:
            return MakeGoodRefusal.NO_ORDER
        if session.scalar(select(Message.id).where(Message.dedupe_key == dedupe)) is not None:
            return MadeGood(order.id, deal.id, kind, amount_fen, None, None)
        if amount_fen + _made_good(session, order.id) > order.quantity * deal.price_fen:
            return MakeGoodRefusal.TOO_MUCH
        resident = session.get_one(Resident, order.resident_id)
        entry_id = record_entry(
            session,
            community_id=community_id,
            deal_id=deal.id,
            kind=kind,
            amount_fen=amount_fen,
            by=by,
            order_id=order.id,
            resident_id=resident.id,
            method=PayMethod(method),
            note=note,
            at=now,
        )
        community = session.get_one(Community, community_id)
        message = queue_message(
            session,
            community=community,
            resident=resident,
            body=made_good_text(kind, deal, amount_fen, PayMethod(method), resident.language),
            kind=MessageKind.STAFF_REPLY,
            now=now,
            deal_id=deal.id,
            dedupe_key=dedupe,
        )
        audit(
            session,
            actor=by,
            action=f"ledger.{kind}",
            community_id=community_id,
            order_id=order.id,
            amount_fen=amount_fen,
            method=str(method),
        )
        return MadeGood(
            order.id, deal.id, kind, amount_fen, entry_id, message.id if message else None
        )


def made_good_text(
    kind: EntryKind, deal: Deal, amount_fen: int, method: PayMethod, language: str
) -> str:
    return t(
        language,
        f"sms.quality.{kind}",
        title=deal.title(language),
        amount=formatting.money(amount_fen, language),
        method=t(language, f"sms.pay_method.{method}"),
    )


@dataclass(frozen=True)
class SupplierRate:
    name: str
    complaints: int  # collected orders complained about
    collected: int  # collected orders

    @property
    def rate(self) -> float:
        return self.complaints / self.collected if self.collected else 0.0

    @property
    def percent(self) -> int:
        return round(self.rate * 100)


def rates_by_supplier(session: Session, community_id: int) -> dict[str, SupplierRate]:
    """Each supplier's complaint rate in the community, by supplier name."""
    return _rates(session, community_id)


def _rates(session: Session, community_id: int) -> dict[str, SupplierRate]:
    collected = session.execute(
        select(Supplier.name, func.count(Order.id))
        .select_from(Order)
        .join(Deal, Deal.id == Order.deal_id)
        .outerjoin(Supplier, Supplier.id == Deal.supplier_id)
        .where(Deal.community_id == community_id, Order.status == OrderStatus.PICKED_UP)
        .group_by(Supplier.name)
    ).all()
    complaints = dict(
        session.execute(
            select(QualityReport.supplier_name, func.count(func.distinct(QualityReport.order_id)))
            .where(QualityReport.community_id == community_id)
            .group_by(QualityReport.supplier_name)
        ).all()
    )
    rates: dict[str, SupplierRate] = {}
    for name, count in collected:  # a deal with no supplier counts under ""
        name = name or ""
        before = rates.get(name, SupplierRate(name, int(complaints.get(name, 0)), 0))
        rates[name] = SupplierRate(name, before.complaints, before.collected + int(count))
    return rates


@acting(by=None)
def complaint_rates(core: Core, *, community_id: int) -> list[SupplierRate]:
    """Every supplier's complaint rate in the community, the worst first."""
    with core.db.transaction() as session:
        rates = _rates(session, community_id)
        return sorted(rates.values(), key=lambda r: (-r.rate, r.name))


@acting(by=None)
def supplier_rate(core: Core, *, community_id: int, deal_id: int) -> SupplierRate | None:
    """The complaint rate of a deal's supplier (None: the deal names no supplier)."""
    with core.db.transaction() as session:
        deal = session.get(Deal, deal_id)
        if deal is None or deal.community_id != community_id or deal.supplier_id is None:
            return None
        supplier = session.get_one(Supplier, deal.supplier_id)
        return _rates(session, community_id).get(supplier.name, SupplierRate(supplier.name, 0, 0))
