"""What may be ordered: the rules every channel asks before and while it orders.

`place_order` enforces them for real; the phone menu's preview, the SMS dialog's
"how many? reply 1-3" and its refusals ask the same functions, so no channel keeps
a copy of a rule that could drift from the one that decides.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core.db import note_seen, seen_once
from core.deals.models import UNFINISHED, Deal, DealStatus
from core.orders.models import Order
from core.results import Refusal, RefusalReason


class Capped(Protocol):
    """A deal row or its snapshot: what the quantity rules read."""

    per_resident_limit: int | None

    @property
    def units_left(self) -> int | None: ...


def find_deal(session: Session, community_id: int, number: int) -> Deal | None:
    """The unfinished deal residents know by this short number.

    A reader that loaded the community's unfinished deals in this transaction
    (`loaded_unfinished`) finds it in the identity map, without a query.
    """
    deal = session.info.get(_LOADED, {}).get(community_id, {}).get(number)
    # Its status as this transaction last read or changed it.
    if deal is not None and deal in session and deal.status in UNFINISHED:
        return deal
    return session.scalar(_BY_NUMBER, {"community_id": community_id, "number": number})


def loaded_unfinished(session: Session, community_id: int, deals: list[Deal]) -> None:
    """The community's unfinished deals were read in this transaction: `find_deal` finds
    them among these rows (held here: the session keeps unchanged rows only weakly).
    A deal made since is not among them; `find_deal` queries for it."""
    session.info.setdefault(_LOADED, {})[community_id] = {d.number: d for d in deals}


_LOADED = "unfinished_deals"


def her_order(session: Session, deal: Deal, resident_id: int) -> Order | None:
    """Her order on the deal whatever its status (one row a deal: the table's unique key),
    locked for this transaction. None without a query when this transaction's reading saw
    she has none (`loaded_her_orders`); a row inserted by another transaction since then
    makes her new one clash on the unique key, and the order is tried again (`run_once`,
    or the text read again step by step)."""
    if seen_once(session, _NONE_OF_HERS, (deal.id, resident_id)):
        return None
    return session.scalar(_HER_ORDER, {"deal_id": deal.id, "resident_id": resident_id})


def loaded_her_orders(
    session: Session, resident_id: int, deals: list[Deal], orders: list[Order]
) -> None:
    """Her orders of any status on these deals were read in this transaction: on the
    deals with none of them, `her_order` knows there is no row to lock."""
    with_orders = {order.deal_id for order in orders}
    note_seen(
        session, _NONE_OF_HERS, ((d.id, resident_id) for d in deals if d.id not in with_orders)
    )


_NONE_OF_HERS = "deals_without_her_order"


#: Built once (run for every order and cancel): cheaper to run again than to build.
_HER_ORDER = (
    select(Order)
    .where(Order.deal_id == bindparam("deal_id"), Order.resident_id == bindparam("resident_id"))
    .with_for_update()
)
_BY_NUMBER = select(Deal).where(
    Deal.community_id == bindparam("community_id"),
    Deal.number == bindparam("number"),
    Deal.status.in_([s.value for s in UNFINISHED]),
)


def refuse_unorderable(deal: Deal | None, number: int, now: datetime) -> Refusal | None:
    """Why no order can be taken on this deal now, or None when one can."""
    if deal is None or deal.status == DealStatus.DRAFT:
        return Refusal(RefusalReason.UNKNOWN_DEAL, deal_number=number)
    if deal.status == DealStatus.OPEN and deal.opens_at is not None and now < deal.opens_at:
        return Refusal(RefusalReason.NOT_OPEN_YET, deal_number=number)
    if not deal.is_taking_orders(now):
        return Refusal(RefusalReason.DEAL_CLOSED, deal_number=number)
    return None


def refuse_over_limit(deal: Capped, number: int, quantity: int) -> Refusal | None:
    """The household limit: no resident holds more than `per_resident_limit` in all."""
    limit = deal.per_resident_limit
    if limit is not None and quantity > limit:
        return Refusal(RefusalReason.OVER_LIMIT, deal_number=number, limit=limit)
    return None


def most_allowed(deal: Capped, held: int = 0) -> int | None:
    """The most this resident may hold in all: the household limit, or the stock left
    counting what they hold already (a change replaces it). None: neither bounds it."""
    bounds = [b for b in (deal.per_resident_limit, _left_for(deal, held)) if b is not None]
    return min(bounds) if bounds else None


def _left_for(deal: Capped, held: int) -> int | None:
    left = deal.units_left
    return None if left is None else left + held
