"""The books in the console: a deal's ledger, a short delivery, refunds, the cash count.

Every figure and rule is core's (`core.books`); these views read forms, turn yuan into
fen at the edge, and show what core answers. Deal pages use the deal's database id.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from core.books.cash import TABLE_METHODS, BadAmount, cash_day, count_cash, pay_supplier
from core.books.ledger import deal_ledger
from core.books.models import EntryKind, PayMethod, ShareRule
from core.books.quality import (
    MakeGoodRefusal,
    complained_orders,
    complaint_rates,
    make_good,
    supplier_rate,
)
from core.books.shortfall import (
    ShortfallPlan,
    ShortfallRefusal,
    apply_shortfall,
    preview_shortfall,
    recorded_delivery,
)
from core.bounded import bounded_int
from core.deals.services import DealNotFound
from core.money import InvalidPrice, parse_yuan
from staff.console import actor, bp, core, money, text

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def fen_from(field: str) -> int | None:
    """A yuan amount from the form (15, 15.5, ¥15.50) in fen, or None when it is not one."""
    try:
        return parse_yuan(request.form.get(field, ""))
    except InvalidPrice:
        return None


def method_from(field: str = "method") -> PayMethod | None:
    value = request.form.get(field, "")
    return PayMethod(value) if value in {m.value for m in TABLE_METHODS} else None


def _ledger(deal_id: int):  # type: ignore[no-untyped-def]
    try:
        return deal_ledger(core(), actor=actor(), deal_id=deal_id)
    except DealNotFound:
        abort(404)


def _page(
    deal_id: int, *, plan: ShortfallPlan | None = None, problem: str | None = None
) -> Any:
    books = _ledger(deal_id)
    rate = supplier_rate(core(), actor=actor(), deal_id=deal_id)
    return render_template(
        "staff/ledger.html",
        books=books,
        rate=rate,
        plan=plan,
        delivery=recorded_delivery(core(), actor=actor(), deal_id=deal_id),
        problem=problem,
        methods=TABLE_METHODS,
        rules=list(ShareRule),
        token=uuid.uuid4().hex,
    ), (422 if problem else 200)


@bp.get("/deals/<int:deal_id>/ledger")
def deal_ledger_page(deal_id: int) -> Any:
    return _page(deal_id)


@bp.post("/deals/<int:deal_id>/ledger/supplier-payment")
def ledger_pay_supplier(deal_id: int) -> Any:
    _ledger(deal_id)
    amount, method = fen_from("amount"), method_from()
    if not amount or method is None:
        return _page(deal_id, problem=text("staff.ledger.error.amount"))
    try:
        pay_supplier(
            core(),
            actor=actor(),
            deal_id=deal_id,
            amount_fen=amount,
            method=method,
            note=request.form.get("note", "").strip(),
        )
    except BadAmount:
        return _page(deal_id, problem=text("staff.ledger.error.amount"))
    flash(text("staff.ledger.paid_supplier.done", amount=money(amount)))
    return redirect(url_for("staff.deal_ledger_page", deal_id=deal_id))


def _shortfall_refusal(refusal: ShortfallRefusal) -> str:
    return text(f"staff.ledger.shortfall.{refusal.value}")


@bp.post("/deals/<int:deal_id>/ledger/delivery")
def ledger_delivery(deal_id: int) -> Any:
    """Preview the sharing of a short delivery (action=preview) or apply it (action=apply)."""
    _ledger(deal_id)
    delivered = bounded_int(request.form.get("delivered", "").strip())
    rule = request.form.get("rule", "")
    if delivered is None or rule not in {r.value for r in ShareRule}:
        return _page(deal_id, problem=text("staff.ledger.shortfall.bad_number"))
    if request.form.get("action") != "apply":
        plan = preview_shortfall(
            core(), actor=actor(), deal_id=deal_id, delivered=delivered, rule=rule
        )
        if isinstance(plan, ShortfallRefusal):
            return _page(deal_id, problem=_shortfall_refusal(plan))
        return _page(deal_id, plan=plan)
    done = apply_shortfall(
        core(),
        actor=actor(),
        deal_id=deal_id,
        delivered=delivered,
        rule=rule,
        carry_over=request.form.get("carry_over") == "1",
    )
    if isinstance(done, ShortfallRefusal):
        return _page(deal_id, problem=_shortfall_refusal(done))
    flash(
        text(
            "staff.ledger.shortfall.applied",
            delivered=delivered,
            unit=done.plan.deal.unit,
            affected=len(done.plan.affected),
            texts=done.texts,
            carried=sum(done.carried.values()),
        )
    )
    return redirect(url_for("staff.deal_ledger_page", deal_id=deal_id))


@bp.post("/deals/<int:deal_id>/ledger/make-good")
def ledger_make_good(deal_id: int) -> Any:
    """A refund or credit for a problem with an order; back to the ledger or the inbox item."""
    _ledger(deal_id)
    back = _back(deal_id)
    kind = request.form.get("kind", "")
    order_id = bounded_int(request.form.get("order_id", ""))
    amount = fen_from("amount")
    token = request.form.get("token", "")
    method = PayMethod.CREDIT if kind == EntryKind.CREDITED else method_from()
    if (
        kind not in (EntryKind.REFUNDED, EntryKind.CREDITED)
        or order_id is None
        or not amount
        or method is None
        or not _TOKEN.match(token)
    ):
        flash(text("staff.ledger.error.amount"))
        return redirect(back), 303
    made = make_good(
        core(),
        actor=actor(),
        order_id=order_id,
        kind=kind,
        amount_fen=amount,
        method=method,
        note=request.form.get("note", "").strip(),
        form_token=token,
    )
    if isinstance(made, MakeGoodRefusal):
        flash(text(f"staff.ledger.make_good.{made.value}"))
    elif made.deal_id != deal_id:
        abort(404)
    else:
        flash(text(f"staff.ledger.make_good.done.{kind}", amount=money(amount)))
    return redirect(back), 303


def _back(deal_id: int) -> str:
    """Where a make-good form returns: its help inbox item, else the deal's ledger."""
    item = bounded_int(request.form.get("help_item", ""))
    if item is not None:
        return url_for("staff.inbox_item", item_id=item)
    return url_for("staff.deal_ledger_page", deal_id=deal_id)


