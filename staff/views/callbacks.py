"""Call backs waiting for a person, and the office's hours and closed days.

The help inbox lists the same call backs beside the texts; this page is theirs alone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from core.calls.staff_callbacks import callbacks_for_staff, mark_callback_done, waiting_callbacks
from core.community.closed_days import add_closed_day, closed_days, remove_closed_day
from core.community.hours import HoursError, set_staff_hours, staff_calendar
from staff.console import actor, bp, community, core, text


@bp.app_template_global("callbacks_waiting")
def callbacks_waiting() -> int:
    """How many callers wait to be rung back: the dashboard shows it (the inbox will)."""
    return waiting_callbacks(core(), actor=actor())


@bp.get("/callbacks")
def callbacks() -> Any:
    waiting = callbacks_for_staff(core(), actor=actor())
    return render_template("staff/callbacks.html", waiting=waiting)


@bp.post("/callbacks/<int:callback_id>/done")
def callback_done(callback_id: int) -> Any:
    done = mark_callback_done(core(), actor=actor(), callback_id=callback_id)
    if done is None:
        abort(404)
    if done:
        flash(text("staff.callbacks.marked", phone=request.form.get("phone", "")[:40]))
    else:
        flash(text("staff.callbacks.gone"))
    back = "staff.inbox" if request.form.get("back") == "inbox" else "staff.callbacks"
    return redirect(url_for(back))


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


@bp.route("/hours", methods=["GET", "POST"])
def staff_hours() -> Any:
    """The weekly hours and the committee's closed days; public holidays apply by themselves."""
    here = community()
    problem = None
    if request.method == "POST":
        action = request.form.get("action", "")
        if action == "hours":
            try:
                set_staff_hours(core(), actor=actor(), hours=request.form.get("hours", ""))
            except HoursError as exc:
                problem = text("staff.hours.bad", detail=str(exc))
            else:
                flash(text("staff.hours.saved"))
                return redirect(url_for("staff.staff_hours"))
        elif action in ("add", "remove"):
            day = _day(request.form.get("day", ""))
            if day is None:
                problem = text("staff.hours.bad_day")
            elif action == "add":
                add_closed_day(core(), actor=actor(), day=day, note=request.form.get("note", ""))
                flash(text("staff.hours.added", day=day.isoformat()))
                return redirect(url_for("staff.staff_hours"))
            else:
                remove_closed_day(core(), actor=actor(), day=day)
                flash(text("staff.hours.removed", day=day.isoformat()))
                return redirect(url_for("staff.staff_hours"))
        else:  # a form that is not this page's: say so rather than fail
            problem = text("staff.hours.unknown_action")
    now = core().now()
    calendar = staff_calendar(core(), actor=actor())
    today = now.astimezone(here.zone).date()
    return render_template(
        "staff/hours.html",
        hours=request.form.get("hours", here.staff_hours) if problem else here.staff_hours,
        days=closed_days(core(), actor=actor(), since=today),
        open_now=calendar.available(now),
        opening=calendar.next_opening(now),
        problem=problem,
    ), (422 if problem else 200)
