"""The money that goes with the goods: taken when a household collects, and taken back
with the goods when the handover is undone.

One pair of steps for every place goods are handed over (the orders page, the desk),
inside the caller's transaction, so the order's pickup (`core.orders.handover`) and its
money stand or fall together. The resident's unspent credit is spent first, as far as
the table leaves the order unpaid; what the table took is recorded with its way of
paying. Money is read only from the ledger: an undo reverses, way by way, what the
ledger says was taken for the order, credit included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.books import notes
from core.books.credits import amounts_to_pay, collected_by_order
from core.books.ledger import record_entry
from core.books.models import EntryKind, PayMethod
from core.deals.models import Deal
from core.orders.handover import hand_back, hand_over
from core.orders.models import Order
from core.residents.models import Resident


@dataclass(frozen=True)
class Payment:
    credit_fen: int  # the resident's credit spent on the order
    table_fen: int  # what was taken at the table
    method: PayMethod | None


def collect(
    session: Session,
    order: Order,
    deal: Deal,
    *,
    table_fen: int | None,
    method: PayMethod | None,
    by: str,
    now: datetime,
    action: str = "order.picked_up",
    note: str = "",
) -> Payment:
    """Hand the order over and record its money.

    `table_fen` is what the table took; None takes what is left to pay after the credit
    (the desk, whose screen showed exactly that). The credit fills what the table left
    unpaid, never more: a household that pays in full keeps its credit.
    """
    # The resident's row is locked, so two desks cannot spend one credit twice.
    session.get(Resident, order.resident_id, with_for_update=True)
    due = amounts_to_pay(session, [(order, deal)])[order.id]
    if table_fen is None:
        table_fen = due.to_pay_fen
    credit = min(due.credit_fen, max(due.outstanding_fen - table_fen, 0))
    for amount, way in ((credit, PayMethod.CREDIT), (table_fen, method)):
        if amount:
            record_entry(
                session,
                community_id=deal.community_id,
                deal_id=deal.id,
                kind=EntryKind.COLLECTED,
                amount_fen=amount,
                by=by,
                order_id=order.id,
                resident_id=order.resident_id,
                method=way or PayMethod.CASH,
                note=note,
                at=now,
            )
    hand_over(
        session,
        order,
        deal,
        by=by,
        now=now,
        action=action,
        amount_fen=table_fen,
        credit_fen=credit,
        method=str(method) if table_fen and method else None,
    )
    return Payment(credit, table_fen, method if table_fen else None)


def uncollect(
    session: Session,
    order: Order,
    deal: Deal,
    *,
    by: str,
    now: datetime,
    action: str = "order.pickup_undone",
    note: str = notes.UNDO,
) -> int:
    """Take a handover back: every way of paying reversed as the ledger has it, the
    order waiting again. Returns the money reversed (credit included)."""
    taken = collected_by_order(session, [order.id]).get(order.id, {})
    for method, amount in sorted(taken.items()):
        record_entry(
            session,
            community_id=deal.community_id,
            deal_id=deal.id,
            kind=EntryKind.COLLECTED,
            amount_fen=-amount,
            by=by,
            order_id=order.id,
            resident_id=order.resident_id,
            method=PayMethod(method),
            note=note,
            at=now,
        )
    reversed_fen = sum(taken.values())
    hand_back(session, order, deal, by=by, now=now, action=action, amount_fen=-reversed_fen)
    return reversed_fen
