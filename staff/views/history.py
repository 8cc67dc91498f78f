"""The committee's history: finished deals by month, and who has not collected a deal.

Every page here names a deal by its database id, so a finished deal stays reachable
after a new deal takes its short number.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for

from core.books.history import (
    NotPickupDay,
    finished_deals_by_month,
    not_collected,
    remind_not_collected,
)
from core.deals.services import DealNotFound
from core.i18n import t
from core.spreadsheets import Sheet
from staff.console import actor, bp, core, local_input, spreadsheet_download, text, yuan

#: The history export's columns: (catalog key of the heading, text column?).
_COLUMNS = (
    "staff.history.month_column",
    "staff.deal.number",
    "staff.deal.title_zh",
    "staff.deal.status",
    "staff.deal.pickup",
    "staff.history.ordered",
    "staff.history.delivered",
    "staff.history.collected",
    "staff.history.not_collected",
    "staff.history.expected_yuan",
    "staff.history.collected_money_yuan",
)


@bp.get("/history")
def history() -> Any:
    months = finished_deals_by_month(core(), actor=actor())
    return render_template("staff/history.html", months=months)


@bp.get("/history.csv", defaults={"fmt": "csv"}, endpoint="history_csv")
@bp.get("/history.xlsx", defaults={"fmt": "xlsx"}, endpoint="history_xlsx")
def history_download(fmt: str) -> Any:
    """The books of every finished deal, one row each, for the committee's spreadsheet."""
    label = (lambda key: t("zh", key)) if fmt == "xlsx" else text
    rows = [
        [
            f"{month.month:%Y-%m}",
            f.deal.number,
            f.deal.title_zh,
            label(f"staff.deal_status.{f.deal.status}"),
            local_input(f.deal.pickup_start).replace("T", " "),
            f.ordered,
            f.delivered,
            f.collected,
            f.not_collected,
            yuan(f.expected_fen),
            yuan(f.collected_fen),
        ]
        for month in finished_deals_by_month(core(), actor=actor())
        for f in month.deals
    ]
    sheet = Sheet(
        title=label("staff.history.title"),
        header=[label(key) for key in _COLUMNS],
        rows=rows,
        text_columns=frozenset({0, 4}),
    )
    return spreadsheet_download("deal-history", sheet, fmt)


@bp.get("/deals/<int:deal_id>/not-collected")
def deal_not_collected(deal_id: int) -> Any:
    try:
        missing = not_collected(core(), actor=actor(), deal_id=deal_id)
    except DealNotFound:
        abort(404)
    return render_template("staff/not_collected.html", missing=missing)


@bp.post("/deals/<int:deal_id>/not-collected/remind")
def remind_missing(deal_id: int) -> Any:
    """One click: a reminder to each household still missing, only on the pickup day."""
    try:
        result = remind_not_collected(core(), actor=actor(), deal_id=deal_id)
    except DealNotFound:
        abort(404)
    if isinstance(result, NotPickupDay):
        flash(text("staff.history.not_pickup_day", number=result.deal_number))
    elif result.recipients == 0:
        flash(text("staff.history.reminded_none"))
    else:
        flash(text("staff.history.reminded", recipients=result.recipients))
    return redirect(url_for("staff.deal_not_collected", deal_id=deal_id))
