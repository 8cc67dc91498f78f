"""The pickup desk: find a household, hand over all it has to collect in one tap, take
the money, and undo a tap made by mistake on the same day.

A household is the residents of one room (building, unit and room all known), else the
resident alone: an older couple collects together and pays once. What it may collect
are its placed orders on deals that go ahead and whose pickup window has started.
Every handover and undo is in the audit log. The steps are the ones every handover
takes (`core.books.pickup`: the order's pickup and its money in the ledger, a credit
spent first), and every sum shown is read from the ledger.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import cn2an
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.acting import OutsideCommunity, acting
from core.books import notes
from core.books.cash import TABLE_METHODS
from core.books.credits import amounts_to_pay, collected_by_order
from core.books.models import PayMethod
from core.books.pickup import collect, uncollect
from core.community.models import Community
from core.context import Core
from core.deals.models import Deal, DealStatus
from core.orders.models import Order, OrderStatus
from core.residents.models import Resident

#: The ways of paying the desk records (recorded only: no payment integration): the
#: table's, one list in `core.books.cash` so the desk and the ledger never drift apart.
DESK_METHODS = TABLE_METHODS
_MOST_HOUSEHOLDS = 20
_CHINESE_NUMBER = re.compile(r"[零一二两三四五六七八九十百]+")
_DIALLED = re.compile(r"\+?[\d\s\-]+")
_ROOM = re.compile(r"^(\d+)\D+?(\d+)\D+?(\d+)\D*$")


@dataclass(frozen=True)
class DeskOrder:
    order_id: int
    deal_id: int
    deal_number: int
    title_zh: str
    unit: str
    quantity: int
    total_fen: int
    status: str
    name: str
    pickup_code: str | None
    collectable: bool  # placed, on a deal that goes ahead, its pickup started
    undoable: bool  # picked up today (the community's day) on a deal still in pickup
    outstanding_fen: int  # its worth less what the ledger says was taken for it
    credit_fen: int  # of that, what the resident's unspent credit covers
    paid: tuple[tuple[str, int], ...]  # what the ledger has taken for it, by way of paying

    @property
    def to_pay_fen(self) -> int:
        return self.outstanding_fen - self.credit_fen


@dataclass(frozen=True)
class Household:
    resident_id: int  # the first of its residents: what the desk's buttons name
    address: str
    names: tuple[str, ...]
    phones: tuple[str, ...]
    orders: tuple[DeskOrder, ...]

    @property
    def to_collect(self) -> tuple[DeskOrder, ...]:
        return tuple(o for o in self.orders if o.collectable)

    @property
    def to_pay_fen(self) -> int:
        return sum(o.to_pay_fen for o in self.to_collect)

    @property
    def credit_fen(self) -> int:
        return sum(o.credit_fen for o in self.to_collect)


@dataclass(frozen=True)
class CheckedOff:
    household: Household
    orders: tuple[DeskOrder, ...]  # what this tap handed over; empty if done already
    paid_fen: int  # taken at the table
    method: str
    credit_fen: int = 0  # the residents' credit spent on it


def room_of(text: str) -> tuple[str, str, str] | None:
    """3-2-401, 3/2/401, 3号楼2单元401室, 三号楼二单元401 -> ("3", "2", "401").

    Looser than `core.residents.addresses.parse_flat` on purpose for a search box: any
    non-digits part the numbers (3.2.401 finds the flat too), and only numbered flats
    match, as `_room_key` compares digits alone."""
    arabic = _CHINESE_NUMBER.sub(lambda m: str(cn2an.cn2an(m.group(0), "smart")), text.strip())
    found = _ROOM.match(arabic)
    return (found.group(1), found.group(2), found.group(3)) if found else None


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _room_key(resident: Resident) -> tuple[str, str, str] | None:
    parts = (_digits(resident.building), _digits(resident.unit), _digits(resident.room))
    return parts if all(parts) else None


def _matches(query: str, resident: Resident, codes: set[str]) -> bool:
    text = query.strip()
    digits = _digits(text)
    if digits == text and len(digits) >= 4:
        return resident.phone.endswith(digits) or (len(digits) == 4 and digits in codes)
    room = room_of(text)
    if room is not None and len(room[0]) <= 3 and len(room[1]) <= 2:  # 10-2-1201
        return _room_key(resident) == room
    if len(digits) >= 7 and _DIALLED.fullmatch(text):  # 138 0013 8001, 0311-8888 6666
        return _digits(resident.phone).endswith(digits.lstrip("0"))
    return bool(text) and text in resident.name


def _local_day(moment: datetime, community: Community) -> object:
    return moment.astimezone(community.zone).date()


def _desk_orders(
    session: Session, community: Community, residents: Iterable[Resident], now: datetime
) -> list[DeskOrder]:
    return [shown for _, shown in _desk_rows(session, community, residents, now)]


def _desk_rows(
    session: Session, community: Community, residents: Iterable[Resident], now: datetime
) -> list[tuple[int, DeskOrder]]:
    """Each order the desk shows with its resident's id, by deal number then order."""
    by_id = {r.id: r for r in residents}
    rows = session.execute(
        select(Order, Deal)
        .join(Deal, Deal.id == Order.deal_id)
        .where(
            Order.resident_id.in_(list(by_id)),
            Deal.status == DealStatus.CONFIRMED,
            Order.status.in_([OrderStatus.PLACED, OrderStatus.PICKED_UP]),
        )
        .order_by(Deal.number, Order.id)
    ).all()
    today = _local_day(now, community)
    money = amounts_to_pay(session, rows)
    taken = collected_by_order(session, [order.id for order, _ in rows])
    return [
        (
            order.resident_id,
            DeskOrder(
                order_id=order.id,
                deal_id=deal.id,
                deal_number=deal.number,
                title_zh=deal.title_zh,
                unit=deal.unit,
                quantity=order.quantity,
                total_fen=order.quantity * deal.price_fen,
                status=order.status,
                name=by_id[order.resident_id].name,
                pickup_code=order.pickup_code,
                collectable=order.status == OrderStatus.PLACED and deal.pickup_start <= now,
                undoable=order.status == OrderStatus.PICKED_UP
                and order.picked_up_at is not None
                and _local_day(order.picked_up_at, community) == today,
                outstanding_fen=money[order.id].outstanding_fen,
                credit_fen=money[order.id].credit_fen,
                paid=tuple(sorted(taken.get(order.id, {}).items())),
            ),
        )
        for order, deal in rows
    ]