@bp.route("/books/cash-count", methods=["GET", "POST"])
def cash_count() -> Any:
    """The end-of-day count: the cash in the box against the cash taken that day."""
    day = _day(request.values.get("day", ""))
    problem = None
    if request.method == "POST":
        counted = fen_from("counted")
        if counted is None:
            problem = text("staff.ledger.error.amount")
        else:
            kept = count_cash(
                core(),
                actor=actor(),
                counted_fen=counted,
                day=day,
                note=request.form.get("note", "").strip(),
            )
            flash(
                text(
                    "staff.ledger.count.kept",
                    difference=money(kept.difference_fen),
                )
            )
            return redirect(url_for("staff.cash_count", day=kept.day.isoformat()))
    box = cash_day(core(), actor=actor(), day=day)
    return render_template("staff/cash_count.html", box=box, problem=problem), (
        422 if problem else 200
    )


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@bp.get("/books/suppliers")
def supplier_quality() -> Any:
    """Each supplier's complaint rate, for choosing the next buy."""
    return render_template(
        "staff/supplier_quality.html", rates=complaint_rates(core(), actor=actor())
    )


@bp.app_context_processor
def _books_helpers() -> dict[str, Any]:
    def complaints_of(item_id: int) -> list[Any]:
        return complained_orders(core(), actor=actor(), help_request_id=item_id)

    def supplier_rate_of(deal_id: int) -> Any:
        return supplier_rate(core(), actor=actor(), deal_id=deal_id)

    return {
        "complaints_of": complaints_of,
        "supplier_rate_of": supplier_rate_of,
        "new_form_token": lambda: uuid.uuid4().hex,
        "table_methods": TABLE_METHODS,
    }


#: Rows on one printed A4 page of the pickup list (with its building headings).
ROWS_PER_PAGE = 22


def printed_pages(
    buildings: list[tuple[str, list[Any]]], to_pay: dict[int, int], per_page: int = ROWS_PER_PAGE
) -> list[dict[str, Any]]:
    """The pickup list cut into A4 pages, each with its buildings and its own totals,
    so the desk can add up each sheet it ticks off."""
    pages: list[dict[str, Any]] = []
    rows = [(building, row) for building, group in buildings for row in group]
    for start in range(0, len(rows), per_page):
        chunk = rows[start : start + per_page]
        groups: list[tuple[str, list[Any]]] = []
        for building, row in chunk:
            if not groups or groups[-1][0] != building:
                groups.append((building, []))
            groups[-1][1].append(row)
        pages.append(
            {
                "buildings": groups,
                "units": sum(row.quantity for _, row in chunk),
                "to_pay_fen": sum(to_pay.get(row.order_id, row.total_fen) for _, row in chunk),
            }
        )
    return pages
