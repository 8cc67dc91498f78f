"""The ledger of each deal: every sum of money that moved, and the figures read from it.

Entries are written by the use cases that move money (cash at pickup, a short delivery,
a refund, a payment to the supplier), always inside their transaction, so an order's
change and its money stand or fall together. The figures are never stored: they are
read back from the entries and the orders, so they cannot drift apart.

The books balance when, over every order of the deal,

    expected + overpaid == collected + outstanding

where `expected` is what the standing orders are worth now (after any short delivery),
`outstanding` what households still owe (per order, never below zero) and `overpaid`
what was taken beyond an order's worth (per order, e.g. money taken before a short
delivery lowered it), owed back until refunded or credited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.books.models import EntryKind, LedgerEntry, PayMethod
from core.context import Core
from core.deals.models import Deal
from core.deals.services import DealNotFound
from core.orders.models import Order, OrderStatus
from core.residents.models import Resident
from core.results import DealView

#: Orders a household owes money for: still to collect, or collected.
OWING = (OrderStatus.PLACED, OrderStatus.PICKED_UP)


class BadEntry(ValueError):
    """An entry that cannot be right (a negative payment, an unknown kind)."""


def record_entry(
    session: Session,
    *,
    community_id: int,
    deal_id: int,
    kind: EntryKind,
    amount_fen: int,
    by: str,
    order_id: int | None = None,
    resident_id: int | None = None,
    method: PayMethod | None = None,
    note: str = "",
    at: datetime,
) -> int:
    """Write one entry inside the caller's transaction; returns its id.

    Every kind but ADJUSTED is a sum that changed hands and so is positive; ADJUSTED
    says how much an order's worth moved, and carries its sign. One exception: a
    handover undone at the desk the same day reverses its order's collection with a
    negative COLLECTED entry (entries are never edited), so the money taken by mistake
    leaves the books as it came.
    """
    kind = EntryKind(kind)
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
        raise BadEntry("amounts are integer fen")
    reversal = kind == EntryKind.COLLECTED and order_id is not None and amount_fen < 0
    if kind != EntryKind.ADJUSTED and amount_fen <= 0 and not reversal:
        raise BadEntry(f"a {kind} entry must be more than zero, not {amount_fen}")
    entry = LedgerEntry(
        community_id=community_id,
        deal_id=deal_id,
        order_id=order_id,
        resident_id=resident_id,
        kind=kind,
        amount_fen=amount_fen,
        method=PayMethod(method) if method is not None else None,
        note=note[:200],
        by=by[:80],
        at=at,
    )
    session.add(entry)
    session.flush()
    return entry.id


@dataclass(frozen=True)
class EntryView:
    id: int
    kind: str
    amount_fen: int
    method: str | None
    order_id: int | None
    resident_name: str
    note: str
    by: str
    at: datetime


@dataclass(frozen=True)
class OrderMoney:
    """One household's money on the deal."""

    order_id: int
    resident_id: int
    name: str
    phone: str
    room: str
    quantity: int
    status: str
    due_fen: int  # what the order is worth now (0 for cancelled or not collected)
    collected_fen: int
    refunded_fen: int
    credited_fen: int

    @property
    def outstanding_fen(self) -> int:
        return max(self.due_fen - self.collected_fen, 0)

    @property
    def overpaid_fen(self) -> int:
        return max(self.collected_fen - self.due_fen, 0)


@dataclass(frozen=True)
class DealLedger:
    deal: DealView
    orders: tuple[OrderMoney, ...]
    entries: tuple[EntryView, ...]
    refunded_fen: int
    credited_fen: int
    paid_supplier_fen: int
    adjusted_fen: int  # the sum of ADJUSTED entries (negative after a short delivery)
    # Of the collected, what residents paid with credit owed them from another buy
    # (core.books.credits): in the books as collected, but no money came in for it.
    credit_spent_fen: int = 0

    @property
    def expected_fen(self) -> int:
        return sum(o.due_fen for o in self.orders)

    @property
    def collected_fen(self) -> int:
        return sum(o.collected_fen for o in self.orders) + self.unassigned_collected_fen

    @property
    def unassigned_collected_fen(self) -> int:
        """Money collected without an order named (kept, shown, counted as overpaid)."""
        return sum(
            e.amount_fen for e in self.entries if e.kind == EntryKind.COLLECTED and not e.order_id
        )

    @property
    def outstanding_fen(self) -> int:
        return sum(o.outstanding_fen for o in self.orders)

    @property
    def overpaid_fen(self) -> int:
        return sum(o.overpaid_fen for o in self.orders) + self.unassigned_collected_fen

    @property
    def ordered_fen(self) -> int:
        """What the orders were worth before any adjustment (a short delivery)."""
        return self.expected_fen - self.adjusted_fen

    @property
    def cash_in_hand_fen(self) -> int:
        """What the committee holds for the deal: money taken in (a credit spent is none),
        less what was given back and paid out."""
        return (
            self.collected_fen - self.credit_spent_fen - self.refunded_fen - self.paid_supplier_fen
        )

    @property
    def balances(self) -> bool:
        return self.expected_fen + self.overpaid_fen == self.collected_fen + self.outstanding_fen


