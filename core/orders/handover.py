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
    _set_pickup(session, order, deal, OrderStatus.PICKED_UP, now, by[:80], by=by, now=now,
                action=action, detail=detail)  # fmt: skip


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
    _set_pickup(session, order, deal, OrderStatus.PLACED, None, None, by=by, now=now,
                action=action, detail=detail)  # fmt: skip


def _set_pickup(
    session: Session,
    order: Order,
    deal: Deal,
    status: OrderStatus,
    picked_up_at: datetime | None,
    picked_up_by: str | None,
    *,
    by: str,
    now: datetime,
    action: str,
    detail: dict[str, object],
) -> None:
    order.status = status
    order.picked_up_at = picked_up_at
    order.picked_up_by = picked_up_by
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
