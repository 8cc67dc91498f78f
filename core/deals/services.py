"""Creating, opening and closing deals (pickup over is core.deals.pickup_over; what the
supplier and the pickup desk need is in core.deals.sheets)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.accounts.services import audit
from core.community.models import Community, Supplier
from core.context import Core
from core.deals.models import UNFINISHED, Deal, DealStatus, IfShort
from core.messages.models import MessageKind
from core.messages.outbox import queue_message
from core.orders.models import OrderStatus
from core.orders.rules import find_deal
from core.orders.services import order_text, placed_orders
from core.results import DealView

TITLE_ZH_MAX = 16  # keeps a deal line inside one UCS-2 segment with its price
TITLE_EN_MAX = 40

#: The longest a deal short of its minimum may be extended by (2**31 hours overflowed).
MAX_EXTEND_HOURS = 24 * 31


class DealInvalid(ValueError):
    """Field -> catalog key of what is wrong; channels render the keys."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class DealSpec:
    title_zh: str
    unit: str
    price_fen: int | None
    min_units: int
    closes_at: datetime
    pickup_start: datetime
    pickup_end: datetime
    title_en: str = ""
    market_price_fen: int | None = None
    stock_cap: int | None = None
    per_resident_limit: int | None = None
    opens_at: datetime | None = None
    pickup_place: str = ""
    supplier_name: str | None = None
    if_short: str = IfShort.CANCEL
    extend_hours: int = 0
    number: int | None = None
    aliases: tuple[str, ...] = ()  # other names residents use for it: 鸭梨, 黄小米
    extra_errors: dict[str, str] = field(default_factory=dict)

    def problems(self, now: datetime) -> dict[str, str]:
        errors = dict(self.extra_errors)
        if not self.title_zh.strip():
            errors["title_zh"] = "deal.error.title_missing"
        elif len(self.title_zh.strip()) > TITLE_ZH_MAX:
            errors["title_zh"] = "deal.error.title_too_long"
        if len(self.title_en.strip()) > TITLE_EN_MAX:
            errors["title_en"] = "deal.error.title_too_long"
        if not self.unit.strip() or len(self.unit.strip()) > 4:
            errors["unit"] = "deal.error.unit"
        if self.price_fen is None:
            errors["price"] = "deal.error.price_missing"
        elif self.price_fen <= 0:
            errors["price"] = "deal.error.price_positive"
        if self.market_price_fen is not None and self.market_price_fen <= 0:
            errors["market_price"] = "deal.error.price_positive"
        if self.min_units < 1:
            errors["min_units"] = "deal.error.min_units"
        if self.stock_cap is not None and self.stock_cap < max(self.min_units, 1):
            errors["stock_cap"] = "deal.error.stock_below_min"
        if self.per_resident_limit is not None and self.per_resident_limit < 1:
            errors["limit"] = "deal.error.limit"
        if self.opens_at is not None and self.closes_at <= self.opens_at:
            errors["closes_at"] = "deal.error.closes_before_opens"
        elif self.closes_at <= now:
            errors["closes_at"] = "deal.error.closes_in_past"
        if self.pickup_start < self.closes_at:
            errors["pickup_start"] = "deal.error.pickup_before_close"
        if self.pickup_end <= self.pickup_start:
            errors["pickup_end"] = "deal.error.pickup_end_before_start"
        if self.if_short not in tuple(IfShort):
            errors["if_short"] = "deal.error.if_short"
        elif self.if_short == IfShort.EXTEND and not 1 <= self.extend_hours <= MAX_EXTEND_HOURS:
            errors["if_short"] = "deal.error.extend_hours"
        if self.number is not None and not 1 <= self.number <= 99:
            errors["number"] = "deal.error.number_range"
        return errors