def _households(
    session: Session, community: Community, members: list[Resident], now: datetime
) -> list[Household]:
    """The members in households, each with its orders: read once for all of them (not a
    round of queries per household). Kept in the one reading's order (deal number, then
    order), a household's orders and its credit's spending are those a reading of that
    household alone gives, as credit is spent per resident in that order."""
    groups: dict[object, list[Resident]] = {}
    key_of: dict[int, object] = {}
    for resident in members:
        key_of[resident.id] = _room_key(resident) or resident.id
        groups.setdefault(key_of[resident.id], []).append(resident)
    orders_of: dict[object, list[DeskOrder]] = {}
    for rid, shown in _desk_rows(session, community, members, now) if members else []:
        orders_of.setdefault(key_of[rid], []).append(shown)
    found = []
    for key, people in groups.items():
        orders = orders_of.get(key)
        if not orders:
            continue
        found.append(
            Household(
                resident_id=people[0].id,
                address=people[0].address,
                names=tuple(p.name for p in people),
                phones=tuple(p.phone for p in people),
                orders=tuple(orders),
            )
        )
    return found


def _household_of(
    session: Session, community: Community, resident_id: int, now: datetime
) -> Household | None:
    resident = session.get(Resident, resident_id)
    if resident is None or resident.community_id != community.id:
        return None
    members = [resident]
    room = _room_key(resident)
    if room is not None:
        members = [
            r
            for r in session.scalars(select(Resident).where(Resident.community_id == community.id))
            if _room_key(r) == room
        ]
    households = _households(session, community, members, now)
    return households[0] if households else None


