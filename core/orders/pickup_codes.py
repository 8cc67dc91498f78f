"""The four-digit pickup code a resident says at the desk.

One code per resident and pickup day: an older resident with a pear and a millet order
collected on Saturday has one code to remember, and the desk finds both orders with it.
It is unique among the other residents collecting that day (the day in the community's
zone), so a code names one household at the desk; a database constraint keeps it unique
within each deal as a second guard. It is kept through changes to the order, so the code
in the first confirmation stays right.
"""

from __future__ import annotations

import secrets
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.deals.models import UNFINISHED, Deal
from core.orders.models import Order

#: Codes with no leading zero: said and keyed the same way on every phone.
_LOWEST, _HIGHEST = 1000, 9999


def pickup_day(deal: Deal, zone: ZoneInfo) -> date:
    """The community's calendar day a deal's pickup starts on."""
    return deal.pickup_start.astimezone(zone).date()


def assign_pickup_code(session: Session, order: Order, deal: Deal, zone: ZoneInfo) -> str:
    """The order's code: its own, the resident's code for that day, or a fresh one."""
    if order.pickup_code:
        return order.pickup_code
    day = pickup_day(deal, zone)
    same_day = [
        d.id
        for d in session.scalars(
            select(Deal).where(
                Deal.community_id == deal.community_id,
                Deal.status.in_([s.value for s in UNFINISHED]),
            )
        )
        if pickup_day(d, zone) == day
    ]
    if deal.id not in same_day:
        same_day.append(deal.id)
    taken: set[str] = set()
    for resident_id, code in session.execute(
        select(Order.resident_id, Order.pickup_code).where(
            Order.deal_id.in_(same_day),
            # Cancelled orders too: theirs comes back if they order again.
            Order.pickup_code.is_not(None),
        )
    ):
        if resident_id == order.resident_id:
            order.pickup_code = code
            return code
        taken.add(code)
    order.pickup_code = _fresh(taken)
    return order.pickup_code


def _fresh(taken: set[str]) -> str:
    """A random code nobody else collecting that day holds."""
    free = (_HIGHEST - _LOWEST + 1) - len(taken)
    if free <= 0:  # pragma: no cover - 9000 households collecting on one day
        raise RuntimeError("no pickup code left for this day")
    while True:
        code = str(_LOWEST + secrets.randbelow(_HIGHEST - _LOWEST + 1))
        if code not in taken:
            return code