@acting()
def create_deal(
    core: Core, *, community_id: int, spec: DealSpec, open_now: bool = False, by: str = "system"
) -> DealView:
    now = core.now()
    errors = spec.problems(now)
    if errors:
        raise DealInvalid(errors)
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        number = spec.number or _free_number(session, community_id)
        if number is None:
            raise DealInvalid({"number": "deal.error.no_free_number"})
        if find_deal(session, community_id, number) is not None:
            raise DealInvalid({"number": "deal.error.number_taken"})
        deal = Deal(
            community_id=community_id,
            number=number,
            title_zh=spec.title_zh.strip(),
            title_en=spec.title_en.strip(),
            unit=spec.unit.strip(),
            price_fen=spec.price_fen,
            market_price_fen=spec.market_price_fen,
            supplier_id=supplier_id_for(session, community_id, spec.supplier_name),
            min_units=spec.min_units,
            if_short=spec.if_short,
            extend_hours=spec.extend_hours,
            stock_cap=spec.stock_cap,
            per_resident_limit=spec.per_resident_limit,
            opens_at=spec.opens_at,
            closes_at=spec.closes_at,
            pickup_start=spec.pickup_start,
            pickup_end=spec.pickup_end,
            pickup_place=spec.pickup_place.strip() or community.pickup_place,
            aliases=clean_aliases(spec.aliases),
            status=DealStatus.OPEN if open_now else DealStatus.DRAFT,
            created_at=now,
        )
        session.add(deal)
        session.flush()
        audit(session, actor=by, action="deal.create", community_id=community_id, number=number)
        return DealView.of(deal)


MAX_ALIASES = 10
ALIAS_MAX = 20


def clean_aliases(aliases: tuple[str, ...] | list[str]) -> list[str]:
    """Staff's extra names for a deal, trimmed, without repeats, at most MAX_ALIASES."""
    seen: list[str] = []
    for alias in aliases:
        for part in alias.replace("，", ",").replace("、", ",").split(","):
            name = " ".join(part.split())[:ALIAS_MAX]
            if name and name not in seen:
                seen.append(name)
    return seen[:MAX_ALIASES]


def _free_number(session: Session, community_id: int) -> int | None:
    taken = set(
        session.scalars(
            select(Deal.number).where(
                Deal.community_id == community_id,
                Deal.status.in_([s.value for s in UNFINISHED]),
            )
        )
    )
    return next((n for n in range(1, 100) if n not in taken), None)


def supplier_id_for(session: Session, community_id: int, name: str | None) -> int | None:
    if not name or not name.strip():
        return None
    supplier = session.scalar(
        select(Supplier).where(Supplier.community_id == community_id, Supplier.name == name.strip())
    )
    if supplier is None:
        supplier = Supplier(community_id=community_id, name=name.strip())
        session.add(supplier)
        session.flush()
    return supplier.id


class DealNotFound(LookupError):
    pass


def deal_by_number(
    session: Session, community_id: int, number: int | None = None, *, deal_id: int | None = None
) -> Deal:
    """The deal a caller names: by its database id (the console's stable URLs, finished
    deals too) or by the short number residents use (only unfinished deals hold one)."""
    if deal_id is not None:
        deal = session.get(Deal, deal_id)
        if deal is None or deal.community_id != community_id:
            raise DealNotFound(f"no deal {deal_id}")
        return deal
    deal = find_deal(session, community_id, number) if number is not None else None
    if deal is None:
        raise DealNotFound(f"no deal number {number}")
    return deal


@acting()
def open_deal(
    core: Core,
    *,
    community_id: int,
    number: int | None = None,
    deal_id: int | None = None,
    by: str = "system",
) -> DealView:
    with core.db.transaction() as session:
        deal = deal_by_number(session, community_id, number, deal_id=deal_id)
        if deal.status != DealStatus.DRAFT:
            return DealView.of(deal)
        if deal.closes_at <= core.now():
            raise DealInvalid({"closes_at": "deal.error.closes_in_past"})
        deal.status = DealStatus.OPEN
        audit(session, actor=by, action="deal.open", community_id=community_id, number=deal.number)
        return DealView.of(deal)


def open_deals(core: Core, *, community_id: int) -> list[DealView]:
    """Deals residents can order from right now, by number."""
    now = core.now()
    with core.db.transaction() as session:
        deals = session.scalars(
            select(Deal)
            .where(Deal.community_id == community_id, Deal.status == DealStatus.OPEN)
            .order_by(Deal.number)
        ).all()
        return [DealView.of(d) for d in deals if d.is_taking_orders(now)]


