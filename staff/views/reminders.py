"""Bulk pickup reminders: preview (who, how many segments), send, and live progress.

The reminder rules live in `core.reminders.services`; this page shows their preview,
sends on confirmation, and polls the batch's progress as JSON. The form carries a
batch id made when the preview was shown, so a double click or a resubmitted form
sends nothing twice.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for

from core.reminders.services import (
    BulkProgress,
    BulkTextInvalid,
    DealNotFound,
    NobodyToRemind,
    bulk_progress,
    preview_bulk_reminder,
    send_bulk_reminder,
)
from staff.console import actor, bp, core, text
from staff.forms import ReminderForm

_BATCH_ID = re.compile(r"^[0-9a-f]{32}$")


@bp.route("/deals/<int:deal_id>/remind", methods=["GET", "POST"])
def remind(deal_id: int) -> Any:
    form = ReminderForm()
    if not _BATCH_ID.match(form.batch.data or ""):
        form.batch.data = uuid.uuid4().hex
    custom = (form.text.data or "").strip() or None
    problem = None
    try:
        preview = preview_bulk_reminder(core(), actor=actor(), deal_id=deal_id, text=custom)
    except DealNotFound:
        abort(404)
    except BulkTextInvalid as exc:
        problem = text(exc.key, **exc.params)
        custom = None
        preview = preview_bulk_reminder(core(), actor=actor(), deal_id=deal_id)
    if request.method == "POST" and form.confirmed.data == "yes" and problem is None:
        try:
            sent = send_bulk_reminder(
                core(),
                actor=actor(),
                deal_id=deal_id,
                text=custom,
                batch_id=form.batch.data,
            )
        except NobodyToRemind as exc:
            problem = text(exc.key)
        else:
            if not sent.replayed:
                flash(text("staff.remind.sent", recipients=sent.recipients))
            return redirect(url_for("staff.reminder_progress", batch_id=sent.batch_id))
    return render_template(
        "staff/remind.html", form=form, preview=preview, deal_id=deal_id, problem=problem
    ), (422 if problem else 200)


@bp.get("/reminders/<batch_id>")
def reminder_progress(batch_id: str) -> Any:
    progress = _progress(batch_id)
    return render_template("staff/reminder_progress.html", batch_id=batch_id, progress=progress)


@bp.get("/reminders/<batch_id>.json")
def reminder_progress_json(batch_id: str) -> Any:
    progress = _progress(batch_id)
    return jsonify(
        total=progress.total,
        pending=progress.pending,
        sending=progress.sending,
        sent=progress.sent,
        delivered=progress.delivered,
        failed=progress.failed,
        suppressed=progress.suppressed,
        done=progress.done,
    )


def _progress(batch_id: str) -> BulkProgress:
    if not _BATCH_ID.match(batch_id):
        abort(404)
    progress = bulk_progress(core(), actor=actor(), batch_id=batch_id)
    if progress.total == 0:
        abort(404)
    return progress
