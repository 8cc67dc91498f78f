"""Money at the pickup table and in the cash box: collected per order, counted per day.

The payment way (cash, WeChat, Alipay) is recorded only; no payment is taken through
Mianhua. The box should hold what was taken in cash that day, less what was paid out
of it in cash (a refund, the supplier): the end-of-day count is compared with that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.accounts.services import audit
from core.books.ledger import deal_row, record_entry
from core.books.models import CashCount, EntryKind, LedgerEntry, PayMethod
from core.books.pickup import collect
from core.community.models import Community
from core.context import Core
from core.deals.models import Deal
from core.orders.models import Order, OrderStatus
from core.results import OrderView, Refusal, RefusalReason

#: How a household may pay at the table (CREDIT is a credit spent, never taken at the table).
TABLE_METHODS = (PayMethod.CASH, PayMethod.WECHAT, PayMethod.ALIPAY)
#: The most one entry may be: 100,000 yuan, far beyond any group buy; a typo guard.
MAX_ENTRY_FEN = 10_000_000


class BadAmount(ValueError):
    """An amount or a way of paying that cannot be recorded."""


def _check(amount_fen: int, method: PayMethod | str | None, *, allow_zero: bool) -> None:
    if amount_fen < 0 or amount_fen > MAX_ENTRY_FEN or (amount_fen == 0 and not allow_zero):
        raise BadAmount(f"amount {amount_fen}")
    if amount_fen and (method is None or PayMethod(method) not in TABLE_METHODS):
        raise BadAmount(f"way of paying {method}")


@acting()
def collect_at_pickup(
    core: Core,
    *,
    community_id: int,
    order_id: int,
    amount_fen: int,
    method: PayMethod | str | None,
    by: str,
) -> OrderView | Refusal:
    """Goods handed over and the money taken for them, in one transaction.

    `amount_fen` is what the table took (the form offers what is left after the
    resident's credit); the credit pays what the table left unpaid, as far as it goes.
    """
    _check(amount_fen, method, allow_zero=True)
    now = core.now()
    with core.db.transaction() as session:
        order = session.get(Order, order_id, with_for_update=True)
        if order is None or order.status not in (OrderStatus.PLACED, OrderStatus.NO_SHOW):
            return Refusal(RefusalReason.NO_ORDER)
        deal = session.get_one(Deal, order.deal_id)
        if deal.community_id != community_id:
            return Refusal(RefusalReason.NO_ORDER)
        collect(
            session,
            order,
            deal,
            table_fen=amount_fen,
            method=PayMethod(method) if amount_fen else None,
            by=by,
            now=now,
        )
        return OrderView.of(order, deal)


@acting()
def pay_supplier(
    core: Core,
    *,
    community_id: int,
    deal_id: int,
    amount_fen: int,
    method: PayMethod | str,
    note: str = "",
    by: str,
) -> int:
    """The committee paid the deal's supplier; returns the entry's id."""
    _check(amount_fen, method, allow_zero=False)
    with core.db.transaction() as session:
        deal = deal_row(session, community_id, deal_id)
        entry_id = record_entry(
            session,
            community_id=community_id,
            deal_id=deal.id,
            kind=EntryKind.PAID_SUPPLIER,
            amount_fen=amount_fen,
            by=by,
            method=PayMethod(method),
            note=note,
            at=core.now(),
        )
        audit(
            session,
            actor=by,
            action="ledger.paid_supplier",
            community_id=community_id,
            deal_id=deal.id,
            amount_fen=amount_fen,
        )
        return entry_id


@dataclass(frozen=True)
class CashDay:
    """The cash box on one local day: what should be in it, and the counts made."""

    day: date
    cash_in_fen: int
    cash_out_fen: int
    counts: tuple[CountView, ...]

    @property
    def expected_fen(self) -> int:
        return self.cash_in_fen - self.cash_out_fen


@dataclass(frozen=True)
class CountView:
    id: int
    day: date
    expected_fen: int
    counted_fen: int
    difference_fen: int
    note: str
    by: str
    at: datetime


def local_day(community: Community, moment: datetime) -> date:
    return moment.astimezone(community.zone).date()


def _day_bounds(community: Community, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=community.zone)
    return start, start + timedelta(days=1)


def _cash_moved(session: Session, community: Community, day: date) -> tuple[int, int]:
    start, end = _day_bounds(community, day)
    rows = session.execute(
        select(LedgerEntry.kind, func.coalesce(func.sum(LedgerEntry.amount_fen), 0))
        .where(
            LedgerEntry.community_id == community.id,
            LedgerEntry.method == PayMethod.CASH,
            LedgerEntry.at >= start,
            LedgerEntry.at < end,
        )
        .group_by(LedgerEntry.kind)
    ).all()
    moved = {kind: int(total) for kind, total in rows}
    cash_in = moved.get(EntryKind.COLLECTED, 0)
    cash_out = moved.get(EntryKind.REFUNDED, 0) + moved.get(EntryKind.PAID_SUPPLIER, 0)
    return cash_in, cash_out


def _counts(session: Session, community_id: int, day: date) -> tuple[CountView, ...]:
    return tuple(
        CountView(c.id, c.day, c.expected_fen, c.counted_fen, c.difference_fen, c.note, c.by, c.at)
        for c in session.scalars(
            select(CashCount)
            .where(CashCount.community_id == community_id, CashCount.day == day)
            .order_by(CashCount.at, CashCount.id)
        )
    )


@acting(by=None)
def cash_day(core: Core, *, community_id: int, day: date | None = None) -> CashDay:
    """The box's day (today in the community's zone, unless named)."""
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        day = day or local_day(community, core.now())
        cash_in, cash_out = _cash_moved(session, community, day)
        return CashDay(day, cash_in, cash_out, _counts(session, community_id, day))


@acting()
def count_cash(
    core: Core,
    *,
    community_id: int,
    counted_fen: int,
    day: date | None = None,
    note: str = "",
    by: str,
) -> CountView:
    """Keep a count of the box: who counted, when, and how far it is from what is expected."""
    if counted_fen < 0 or counted_fen > MAX_ENTRY_FEN:
        raise BadAmount(f"counted {counted_fen}")
    now = core.now()
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        day = day or local_day(community, now)
        cash_in, cash_out = _cash_moved(session, community, day)
        expected = cash_in - cash_out
        count = CashCount(
            community_id=community_id,
            day=day,
            expected_fen=expected,
            counted_fen=counted_fen,
            difference_fen=counted_fen - expected,
            note=note[:200],
            by=by,
            at=now,
        )
        session.add(count)
        session.flush()
        audit(
            session,
            actor=by,
            action="ledger.cash_counted",
            community_id=community_id,
            day=day.isoformat(),
            counted_fen=counted_fen,
            expected_fen=expected,
        )
        return CountView(
            count.id, day, expected, counted_fen, count.difference_fen, count.note, by, now
        )
