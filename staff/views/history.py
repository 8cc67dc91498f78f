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
from staff.console import actor, bp, core, text


@bp.get("/history")
def history() -> Any:
    months = finished_deals_by_month(core(), actor=actor())
    return render_template("staff/history.html", months=months)


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
