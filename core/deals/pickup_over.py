"""Pickup over: a deal's end, once its pickup has started (or earlier, by an admin with a
reason). Orders not collected become no-shows and the deal's short number is freed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.accounts.services import audit
from core.context import Core
from core.deals.models import Deal, DealStatus
from core.deals.services import deal_by_number
from core.orders.models import Order, OrderStatus
from core.results import DealView


@dataclass(frozen=True)
class PickupNotStarted:
    """ "Pickup over" asked before the pickup window opened: refused, with when it opens.

    `needs_reason`: an admin's override was asked without saying why."""

    deal: DealView
    needs_reason: bool = False

    def __bool__(self) -> bool:
        return False


@acting()
def fulfil_deal(
    core: Core,
    *,
    community_id: int,
    number: int | None = None,
    deal_id: int | None = None,
    by: str = "system",
) -> DealView | PickupNotStarted:
    """Pickup is over: orders not collected become no-shows and the number is freed.

    Only once the pickup window has started: before it, every order would become a
    no-show while residents still expect their goods (an admin may override, with a
    reason, through `fulfil_deal_early`)."""
    with core.db.transaction() as session:
        deal = deal_by_number(session, community_id, number, deal_id=deal_id)
        if deal.status != DealStatus.CONFIRMED:
            return DealView.of(deal)
        if core.now() < deal.pickup_start:
            return PickupNotStarted(DealView.of(deal))
        return _fulfil(session, deal, by)


@acting(admin=True)
def fulfil_deal_early(
    core: Core,
    *,
    community_id: int,
    reason: str,
    number: int | None = None,
    deal_id: int | None = None,
    by: str = "system",
) -> DealView | PickupNotStarted:
    """An admin ends pickup before its window (the goods went out another way); the
    reason goes in the audit log."""
    reason = " ".join(reason.split())[:200]
    with core.db.transaction() as session:
        deal = deal_by_number(session, community_id, number, deal_id=deal_id)
        if deal.status != DealStatus.CONFIRMED:
            return DealView.of(deal)
        if not reason:
            return PickupNotStarted(DealView.of(deal), needs_reason=True)
        return _fulfil(session, deal, by, early=True, reason=reason)


def _fulfil(session: Session, deal: Deal, by: str, **why: object) -> DealView:
    """Orders not collected become no-shows; the deal is finished and its number free."""
    number, community_id = deal.number, deal.community_id
    for order in session.scalars(
        select(Order).where(Order.deal_id == deal.id, Order.status == OrderStatus.PLACED)
    ):
        order.status = OrderStatus.NO_SHOW
    deal.status = DealStatus.FULFILLED
    audit(
        session,
        actor=by,
        action="deal.fulfil",
        community_id=community_id,
        number=number,
        deal_id=deal.id,
        **why,
    )
    return DealView.of(deal)