@acting(by=None)
def list_deals(core: Core, *, community_id: int, include_finished: bool = False) -> list[DealView]:
    with core.db.transaction() as session:
        query = select(Deal).where(Deal.community_id == community_id)
        if not include_finished:
            query = query.where(Deal.status.in_([s.value for s in UNFINISHED]))
        deals = session.scalars(query.order_by(Deal.number, Deal.id)).all()
        return [DealView.of(d) for d in deals]


class CloseResult(enum.StrEnum):
    """What closing a deal at its deadline (or by hand) came to."""

    CONFIRMED = DealStatus.CONFIRMED.value  # 成团: it goes ahead
    CANCELLED = DealStatus.CANCELLED.value  # called off, short of its minimum
    EXTENDED = "extended"  # short, and given more time once (if_short=extend)
    CALLED_OFF = "called_off"  # staff called it off before or after its deadline


@dataclass(frozen=True)
class CloseOutcome:
    deal: DealView
    # What closing (or calling off) did; a deal past closing answers with its status.
    outcome: CloseResult | DealStatus
    residents_told: int

    @property
    def closed_now(self) -> bool:
        """False for a deal closed (or finished) before: nothing changed, nobody was told."""
        return isinstance(self.outcome, CloseResult)


@acting()
def close_deal(
    core: Core,
    *,
    community_id: int,
    number: int | None = None,
    deal_id: int | None = None,
    by: str = "system",
    at_deadline: bool = False,
) -> CloseOutcome:
    """Close a deal: it goes ahead when its minimum is met, else it is called off.

    At the deadline (`at_deadline=True`) a deal short of its minimum may instead be
    extended once, when it was created so. Every resident with an order is told.
    """
    with core.db.transaction() as session:
        deal = deal_by_number(session, community_id, number, deal_id=deal_id)
        session.refresh(deal, with_for_update=True)
        return _close(core, session, deal, by, allow_extension=at_deadline)


def close_due_deals(core: Core) -> list[CloseOutcome]:
    """Close every open deal whose deadline has passed (run periodically)."""
    now = core.now()
    with core.db.transaction() as session:
        due = session.scalars(
            select(Deal.id).where(Deal.status == DealStatus.OPEN, Deal.closes_at <= now)
        ).all()
    outcomes = []
    for deal_id in due:
        with core.db.transaction() as session:
            deal = session.get_one(Deal, deal_id, with_for_update=True)
            if deal.status == DealStatus.OPEN and deal.closes_at <= now:
                outcomes.append(_close(core, session, deal, "system", allow_extension=True))
    return outcomes


def _close(
    core: Core, session: Session, deal: Deal, by: str, *, allow_extension: bool
) -> CloseOutcome:
    now = core.now()
    if deal.status not in (DealStatus.OPEN, DealStatus.CLOSED):
        return CloseOutcome(DealView.of(deal), DealStatus(deal.status), 0)
    if deal.units_ordered >= deal.min_units:
        outcome, deal.status = CloseResult.CONFIRMED, DealStatus.CONFIRMED
    elif allow_extension and deal.if_short == IfShort.EXTEND and not deal.extended:
        outcome = CloseResult.EXTENDED
        deal.extended = True
        deal.closes_at = max(deal.closes_at, now) + timedelta(hours=deal.extend_hours)
    else:
        outcome, deal.status = CloseResult.CANCELLED, DealStatus.CANCELLED
    if outcome != CloseResult.EXTENDED:
        deal.closed_at = now
    community = session.get_one(Community, deal.community_id)
    rows = placed_orders(session, deal.id)
    for order, resident in rows:
        if outcome == CloseResult.CANCELLED:
            order.status = OrderStatus.CANCELLED
            order.cancelled_at = now
        queue_message(
            session,
            community=community,
            resident=resident,
            body=order_text(f"deal.{outcome}", deal, order.quantity, community, resident.language),
            kind=MessageKind.DEAL_UPDATE,
            now=now,
            quiet_hours=core.quiet_hours,
            deal_id=deal.id,
            dedupe_key=f"deal:{deal.id}:{outcome}:{resident.id}",
        )
    if outcome == CloseResult.CANCELLED:
        deal.units_ordered = 0
    audit(
        session,
        actor=by,
        action=f"deal.{outcome}",
        community_id=deal.community_id,
        number=deal.number,
        units=deal.units_ordered,
    )
    return CloseOutcome(DealView.of(deal), outcome, len(rows))
