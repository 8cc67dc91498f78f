"""Goods handed over at pickup, and a handover taken back: the one place where an
order's pickup status, time and hand change, whichever page or desk does it.

The money that goes with a handover is the books' (`core.books.pickup`); these steps
touch only the order, inside the caller's transaction, and write its audit line.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.accounts.services import audit
from core.deals.models import Deal
from core.orders.models import Order, OrderStatus


def hand_over(
    session: Session,
    order: Order,
    deal: Deal,
    *,
    by: str,
    now: datetime,
    action: str = "order.picked_up",
    **detail: object,
) -> None:
    """Mark the goods collected, by whom and when, and log it under `action`."""
    order.status = OrderStatus.PICKED_UP
    order.picked_up_at = now
    order.picked_up_by = by[:80]
    order.updated_at = now
    audit(
        session,
        actor=by,
        action=action,
        community_id=deal.community_id,
        order_id=order.id,
        deal_id=deal.id,
        **detail,
    )


def hand_back(
    session: Session,
    order: Order,
    deal: Deal,
    *,
    by: str,
    now: datetime,
    action: str = "order.pickup_undone",
    **detail: object,
) -> None:
    """The inverse of `hand_over`: the goods wait at the desk again, and the undo is logged."""
    order.status = OrderStatus.PLACED
    order.picked_up_at = None
    order.picked_up_by = None
    order.updated_at = now
    audit(
        session,
        actor=by,
        action=action,
        community_id=deal.community_id,
        order_id=order.id,
        deal_id=deal.id,
        **detail,
    )
