"""Resident imports started from the console, with progress any web worker can read.

The import itself is `core.residents.importing.import_residents`; this module keeps
a row per run so the page that started it (or any other) can poll its progress. The
console records the run with its file and hands it to a worker (`start_import`), and
a worker job runs it (`run_import`, by id): the web process never imports in a thread
of its own, and a run no worker's queue took is failed at once, with a reason to show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update

from core.accounts.acting import acting
from core.accounts.services import audit
from core.context import Core
from core.residents.importing import ImportFileError, import_residents
from core.residents.models import ResidentImport
from core.residents.queries import ImportRun

log = logging.getLogger(__name__)


@acting()
def start_import(
    core: Core,
    *,
    community_id: int,
    filename: str,
    by: str,
    data: bytes,
    allow_other_countries: bool = False,
    hand_over: Callable[[int], bool] | None = None,
) -> int:
    """Record a run with its file, then hand it to a worker; returns the run's id.

    The run is committed first, so its page can be shown at once and the job finds its
    row. `hand_over(run_id)` queues the worker's job and says whether the queue took it:
    a run it did not take (Redis down) is failed now, with `staff.import.not_queued` to
    show, rather than left waiting without a word. Without `hand_over` the run waits for
    housekeeping, which hands over queued runs whose job is missing.
    """
    now = core.now()
    with core.db.transaction() as session:
        row = ResidentImport(
            community_id=community_id,
            started_by=by,
            filename=filename[:200],
            status="queued",
            upload=data,
            allow_other_countries=allow_other_countries,
            started_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        import_id = row.id
    if hand_over is not None and not hand_over(import_id):
        _fail_unqueued(core, import_id)
    return import_id


def _fail_unqueued(core: Core, import_id: int) -> None:
    """A run that could not be handed to a worker: failed, with the reason to show."""
    with core.db.transaction() as session:
        row = session.get_one(ResidentImport, import_id)
        row.status, row.file_error, row.upload = "failed", "staff.import.not_queued", None
        row.finished_at = row.updated_at = core.now()


def run_import(core: Core, *, import_id: int) -> ImportRun:
    """Import the run's file, writing progress after each batch; never raises for a bad file.

    The worker's job: a run already finished (the job ran twice) is left as it is.
    """
    with core.db.transaction() as session:
        # A conditional claim: of two workers handed the same run, one imports it.
        claimed = session.execute(
            update(ResidentImport)
            .where(ResidentImport.id == import_id, ResidentImport.status == "queued")
            .values(status="running", updated_at=core.now())
        ).rowcount
        row = session.get_one(ResidentImport, import_id)
        data = row.upload
        if not claimed or data is None:
            return ImportRun.of(row, core.now())
        community_id, by, allow = row.community_id, row.started_by, row.allow_other_countries

    def progress(done: int, total: int) -> None:
        with core.db.transaction() as session:
            row = session.get_one(ResidentImport, import_id)
            row.rows_done, row.rows_total, row.updated_at = done, total, core.now()

    try:
        report = import_residents(
            core,
            community_id=community_id,
            data=data,
            progress=progress,
            allow_other_countries=allow,
        )
    except ImportFileError as exc:
        with core.db.transaction() as session:
            row = session.get_one(ResidentImport, import_id)
            row.status, row.file_error, row.upload = "failed", exc.key, None
            row.file_error_detail = exc.detail[:200]
            row.finished_at = row.updated_at = core.now()
            return ImportRun.of(row, core.now())
    except Exception:
        log.exception("resident import %s failed", import_id)
        with core.db.transaction() as session:
            row = session.get_one(ResidentImport, import_id)
            row.status, row.file_error, row.upload = "failed", "staff.import.crashed", None
            row.finished_at = row.updated_at = core.now()
            return ImportRun.of(row, core.now())
    with core.db.transaction() as session:
        row = session.get_one(ResidentImport, import_id)
        row.status, row.upload = "done", None
        row.created, row.updated = report.created, report.updated
        row.rows_done = row.rows_total = report.imported
        row.errors = [{"line": e.line, "reason": e.reason, "value": e.value} for e in report.errors]
        row.finished_at = row.updated_at = core.now()
        audit(
            session,
            actor=by,
            action="residents.import",
            community_id=community_id,
            created=report.created,
            updated=report.updated,
            errors=len(report.errors),
        )
        return ImportRun.of(row, core.now())


def waiting_imports(core: Core, *, queued_before: datetime) -> list[int]:
    """Runs still waiting for a worker since before `queued_before`: their job may be lost."""
    with core.db.transaction() as session:
        return list(
            session.scalars(
                select(ResidentImport.id).where(
                    ResidentImport.status == "queued", ResidentImport.updated_at < queued_before
                )
            )
        )
