"""The help inbox: texts that need a person, answered by SMS or marked done; and
lifting a hold on a phone the flood rule held back.

The rules live in `core.helpdesk` and `core.conversations.holds`; these views scope
every read and action to the community being run, preview an answer's characters and
segments, and send it once however often the form is submitted.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.calls.staff_callbacks import callbacks_for_staff, waiting_callbacks
from core.conversations.holds import current_holds, lift_hold
from core.conversations.phone_lock import PhoneBusy
from core.helpdesk.queries import HelpItemDetail, help_inbox, help_item, waiting_count
from core.helpdesk.services import (
    MAX_REPLY_SEGMENTS,
    HelpRefusal,
    HelpRefusalReason,
    answer_help,
    draft_reply,
    mark_done,
    reopen,
)
from core.i18n import catalog
from core.residents.services import ResidentView
from staff.auth import _safe_next
from staff.console import actor, address, bp, communities, core, language, text
from staff.forms import HelpReplyForm
from staff.views.messages import error_reason

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def waited(left: timedelta | None) -> str:
    """等了2小时5分 / waiting 2 h 5 min: how long a resident has waited for a person."""
    if left is None:
        return ""
    minutes = int(left.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return text("staff.inbox.waited.days", days=days, hours=hours)
    if hours:
        return text("staff.inbox.waited.hours", hours=hours, minutes=mins)
    return text("staff.inbox.waited.minutes", minutes=mins)


def flat(resident: ResidentView | None) -> str:
    """3号楼2单元401室 / Bldg 3, Unit 2, Room 401: the resident's address in words."""
    if resident is None:
        return ""
    return address(resident.building, resident.unit, resident.room)


def hold_reason(reason: str | None) -> str:
    """Why the conversation rules held a phone, in words where the catalog has them."""
    key = f"staff.hold.reason.{reason}"
    return text(key) if key in catalog(language()) else (reason or "")


@bp.app_context_processor
def _inbox_helpers() -> dict[str, Any]:
    def help_waiting() -> int:
        """Asked by the menu on every page, so only for a logged-in staff member."""
        if not current_user.is_authenticated or not communities():
            return 0
        return waiting_count(core(), actor=actor()) + waiting_callbacks(core(), actor=actor())

    return {
        "help_waiting": help_waiting,
        "waited": waited,
        "flat": flat,
        "hold_reason": hold_reason,
    }


@bp.get("/inbox")
def inbox() -> Any:
    items = help_inbox(core(), actor=actor())
    holds = current_holds(core(), actor=actor())
    calls = callbacks_for_staff(core(), actor=actor())  # callers waiting to be rung back
    return render_template("staff/inbox.html", inbox=items, holds=holds, callbacks=calls)


def _detail(item_id: int) -> HelpItemDetail:
    detail = help_item(core(), actor=actor(), item_id=item_id)
    if detail is None:
        abort(404)
    return detail


@bp.route("/inbox/<int:item_id>", methods=["GET", "POST"])
def inbox_item(item_id: int) -> Any:
    detail = _detail(item_id)
    form = HelpReplyForm()
    if not _TOKEN.match(form.token.data or ""):
        form.token.data = uuid.uuid4().hex
    draft = draft_reply(form.text.data or "")
    problem = None
    action = request.form.get("action", "preview")
    if request.method == "POST" and action in ("send", "send_done"):
        result = answer_help(
            core(),
            actor=actor(),
            item_id=item_id,
            body=form.text.data or "",
            form_token=form.token.data,
            mark_done=action == "send_done",
        )
        if isinstance(result, HelpRefusal):
            problem = _refusal_text(result, detail)
        else:
            if not result.replayed:
                name = detail.item.resident.name if detail.item.resident else detail.item.phone
                flash(text("staff.inbox.sent", name=name))
                if result.done:
                    flash(text("staff.inbox.marked_done"))
            return redirect(url_for("staff.inbox_item", item_id=item_id))
    elif request.method == "POST" and draft.too_long:
        problem = text("staff.inbox.error.too_long", segments=draft.segments)
    return render_template(
        "staff/inbox_item.html",
        detail=detail,
        form=form,
        draft=draft,
        max_segments=MAX_REPLY_SEGMENTS,
        problem=problem,
        error_reason=error_reason,
    ), (422 if problem and action != "preview" else 200)


def _refusal_text(refusal: HelpRefusal, detail: HelpItemDetail) -> str:
    if refusal.reason == HelpRefusalReason.TOO_LONG:
        return text("staff.inbox.error.too_long", segments=refusal.segments)
    if refusal.reason == HelpRefusalReason.NOT_FOUND:
        abort(404)
    return text(f"staff.inbox.error.{refusal.reason}", phone=detail.item.phone)


@bp.post("/inbox/<int:item_id>/done")
def inbox_done(item_id: int) -> Any:
    result = mark_done(core(), actor=actor(), item_id=item_id)
    if isinstance(result, HelpRefusal):
        abort(404)
    if result:
        flash(text("staff.inbox.marked_done"))
    return redirect(url_for("staff.inbox"))


@bp.post("/inbox/<int:item_id>/reopen")
def inbox_reopen(item_id: int) -> Any:
    result = reopen(core(), actor=actor(), item_id=item_id)
    if isinstance(result, HelpRefusal):
        if result.reason != HelpRefusalReason.ALREADY_OPEN or result.open_item_id is None:
            abort(404)
        flash(text("staff.inbox.already_open"))
        return redirect(url_for("staff.inbox_item", item_id=result.open_item_id))
    if result:
        flash(text("staff.inbox.reopened"))
    return redirect(url_for("staff.inbox_item", item_id=item_id))


@bp.post("/holds/lift")
def lift_phone_hold() -> Any:
    """Lift a hold from wherever staff saw it: the resident's page, the log, the inbox."""
    phone = (request.form.get("phone") or "").strip()
    if not phone:
        abort(404)
    try:
        lifted = lift_hold(core(), actor=actor(), phone=phone)
    except PhoneBusy:  # a reader held the phone all the while: nothing changed
        flash(text("staff.hold.busy", phone=phone))
    else:
        flash(text("staff.hold.lifted" if lifted else "staff.hold.not_held", phone=phone))
    return redirect(_safe_next(request.form.get("back")))
