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

from sqlalchemy import Select, bindparam, select, union_all
from sqlalchemy.orm import Session

from core.deals.models import UNFINISHED, Deal
from core.orders.models import Order

#: Codes with no leading zero: said and keyed the same way on every phone.
_LOWEST, _HIGHEST = 1000, 9999


def pickup_day(deal: Deal, zone: ZoneInfo) -> date:
    """The community's calendar day a deal's pickup starts on."""
    return deal.pickup_start.astimezone(zone).date()


def assign_pickup_code(session: Session, order: Order, deal: Deal, zone: ZoneInfo) -> str:
    """The order's code: its own, the resident's code for that day, or a fresh one.

    Each lookup reads a handful of rows, however many households ordered: the
    resident's own codes, then whether a drawn code is held that day (a draw is
    free four times in five until thousands collect on one day).
    """
    if order.pickup_code:
        return order.pickup_code
    with session.no_autoflush:  # a new order is written once, with its code, by the caller
        order.pickup_code = _choose(session, order, deal, zone)
    return order.pickup_code


def _choose(session: Session, order: Order, deal: Deal, zone: ZoneInfo) -> str:
    day = pickup_day(deal, zone)
    # One statement asks both: her own codes that day, and whether the first draw is held.
    code = _draw_code()
    rows = session.execute(
        _HERS_OR_THIS_CODE,
        {"community_id": deal.community_id, "deal_id": deal.id,
         "resident_id": order.resident_id, "code": code},
    )  # fmt: skip
    that_day = [
        (held, by) for held, start, by, _order in rows if start.astimezone(zone).date() == day
    ]
    own = [held for held, by in that_day if by == order.resident_id]
    if own:
        return own[0]
    if not that_day:  # nobody collecting that day holds the draw
        return code
    for _draw in range(_DRAWS - 1):
        code = _draw_code()
        if not _codes_on(session, _THIS_CODE, deal, zone, day, code=code):
            return code
    return _fresh(set(_codes_on(session, _ALL_CODES, deal, zone, day)))  # a crowded day


#: Random draws tried before the whole day's codes are read to choose among the free ones.
_DRAWS = 12


def _codes_on(
    session: Session,
    statement: Select[tuple[str, date]],
    deal: Deal,
    zone: ZoneInfo,
    day: date,
    **narrowed: object,
) -> list[str]:
    """The codes held (cancelled orders' too: theirs comes back if they order again) on
    orders for this deal's community's deals collected on `day`: one of the statements
    below, narrowed by its parameters."""
    rows = session.execute(
        statement, {"community_id": deal.community_id, "deal_id": deal.id, **narrowed}
    )
    return [code for code, start in rows if start.astimezone(zone).date() == day]


# Built once (run for every order placed): a statement object is cheaper to run again
# than to build, its cache key kept.
_ALL_CODES = (
    select(Order.pickup_code, Deal.pickup_start)
    .join(Deal, Deal.id == Order.deal_id)
    .where(
        Deal.community_id == bindparam("community_id"),
        Deal.status.in_([s.value for s in UNFINISHED]) | (Deal.id == bindparam("deal_id")),
        Order.pickup_code.is_not(None),
    )
    .order_by(Order.id)
)
_THIS_CODE = _ALL_CODES.where(Order.pickup_code == bindparam("code"))
# Two lookups in one statement, each on its own index (her orders; the code on each of
# the few unfinished deals): an OR of the two would read every order on those deals,
# more with every household that orders. A row of hers with the code comes twice.
_HOLDERS = _ALL_CODES.add_columns(Order.resident_id, Order.id.label("order_id")).order_by(None)
_HERS_OR_THIS_CODE = union_all(
    _HOLDERS.where(Order.resident_id == bindparam("resident_id")),
    _HOLDERS.where(Order.pickup_code == bindparam("code")),
)
_HERS_OR_THIS_CODE = _HERS_OR_THIS_CODE.order_by(_HERS_OR_THIS_CODE.selected_columns.order_id)


def _draw_code() -> str:
    return str(_LOWEST + secrets.randbelow(_HIGHEST - _LOWEST + 1))


def _fresh(taken: set[str]) -> str:
    """A random code nobody else collecting that day holds."""
    free = (_HIGHEST - _LOWEST + 1) - len(taken)
    if free <= 0:  # pragma: no cover - 9000 households collecting on one day
        raise RuntimeError("no pickup code left for this day")
    while True:
        code = _draw_code()
        if code not in taken:
            return code