def collected_by_deal(session: Session, deal_ids: list[int]) -> dict[int, int]:
    """The money taken for each deal: its COLLECTED entries, undone handovers netted out.

    The one figure the ledger page, the history list and the day's count all give.
    """
    if not deal_ids:
        return {}
    rows = session.execute(
        select(LedgerEntry.deal_id, func.coalesce(func.sum(LedgerEntry.amount_fen), 0))
        .where(LedgerEntry.deal_id.in_(deal_ids), LedgerEntry.kind == EntryKind.COLLECTED)
        .group_by(LedgerEntry.deal_id)
    ).all()
    taken = {deal_id: int(total) for deal_id, total in rows}
    return {deal_id: taken.get(deal_id, 0) for deal_id in deal_ids}


def deal_row(session: Session, community_id: int, deal_id: int) -> Deal:
    """The deal by its database id, only in this community (else DealNotFound: a 404)."""
    deal = session.get(Deal, deal_id)
    if deal is None or deal.community_id != community_id:
        raise DealNotFound(f"no deal {deal_id}")
    return deal


@acting(by=None)
def deal_ledger(core: Core, *, community_id: int, deal_id: int) -> DealLedger:
    """The deal's money: every entry, each household's figures and the totals."""
    with core.db.transaction() as session:
        return ledger_of(session, deal_row(session, community_id, deal_id))


def ledger_of(session: Session, deal: Deal) -> DealLedger:
    entries = session.execute(
        select(LedgerEntry, Resident.name)
        .outerjoin(Resident, Resident.id == LedgerEntry.resident_id)
        .where(LedgerEntry.deal_id == deal.id)
        .order_by(LedgerEntry.at, LedgerEntry.id)
    ).all()
    per_order: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    credit_spent = 0
    for entry, _ in entries:
        totals[entry.kind] += entry.amount_fen
        if entry.kind == EntryKind.COLLECTED and entry.method == PayMethod.CREDIT:
            credit_spent += entry.amount_fen
        if entry.order_id is not None:
            per_order[entry.order_id][entry.kind] += entry.amount_fen
    orders = session.execute(
        select(Order, Resident)
        .join(Resident, Resident.id == Order.resident_id)
        .where(Order.deal_id == deal.id)
        .order_by(Order.created_at, Order.id)
    ).all()
    rows = []
    for order, resident in orders:
        money = per_order.get(order.id, {})
        owing = order.status in OWING
        if not owing and not money:
            continue
        rows.append(
            OrderMoney(
                order_id=order.id,
                resident_id=resident.id,
                name=resident.name,
                phone=resident.phone,
                room="-".join(p for p in (resident.building, resident.unit, resident.room) if p),
                quantity=order.quantity,
                status=order.status,
                due_fen=order.quantity * deal.price_fen if owing else 0,
                collected_fen=money.get(EntryKind.COLLECTED, 0),
                refunded_fen=money.get(EntryKind.REFUNDED, 0),
                credited_fen=money.get(EntryKind.CREDITED, 0),
            )
        )
    return DealLedger(
        deal=DealView.of(deal),
        orders=tuple(rows),
        entries=tuple(
            EntryView(
                id=e.id,
                kind=e.kind,
                amount_fen=e.amount_fen,
                method=e.method,
                order_id=e.order_id,
                resident_name=name or "",
                note=e.note,
                by=e.by,
                at=e.at,
            )
            for e, name in entries
        ),
        refunded_fen=totals[EntryKind.REFUNDED],
        credited_fen=totals[EntryKind.CREDITED],
        paid_supplier_fen=totals[EntryKind.PAID_SUPPLIER],
        adjusted_fen=totals[EntryKind.ADJUSTED],
        credit_spent_fen=credit_spent,
    )
