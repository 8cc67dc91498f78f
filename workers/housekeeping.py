"""The periodic work, run by whichever worker takes the housekeeping job.

The schedule lives in code and what is due lives in the database: this asks the
database, every few seconds, and acts. Each part stands alone, so a failing
one (say, a bad deal row) never stops the sweep that keeps messages moving.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from core.calls.retries import due_callback_retries
from core.deals.services import close_due_deals
from core.reminders.due import queue_due_reminders
from ivr.callback import enqueue_callback
from sms_gateway.jobs import enqueue_stale_texts
from workers.imports import enqueue_lost_imports
from workers.runtime import Runtime
from workers.sweep import sweep

log = logging.getLogger(__name__)


@dataclass
class HousekeepingReport:
    deals_closed: int = 0
    reminders_written: int = 0
    texts_requeued: int = 0
    callbacks_requeued: int = 0
    imports_requeued: int = 0
    callbacks_retried: int = 0
    sweep: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "deals_closed": self.deals_closed,
            "reminders_written": self.reminders_written,
            "texts_requeued": self.texts_requeued,
            "callbacks_requeued": self.callbacks_requeued,
            "imports_requeued": self.imports_requeued,
            "callbacks_retried": self.callbacks_retried,
            "sweep": self.sweep,
            "errors": self.errors,
        }


def run_housekeeping(rt: Runtime) -> HousekeepingReport:
    report = HousekeepingReport()
    try:
        report.deals_closed = len(close_due_deals(rt.core))
    except Exception as exc:  # logged, and the rest still runs
        log.exception("housekeeping: closing due deals failed")
        report.errors.append(f"deals: {exc!r}")
    try:
        report.reminders_written = queue_due_reminders(rt.core).total
    except Exception as exc:
        log.exception("housekeeping: writing due reminders failed")
        report.errors.append(f"reminders: {exc!r}")
    try:
        report.texts_requeued = enqueue_stale_texts(rt.redis, rt.core)
    except Exception as exc:
        log.exception("housekeeping: re-enqueueing unread texts failed")
        report.errors.append(f"inbox: {exc!r}")
    try:
        from ivr.callback import requeue_owed_callbacks

        report.callbacks_requeued = requeue_owed_callbacks(rt.mianhua)
    except Exception as exc:
        log.exception("housekeeping: re-enqueueing owed call backs failed")
        report.errors.append(f"callbacks: {exc!r}")
    try:
        report.imports_requeued = enqueue_lost_imports(rt.redis, rt.core)
    except Exception as exc:
        log.exception("housekeeping: re-enqueueing resident imports failed")
        report.errors.append(f"imports: {exc!r}")
    try:
        report.callbacks_retried = retry_callbacks(rt)
    except Exception as exc:
        log.exception("housekeeping: retrying call backs failed")
        report.errors.append(f"callbacks: {exc!r}")
    try:  # last: it also enqueues what the steps above could not
        report.sweep = sweep(rt).as_dict()
    except Exception as exc:
        log.exception("housekeeping: the outbox sweep failed")
        report.errors.append(f"sweep: {exc!r}")
    return report


def retry_callbacks(rt: Runtime) -> int:
    """Ring again the call backs that are due (within staff hours); the rest wait or go to staff."""
    due = due_callback_retries(rt.core)
    for call_id, tries in due:
        enqueue_callback(rt.mianhua, call_id, tries=tries)
    return len(due)
