"""What core services hand back: snapshots and typed refusals, never live ORM rows.

Channels render these into a text, a spoken prompt or a form error; a refusal is
an ordinary return value, not an exception.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from core.deals.models import Deal
from core.orders.models import Order


class RefusalReason(enum.StrEnum):
    NOT_REGISTERED = "not_registered"
    OPTED_OUT = "opted_out"
    UNKNOWN_DEAL = "unknown_deal"
    NOT_OPEN_YET = "not_open_yet"
    DEAL_CLOSED = "deal_closed"
    SOLD_OUT = "sold_out"
    OVER_LIMIT = "over_limit"
    BAD_QUANTITY = "bad_quantity"
    NO_ORDER = "no_order"


@dataclass(frozen=True)
class Refusal:
    reason: RefusalReason
    deal_number: int | None = None
    units_left: int | None = None  # with SOLD_OUT: what this resident could still have
    limit: int | None = None  # with OVER_LIMIT

    def __bool__(self) -> bool:  # `if result:` reads as "it worked"
        return False


@dataclass(frozen=True)
class DealView:
    id: int
    number: int
    title_zh: str
    title_en: str
    unit: str
    price_fen: int
    market_price_fen: int | None
    saving_fen: int
    min_units: int
    units_ordered: int
    units_to_go_ahead: int
    stock_cap: int | None
    units_left: int | None
    per_resident_limit: int | None
    opens_at: datetime | None
    closes_at: datetime
    pickup_start: datetime
    pickup_end: datetime
    pickup_place: str
    status: str
    aliases: tuple[str, ...] = ()

    @classmethod
    def of(cls, deal: Deal) -> DealView:
        return cls(
            id=deal.id,
            number=deal.number,
            title_zh=deal.title_zh,
            title_en=deal.title_en,
            unit=deal.unit,
            price_fen=deal.price_fen,
            market_price_fen=deal.market_price_fen,
            saving_fen=deal.saving_fen,
            min_units=deal.min_units,
            units_ordered=deal.units_ordered,
            units_to_go_ahead=deal.units_to_go_ahead,
            stock_cap=deal.stock_cap,
            units_left=deal.units_left,
            per_resident_limit=deal.per_resident_limit,
            opens_at=deal.opens_at,
            closes_at=deal.closes_at,
            pickup_start=deal.pickup_start,
            pickup_end=deal.pickup_end,
            pickup_place=deal.pickup_place,
            status=deal.status,
            aliases=tuple(deal.aliases or ()),
        )

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_zh


@dataclass(frozen=True)
class OrderView:
    id: int
    quantity: int
    status: str
    channel: str
    total_fen: int
    deal: DealView
    pickup_code: str | None = None  # said at the pickup desk (core/orders/pickup_codes.py)

    @classmethod
    def of(cls, order: Order, deal: Deal) -> OrderView:
        return cls(
            id=order.id,
            quantity=order.quantity,
            status=order.status,
            channel=order.channel,
            total_fen=order.quantity * deal.price_fen,
            deal=DealView.of(deal),
            pickup_code=order.pickup_code,
        )


@dataclass(frozen=True)
class OrderPlaced:
    order: OrderView
    previous_quantity: int  # 0 for a new order
    replayed: bool = False  # the same provider id came again; nothing new was done

    @property
    def changed(self) -> bool:
        return self.previous_quantity > 0


@dataclass(frozen=True)
class OrderCancelled:
    order: OrderView
    replayed: bool = False


# Results stored against an idempotency key, to be handed back on a retry.
_RESULT_TYPES: dict[str, type] = {
    "refusal": Refusal,
    "placed": OrderPlaced,
    "cancelled": OrderCancelled,
}


def result_to_json(result: Refusal | OrderPlaced | OrderCancelled) -> dict[str, Any]:
    kind = next(name for name, cls in _RESULT_TYPES.items() if isinstance(result, cls))
    return {"type": kind, "value": _jsonable(result)}


def result_from_json(data: dict[str, Any]) -> Refusal | OrderPlaced | OrderCancelled:
    cls = _RESULT_TYPES[data["type"]]
    value = dict(data["value"])
    if cls is Refusal:
        value["reason"] = RefusalReason(value["reason"])
        return Refusal(**value)
    value["order"] = _order_from_json(value["order"])
    value["replayed"] = True
    return cls(**value)  # type: ignore[no-any-return]


def _order_from_json(data: dict[str, Any]) -> OrderView:
    deal = dict(data["deal"])
    for field in fields(DealView):
        if field.name in ("opens_at", "closes_at", "pickup_start", "pickup_end") and deal.get(
            field.name
        ):
            deal[field.name] = datetime.fromisoformat(deal[field.name])
    deal["aliases"] = tuple(deal.get("aliases") or ())
    return OrderView(**{**data, "deal": DealView(**deal)})


def _jsonable(value: Any) -> Any:
    """A result as JSON values, walked once (`asdict` copies every value on the way, and
    a result is stored with every order)."""
    if hasattr(value, "__dataclass_fields__"):
        return {name: _jsonable(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
