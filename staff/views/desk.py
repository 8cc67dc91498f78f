"""The pickup desk: one page for the rush, on a phone or the office PC.

Find a household, hand over everything it has to collect in one tap with the amount
large, record how it paid, and undo a tap made by mistake the same day. The rules
are core's (core/books/desk.py); this renders them and answers with a redirect, so
a reload never taps twice.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from core.books.desk import (
    DESK_METHODS,
    check_off_household,
    find_households,
    household,
    undo_pickup,
)
from core.bounded import bounded_int
from staff.console import actor, bp, core, money, text


@bp.get("/desk")
def desk() -> Any:
    query = (request.args.get("q") or "").strip()[:40]
    found = find_households(core(), actor=actor(), query=query) if query else []
    shown = bounded_int(request.args.get("household") or "")
    if shown is not None and not any(h.resident_id == shown for h in found):
        one = household(core(), actor=actor(), resident_id=shown)
        found = [one, *found] if one is not None else found
    return render_template("staff/desk.html", query=query, households=found, methods=DESK_METHODS)


def _back(query: str, resident_id: int) -> Any:
    return redirect(url_for("staff.desk", q=query or None, household=resident_id))


@bp.post("/desk/households/<int:resident_id>/pick-up")
def desk_pick_up(resident_id: int) -> Any:
    order_ids = [i for i in (bounded_int(v) for v in request.form.getlist("order")) if i]
    method = request.form.get("method", "cash")
    done = check_off_household(
        core(), actor=actor(), resident_id=resident_id, order_ids=order_ids, method=method
    )
    if done is None:
        abort(404)
    if done.orders:
        flash(
            text(
                "staff.desk.picked_up",
                names="、".join(done.household.names),
                count=len(done.orders),
                amount=money(done.paid_fen),
                method=text(f"staff.desk.method.{done.method}"),
            )
            + (
                text("staff.desk.credit_spent", amount=money(done.credit_fen))
                if done.credit_fen
                else ""
            )
        )
    else:
        flash(text("staff.desk.nothing_to_collect", names="、".join(done.household.names)))
    return _back(request.form.get("q", ""), resident_id)


@bp.post("/desk/orders/<int:order_id>/undo")
def desk_undo(order_id: int) -> Any:
    undone = undo_pickup(core(), actor=actor(), order_id=order_id)
    if undone is None:
        flash(text("staff.desk.cannot_undo"))
    else:
        flash(
            text(
                "staff.desk.undone",
                name=undone.name,
                number=undone.deal_number,
                title=undone.title_zh,
            )
        )
    resident_id = bounded_int(request.form.get("household") or "") or 0
    return _back(request.form.get("q", ""), resident_id)