@acting(by=None)
def find_households(core: Core, *, community_id: int, query: str) -> list[Household]:
    """The households a desk query names: by room, phone digits (4 or more), name or code."""
    if not query.strip():
        return []
    now = core.now()
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        rows = session.execute(
            select(Resident, Order.pickup_code)
            .join(Order, Order.resident_id == Resident.id)
            .join(Deal, Deal.id == Order.deal_id)
            .where(Resident.community_id == community_id, Deal.status == DealStatus.CONFIRMED)
        ).all()
        codes: dict[int, set[str]] = {}
        people: dict[int, Resident] = {}
        for resident, code in rows:
            people[resident.id] = resident
            codes.setdefault(resident.id, set()).update([code] if code else [])
        hits = [r for r in people.values() if _matches(query, r, codes[r.id])]
        rooms = {_room_key(r) for r in hits} - {None}
        members = {r.id: r for r in hits}
        members.update({r.id: r for r in people.values() if _room_key(r) in rooms})
        ordered = sorted(members.values(), key=lambda r: (r.building, r.unit, r.room, r.id))
        return _households(session, community, ordered, now)[:_MOST_HOUSEHOLDS]


@acting(by=None)
def household(core: Core, *, community_id: int, resident_id: int) -> Household | None:
    """One household at the desk, by any of its residents."""
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        return _household_of(session, community, resident_id, core.now())


@acting()
def check_off_household(
    core: Core,
    *,
    community_id: int,
    resident_id: int,
    order_ids: Iterable[int],
    method: str,
    by: str,
) -> CheckedOff | None:
    """Hand over the orders the desk showed (those still to collect) and take their money.

    Only the orders the desk showed, so what is taken is the amount on the screen; a
    second tap finds them collected and does nothing. None: no such household here."""
    pay = PayMethod(method) if method in DESK_METHODS else PayMethod.CASH
    wanted = set(order_ids)
    now = core.now()
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        before = _household_of(session, community, resident_id, now)
        if before is None:
            return None
        handed: list[DeskOrder] = []
        taken = credit = 0
        for shown in before.to_collect:
            if shown.order_id not in wanted:
                continue
            order = session.get_one(Order, shown.order_id, with_for_update=True)
            if order.status != OrderStatus.PLACED:
                continue  # another desk was quicker
            paid = collect(
                session,
                order,
                session.get_one(Deal, shown.deal_id),
                table_fen=None,
                method=pay,
                by=by,
                now=now,
                action="desk.picked_up",
                note=notes.DESK,
            )
            taken += paid.table_fen
            credit += paid.credit_fen
            handed.append(shown)
        session.flush()
        after = _household_of(session, community, resident_id, now) or before
        return CheckedOff(after, tuple(handed), taken, str(pay), credit)


@acting()
def undo_pickup(core: Core, *, community_id: int, order_id: int, by: str) -> DeskOrder | None:
    """Take back a handover made today (the community's day): the order waits again and
    the money taken is reversed in the ledger. None: it cannot be undone any more;
    another community's order (or none) raises OutsideCommunity, which the console
    answers as 404."""
    now = core.now()
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        order = session.get(Order, order_id, with_for_update=True)
        deal = session.get(Deal, order.deal_id) if order is not None else None
        if order is None or deal is None or deal.community_id != community_id:
            raise OutsideCommunity(f"no order {order_id} in community {community_id}")
        if (
            deal.status != DealStatus.CONFIRMED
            or order.status != OrderStatus.PICKED_UP
            or order.picked_up_at is None
            or _local_day(order.picked_up_at, community) != _local_day(now, community)
        ):
            return None
        uncollect(session, order, deal, by=by, now=now, action="desk.undo", note=notes.DESK_UNDO)
        resident = session.get_one(Resident, order.resident_id)
        shown = _desk_orders(session, community, [resident], now)
        return next(o for o in shown if o.order_id == order.id)
