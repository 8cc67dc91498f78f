"""Market prices and what residents saved: the survey's observations, each deal's market
price with its evidence (and staff's override), the month's savings with its plot, and the
printable page for the committee's noticeboard."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from core.deals.models import UNFINISHED
from core.money import InvalidPrice, parse_yuan
from core.prices.queries import deal_market_price, deal_market_prices, recent_observations
from core.prices.savings import month_savings, savings_by_month
from core.prices.services import (
    BadMarketPrice,
    PriceRefusal,
    PriceSeen,
    record_price,
    set_market_price,
)
from staff import savings_plot
from staff.console import actor, bp, community, core, text

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_AMOUNT = re.compile(r"^\s*(\d{0,3})\s*(\D{0,10})\s*$")


def _month() -> date | None:
    """?month=2026-11, or None for this month; a malformed one is a 404, not a 500."""
    wanted = request.args.get("month", "")
    if not wanted:
        return None
    match = _MONTH.match(wanted)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        abort(404)
    return date(int(match[1]), int(match[2]), 1)


@bp.app_template_global("savings_plot")
def _plot() -> list[savings_plot.Bar]:
    """The last six months' savings as bars, for the dashboard and the savings page."""
    return savings_plot.bars(savings_by_month(core(), actor=actor(), months=6))


@bp.app_template_global("plot_size")
def _plot_size() -> tuple[int, int]:
    return savings_plot.WIDTH, savings_plot.HEIGHT


@bp.get("/prices")
def prices(problem: str | None = None, status: int = 200) -> Any:
    page = render_template(
        "staff/prices.html",
        observations=recent_observations(core(), actor=actor()),
        deals=deal_market_prices(core(), actor=actor()),
        problem=problem,
        form=request.form,
        today=core().now().astimezone(community().zone).date().isoformat(),
    )
    return page, status


@bp.post("/prices")
def price_record() -> Any:
    try:
        price_fen = parse_yuan(request.form.get("price", "").strip())
        observed_on = date.fromisoformat(request.form.get("observed_on", "").strip())
    except (InvalidPrice, ValueError):
        return prices(text("staff.prices.refusal.bad_price"), 422)
    amount = _AMOUNT.match(request.form.get("amount", ""))
    if amount is None:
        return prices(text("staff.prices.refusal.bad_price"), 422)
    result = record_price(
        core(),
        actor=actor(),
        seen=PriceSeen(
            product=request.form.get("product", "").strip(),
            place=request.form.get("place", "").strip(),
            price_fen=price_fen,
            amount=int(amount[1] or 1),
            unit=amount[2].strip(),
            observed_on=observed_on,
        ),
    )
    if isinstance(result, PriceRefusal):
        return prices(text(f"staff.prices.refusal.{result.value}"), 422)
    flash(text("staff.prices.recorded", product=result.product, place=result.place))
    return redirect(url_for("staff.prices"))


def _market_of(deal_id: int):  # type: ignore[no-untyped-def]
    found = deal_market_price(core(), actor=actor(), deal_id=deal_id)
    if found is None:
        abort(404)  # not a deal of this community, whatever the URL says
    return found


@bp.get("/prices/deals/<int:deal_id>")
def deal_market_price_page(deal_id: int, problem: str | None = None, status: int = 200) -> Any:
    """One deal's market price with its evidence, by the deal's id: a finished deal's
    too, read-only, with the figure its savings were counted with."""
    deal, price = _market_of(deal_id)
    page = render_template(
        "staff/market_price.html",
        deal=deal,
        mp=price,
        finished=deal.status not in UNFINISHED,
        problem=problem,
    )
    return page, status


@bp.post("/prices/deals/<int:deal_id>")
def market_price_set(deal_id: int) -> Any:
    """Staff's market price with a note, or (clear) back to the survey's median."""
    deal, _ = _market_of(deal_id)
    from_deal_page = request.form.get("back") == "deal"

    def refused(key: str) -> Any:
        if from_deal_page:
            return deal_market_price_page(deal_id, text(key), 422)
        return prices(text(key), 422)

    if deal.status not in UNFINISHED:
        return refused("staff.prices.refusal.finished")
    if request.form.get("action") == "clear":
        price_fen, note = None, ""
    else:
        note = request.form.get("note", "").strip()
        try:
            price_fen = parse_yuan(request.form.get("price", "").strip())
        except InvalidPrice:
            return refused("staff.prices.refusal.bad_price")
    try:
        kept = set_market_price(
            core(), actor=actor(), deal_id=deal_id, price_fen=price_fen, note=note
        )
    except BadMarketPrice as refusal:
        return refused(f"staff.prices.refusal.{refusal.reason}")
    if not kept:
        return refused("staff.prices.refusal.finished")  # finished a moment ago
    flash(text("staff.prices.market_set", number=deal.number))
    if from_deal_page:
        return redirect(url_for("staff.deal_market_price_page", deal_id=deal_id))
    return redirect(url_for("staff.prices"))


@bp.get("/savings")
def savings() -> Any:
    month = month_savings(core(), actor=actor(), month=_month())
    return render_template("staff/savings.html", month=month)


@bp.get("/savings/print")
def savings_print() -> Any:
    month = month_savings(core(), actor=actor(), month=_month())
    return render_template("staff/savings_print.html", month=month, community=community())
