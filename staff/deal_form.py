"""Turning the deal form into a `DealSpec`: yuan to fen, local times to UTC.

Parse problems come back as field -> catalog key, the same shape as the core's
`DealInvalid`, so the template shows both kinds the same way.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.bounded import bounded_int
from core.deals.editing import DealDetail
from core.deals.services import DealSpec, clean_aliases
from core.money import InvalidPrice, parse_yuan
from staff.console import local_input, yuan
from staff.forms import DealForm

_TIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S")


def _text(value: str | None) -> str:
    return (value or "").strip()


def _local_time(value: str, zone: ZoneInfo) -> datetime | None:
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    return None


def spec_from_form(form: DealForm, zone: ZoneInfo) -> tuple[DealSpec | None, dict[str, str]]:
    errors: dict[str, str] = {}

    def price(field: str, required: bool) -> int | None:
        raw = _text(getattr(form, field).data)
        if not raw:
            if required:
                errors[field] = "deal.error.price_missing"
            return None
        try:
            return parse_yuan(raw)
        except InvalidPrice:
            errors[field] = "staff.form.bad_price"
            return None

    def count(field: str, required: bool) -> int | None:
        raw = _text(getattr(form, field).data)
        if not raw:
            if required:
                errors[field] = "staff.form.number_missing"
            return None
        number = bounded_int(raw)
        if number is None:
            errors[field] = "staff.form.bad_number"
        return number

    def moment(field: str, required: bool) -> datetime | None:
        raw = _text(getattr(form, field).data)
        if not raw:
            if required:
                errors[field] = "staff.form.time_missing"
            return None
        found = _local_time(raw, zone)
        if found is None:
            errors[field] = "staff.form.bad_time"
        return found

    price_fen = price("price", required=True)
    market_fen = price("market_price", required=False)
    min_units = count("min_units", required=True)
    stock_cap = count("stock_cap", required=False)
    limit = count("limit", required=False)
    opens_at = moment("opens_at", required=False)
    closes_at = moment("closes_at", required=True)
    pickup_start = moment("pickup_start", required=True)
    pickup_end = moment("pickup_end", required=True)
    if_short = form.if_short.data or "cancel"
    extend_hours = count("extend_hours", required=if_short == "extend") or 0
    if closes_at is None or pickup_start is None or pickup_end is None:
        return None, errors
    spec = DealSpec(
        title_zh=_text(form.title_zh.data),
        title_en=_text(form.title_en.data),
        unit=_text(form.unit.data),
        price_fen=price_fen if "price" not in errors else 1,
        market_price_fen=market_fen,
        min_units=min_units if min_units is not None else 1,
        stock_cap=stock_cap,
        per_resident_limit=limit,
        opens_at=opens_at,
        closes_at=closes_at,
        pickup_start=pickup_start,
        pickup_end=pickup_end,
        pickup_place=_text(form.pickup_place.data),
        supplier_name=_text(form.supplier.data) or None,
        aliases=tuple(clean_aliases([_text(form.aliases.data)])),
        if_short=if_short,
        extend_hours=extend_hours,
        extra_errors=dict(errors),
    )
    return spec, errors


def fill_form(form: DealForm, detail: DealDetail) -> None:
    """Put a deal's current values into its edit form."""
    deal = detail.deal
    form.title_zh.data = deal.title_zh
    form.title_en.data = deal.title_en
    form.unit.data = deal.unit
    form.price.data = yuan(deal.price_fen)
    form.market_price.data = yuan(deal.market_price_fen)
    form.min_units.data = str(deal.min_units)
    form.stock_cap.data = "" if deal.stock_cap is None else str(deal.stock_cap)
    form.limit.data = "" if deal.per_resident_limit is None else str(deal.per_resident_limit)
    form.opens_at.data = local_input(deal.opens_at)
    form.closes_at.data = local_input(deal.closes_at)
    form.pickup_start.data = local_input(deal.pickup_start)
    form.pickup_end.data = local_input(deal.pickup_end)
    form.pickup_place.data = deal.pickup_place
    form.supplier.data = detail.supplier
    form.aliases.data = "，".join(deal.aliases)
    form.if_short.data = detail.if_short
    form.extend_hours.data = str(detail.extend_hours) if detail.extend_hours else ""
