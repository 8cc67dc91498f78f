"""A resident's credit (抵用款): owed back for a problem with goods, spent on the next buy.

A credit is a CREDITED entry on the deal whose goods were bad (`core.books.quality`).
It is spent when the resident next collects an order, on the deal where it is spent:
a COLLECTED entry paid by PayMethod.CREDIT, so that order is paid and its deal's books
balance. The balance is never stored: credited less spent, read from the ledger. An
undone handover reverses the spending with the rest of its money, and the credit is
there again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.books.models import EntryKind, LedgerEntry, PayMethod
from core.context import Core
from core.deals.models import Deal
from core.orders.models import Order, OrderStatus
from core.residents.models import Resident

#: Orders whose goods still wait at the desk: a credit is spent on these when collected.
WAITING = (OrderStatus.PLACED, OrderStatus.NO_SHOW)
#: Orders that owe what they are worth (a cancelled order owes nothing).
WORTH_PAYING = (OrderStatus.PLACED, OrderStatus.PICKED_UP, OrderStatus.NO_SHOW)


@dataclass(frozen=True)
class CreditBalance:
    credited_fen: int
    spent_fen: int

    @property
    def unspent_fen(self) -> int:
        return max(self.credited_fen - self.spent_fen, 0)


def credit_balances(session: Session, resident_ids: Iterable[int]) -> dict[int, CreditBalance]:
    """Each resident's credit: every CREDITED entry, less what collections spent of it."""
    ids = list(set(resident_ids))
    if not ids:
        return {}
    credited = case((LedgerEntry.kind == EntryKind.CREDITED, LedgerEntry.amount_fen), else_=0)
    spent = case(
        (
            (LedgerEntry.kind == EntryKind.COLLECTED) & (LedgerEntry.method == PayMethod.CREDIT),
            LedgerEntry.amount_fen,
        ),
        else_=0,
    )
    rows = session.execute(
        select(LedgerEntry.resident_id, func.sum(credited), func.sum(spent))
        .where(LedgerEntry.resident_id.in_(ids))
        .group_by(LedgerEntry.resident_id)
    ).all()
    found = {rid: CreditBalance(int(c or 0), int(s or 0)) for rid, c, s in rows}
    return {rid: found.get(rid, CreditBalance(0, 0)) for rid in ids}


def collected_by_order(session: Session, order_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """The money taken for each order, net of reversals, by way of paying (the ledger's)."""
    ids = list(set(order_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(LedgerEntry.order_id, LedgerEntry.method, func.sum(LedgerEntry.amount_fen))
        .where(LedgerEntry.order_id.in_(ids), LedgerEntry.kind == EntryKind.COLLECTED)
        .group_by(LedgerEntry.order_id, LedgerEntry.method)
    ).all()
    taken: dict[int, dict[str, int]] = {}
    for order_id, method, total in rows:
        if int(total or 0):
            taken.setdefault(order_id, {})[method or PayMethod.CASH] = int(total)
    return taken


@dataclass(frozen=True)
class ToPay:
    """What one order still asks of its household at the table."""

    outstanding_fen: int  # its worth less what was taken for it
    credit_fen: int  # of that, what the resident's unspent credit will cover

    @property
    def to_pay_fen(self) -> int:
        return self.outstanding_fen - self.credit_fen


def amounts_to_pay(session: Session, orders: Sequence[tuple[Order, Deal]]) -> dict[int, ToPay]:
    """What each order still asks, after the credit its resident has not spent yet.

    A resident's credit goes to their waiting orders in the order given (the desk's and
    the pickup list's own order), each never below zero, exactly as collecting them one
    after the other would spend it.
    """
    taken = collected_by_order(session, [order.id for order, _ in orders])
    credit = {
        rid: balance.unspent_fen
        for rid, balance in credit_balances(session, [o.resident_id for o, _ in orders]).items()
    }
    amounts: dict[int, ToPay] = {}
    for order, deal in orders:
        worth = order.quantity * deal.price_fen if order.status in WORTH_PAYING else 0
        outstanding = max(worth - sum(taken.get(order.id, {}).values()), 0)
        covered = 0
        if order.status in WAITING:
            covered = min(credit.get(order.resident_id, 0), outstanding)
            credit[order.resident_id] = credit.get(order.resident_id, 0) - covered
        amounts[order.id] = ToPay(outstanding, covered)
    return amounts


def deal_amounts_to_pay(session: Session, deal: Deal) -> dict[int, ToPay]:
    """`amounts_to_pay` for every order of one deal, oldest first."""
    orders = session.scalars(
        select(Order).where(Order.deal_id == deal.id).order_by(Order.created_at, Order.id)
    ).all()
    return amounts_to_pay(session, [(order, deal) for order in orders])


@acting(by=None)
def resident_credit(core: Core, *, community_id: int, resident_id: int) -> CreditBalance:
    """A resident's credit on their page: credited, spent, and what is left."""
    with core.db.transaction() as session:
        resident = session.get(Resident, resident_id)
        if resident is None or resident.community_id != community_id:
            return CreditBalance(0, 0)
        return credit_balances(session, [resident_id])[resident_id]


@acting(by=None)
def deal_amounts_due(core: Core, *, community_id: int, deal_id: int) -> dict[int, ToPay]:
    """What each order of a deal still asks at the table, after credits (the pickup
    list, its print and exports, the orders page's amount)."""
    with core.db.transaction() as session:
        deal = session.get(Deal, deal_id)
        if deal is None or deal.community_id != community_id:
            return {}
        return deal_amounts_to_pay(session, deal)
