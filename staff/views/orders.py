"""Orders for a deal: the supplier sheet, the pickup list (on screen, on A4, as CSV),
marking goods picked up, and orders entered for residents who came by or phoned."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from core.books.cash import BadAmount, collect_at_pickup
from core.books.credits import deal_amounts_due
from core.books.desk import undo_pickup
from core.bounded import bounded_int
from core.deals.models import UNFINISHED
from core.deals.services import DealNotFound
from core.deals.sheets import pickup_list, supplier_sheet
from core.i18n import t
from core.orders.models import Channel
from core.orders.services import cancel_order, place_order
from core.residents.queries import search_residents
from core.results import DealView, Refusal
from core.spreadsheets import Sheet
from staff.console import (
    actor,
    bp,
    community,
    core,
    dialled,
    money,
    spreadsheet_download,
    text,
    yuan,
)
from staff.forms import OrderForm
from staff.views.ledger import fen_from, method_from, printed_pages


def _pickup(deal_id: int):  # type: ignore[no-untyped-def]
    try:
        return pickup_list(core(), actor=actor(), deal_id=deal_id)
    except DealNotFound:
        abort(404)


def refusal_text(refusal: Refusal, unit: str = "") -> str:
    """The refusal in the console's words, counted in the deal's own unit (袋, 桶, 箱)."""
    return text(
        f"staff.refusal.{refusal.reason.value}",
        unit=unit,
        number=refusal.deal_number or "",
        left=refusal.units_left if refusal.units_left is not None else "",
        limit=refusal.limit if refusal.limit is not None else "",
    )


@bp.route("/deals/<int:deal_id>/orders", methods=["GET", "POST"])
def deal_orders(deal_id: int) -> Any:
    pickup = _pickup(deal_id)
    sheet = supplier_sheet(core(), actor=actor(), deal_id=deal_id)
    form = OrderForm()
    problem = None
    if request.method == "GET" and request.args.get("phone"):
        form.phone.data = request.args["phone"]
    if request.method == "POST":
        problem = _enter_order(pickup.deal, form)
        if problem is None:
            return redirect(url_for("staff.deal_orders", deal_id=deal_id))
    matches = []
    query = (request.args.get("who") or "").strip()
    if query:
        matches = search_residents(core(), actor=actor(), query=query).residents[:10]
    return render_template(
        "staff/orders.html",
        pickup=pickup,
        due=deal_amounts_due(core(), actor=actor(), deal_id=deal_id),
        sheet=sheet,
        form=form,
        problem=problem,
        matches=matches,
        who=query,
    ), (422 if problem else 200)


def _enter_order(deal: DealView, form: OrderForm) -> str | None:
    """Place, change or (quantity 0) cancel an order for a resident; the problem, if any.

    Orders go by the deal's short number, which only an unfinished deal holds: a
    finished deal's number may already name another deal, so it takes no orders here.
    """
    if deal.status not in UNFINISHED:
        return text("staff.history.finished_no_orders")
    number = deal.number
    phone = (form.phone.data or "").strip()
    raw = (form.quantity.data or "").strip()
    if not phone:
        return text("resident.error.phone")
    quantity = bounded_int(raw)
    if quantity is None:
        return text("staff.form.bad_number")
    if quantity == 0:
        result = cancel_order(
            core(),
            actor=actor(),
            phone=phone,
            deal_number=number,
            channel=Channel.STAFF,
        )
        if isinstance(result, Refusal):
            return refusal_text(result, deal.unit)
        flash(text("staff.order.cancelled", number=number))
        return None
    placed = place_order(
        core(),
        actor=actor(),
        phone=phone,
        deal_number=number,
        quantity=quantity,
        channel=Channel.STAFF,
    )
    if isinstance(placed, Refusal):
        return refusal_text(placed, deal.unit)
    key = "staff.order.changed" if placed.changed else "staff.order.placed"
    flash(text(key, number=number, quantity=quantity, unit=placed.order.deal.unit))
    return None


@bp.post("/deals/<int:deal_id>/orders/<int:order_id>/picked-up")
def order_picked_up(deal_id: int, order_id: int) -> Any:
    pickup = _pickup(deal_id)
    row = next((r for r in pickup.rows if r.order_id == order_id), None)
    if row is None:
        abort(404)
    amount = fen_from("amount") if "amount" in request.form else 0
    method = method_from()
    if amount is None:  # not a sum of money; a sum without a way of paying core refuses
        flash(text("staff.ledger.error.amount"))
        return redirect(url_for("staff.deal_orders", deal_id=deal_id) + f"#order-{order_id}")
    try:
        result = collect_at_pickup(
            core(), actor=actor(), order_id=order_id, amount_fen=amount, method=method
        )
    except BadAmount:
        flash(text("staff.ledger.error.amount"))
        return redirect(url_for("staff.deal_orders", deal_id=deal_id) + f"#order-{order_id}")
    if isinstance(result, Refusal):
        flash(text("staff.order.not_pickable", name=row.name))
    elif amount:
        flash(
            text(
                "staff.ledger.picked_up_paid",
                name=row.name,
                quantity=row.quantity,
                unit=pickup.deal.unit,
                amount=money(amount),
                method=text(f"staff.ledger.method.{method}"),
            )
        )
    else:
        flash(
            text(
                "staff.order.picked_up",
                name=row.name,
                quantity=row.quantity,
                unit=pickup.deal.unit,
            )
        )
    return redirect(url_for("staff.deal_orders", deal_id=deal_id) + f"#order-{order_id}")


@bp.post("/deals/<int:deal_id>/orders/<int:order_id>/undo-pickup")
def order_pickup_undo(deal_id: int, order_id: int) -> Any:
    """Undo a tick made by mistake, the same day; any money taken is reversed."""
    pickup = _pickup(deal_id)
    row = next((r for r in pickup.rows if r.order_id == order_id), None)
    if row is None:
        abort(404)
    if undo_pickup(core(), actor=actor(), order_id=order_id) is None:
        flash(text("staff.desk.cannot_undo"))
    else:
        flash(text("staff.order.pickup_undone", name=row.name))
    return redirect(url_for("staff.deal_orders", deal_id=deal_id) + f"#order-{order_id}")


@bp.get("/deals/<int:deal_id>/pickup-list/print")
def pickup_print(deal_id: int) -> Any:
    pickup = _pickup(deal_id)
    due = deal_amounts_due(core(), actor=actor(), deal_id=pickup.deal.id)
    to_pay = {order_id: amount.to_pay_fen for order_id, amount in due.items()}
    return render_template(
        "staff/pickup_print.html",
        pickup=pickup,
        community=community(),
        to_pay=to_pay,
        due=due,
        pages=printed_pages(pickup.buildings, to_pay),
    )


@bp.get("/deals/<int:deal_id>/pickup-list.csv", defaults={"fmt": "csv"}, endpoint="pickup_csv")
@bp.get("/deals/<int:deal_id>/pickup-list.xlsx", defaults={"fmt": "xlsx"}, endpoint="pickup_xlsx")
def pickup_download(deal_id: int, fmt: str) -> Any:
    """The pickup list as a spreadsheet: a row per order with what it still has to pay
    (after credits), then the printed list's page subtotals and its total, so a ticked
    paper sheet can be checked against the file."""
    pickup = _pickup(deal_id)
    number = pickup.deal.number
    due = deal_amounts_due(core(), actor=actor(), deal_id=pickup.deal.id)
    to_pay = {order_id: amount.to_pay_fen for order_id, amount in due.items()}
    columns = ("building", "unit", "room", "name", "phone")
    columns += ("quantity", "total", "to_pay", "status", "notes", "tick")
    rows: list[list[Any]] = [
        [
            r.building,
            r.unit,
            r.room,
            r.name,
            dialled(r.phone),
            r.quantity,
            yuan(r.total_fen),
            yuan(to_pay.get(r.order_id, r.total_fen)),
            text(f"staff.order_status.{r.status}"),
            r.notes,
            "",
        ]
        for r in pickup.rows
    ]
    pages = printed_pages(pickup.buildings, to_pay)
    if pages:
        for index, page in enumerate(pages, start=1):
            label = _label("staff.ledger.page_total", fmt, page=index, pages=len(pages))
            rows.append(_total_row(label, page["units"], page["to_pay_fen"]))
        rows.append(
            _total_row(
                _label("staff.pickup.export_total", fmt),
                sum(page["units"] for page in pages),
                sum(page["to_pay_fen"] for page in pages),
            )
        )
    sheet = Sheet(
        title=text("staff.pickup.title"),
        header=_header(columns, fmt),
        rows=rows,
        text_columns=frozenset({0, 1, 2, 4}),
    )
    return spreadsheet_download(f"pickup-list-deal-{number}", sheet, fmt)


def _total_row(label: str, units: int, to_pay_fen: int) -> list[Any]:
    """A totals line under the pickup list, its figures under their columns."""
    return [label, "", "", "", "", units, "", yuan(to_pay_fen), "", "", ""]


@bp.get("/deals/<int:deal_id>/supplier-sheet.csv", defaults={"fmt": "csv"}, endpoint="supplier_csv")
@bp.get(
    "/deals/<int:deal_id>/supplier-sheet.xlsx", defaults={"fmt": "xlsx"}, endpoint="supplier_xlsx"
)
def supplier_download(deal_id: int, fmt: str) -> Any:
    try:
        sheet = supplier_sheet(core(), actor=actor(), deal_id=deal_id)
    except DealNotFound:
        abort(404)
    deal = sheet.deal
    columns = ("deal", "title", "deal_unit", "price", "orders", "units", "cost", "saving")
    rows: list[list[Any]] = [
        [
            deal.number,
            deal.title_zh,
            deal.unit,
            yuan(deal.price_fen),
            sheet.orders,
            sheet.units,
            yuan(sheet.cost_fen),
            yuan(sheet.saving_fen),
        ]
    ]
    rows += [[], _header(("channel", "orders"), fmt)]
    rows += [[_label(f"staff.channel.{c}", fmt), n] for c, n in sorted(sheet.by_channel.items())]
    table = Sheet(title=text("staff.sheet.title"), header=_header(columns, fmt), rows=rows)
    return spreadsheet_download(f"supplier-sheet-deal-{deal.number}", table, fmt)


def _label(key: str, fmt: str, **values: Any) -> str:
    """XLSX is for the committee's Excel: Chinese headers; CSV in the console's language."""
    return t("zh", key, **values) if fmt == "xlsx" else text(key, **values)


def _header(columns: tuple[str, ...], fmt: str) -> list[str]:
    return [_label(f"staff.csv.{c}", fmt) for c in columns]
