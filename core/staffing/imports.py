"""Resident imports started from the console, with progress any web worker can read.

The import itself is `core.residents.importing.import_residents`; this module keeps
a row per run so the page that started it (or any other) can poll its progress. The
console records the run with its file (`start_import`) and a worker job runs it
(`run_import`, by id): the web process never imports in a thread of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from core.accounts.acting import acting
from core.accounts.services import audit
from core.context import Core
from core.residents.importing import ImportFileError, import_residents
from core.staffing.models import ResidentImport

log = logging.getLogger(__name__)

#: A run that has not moved for this long died with its process.
STALLED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class ImportRun:
    id: int
    filename: str
    started_by: str
    status: str  # queued, running, done, failed, stalled
    rows_done: int
    rows_total: int
    created: int
    updated: int
    errors: list[dict[str, object]]
    file_error: str | None
    file_error_detail: str
    started_at: datetime

    @property
    def finished(self) -> bool:
        return self.status not in ("queued", "running")

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return 0 if not self.rows_total else min(99, 100 * self.rows_done // self.rows_total)


def _view(row: ResidentImport, now: datetime) -> ImportRun:
    status = row.status
    if status in ("queued", "running") and now - row.updated_at > STALLED_AFTER:
        status = "stalled"
    return ImportRun(
        id=row.id,
        filename=row.filename,
        started_by=row.started_by,
        status=status,
        rows_done=row.rows_done,
        rows_total=row.rows_total,
        created=row.created,
        updated=row.updated,
        errors=list(row.errors or []),
        file_error=row.file_error,
        file_error_detail=row.file_error_detail,
        started_at=row.started_at,
    )


@acting()
def start_import(
    core: Core,
    *,
    community_id: int,
    filename: str,
    by: str,
    data: bytes,
    allow_other_countries: bool = False,
) -> int:
    """Record a run with its file before it starts, so its page can be shown at once."""
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
        return row.id


def refuse_import(core: Core, *, import_id: int, reason: str) -> None:
    """A run that could not be handed to a worker: failed, with the reason to show."""
    with core.db.transaction() as session:
        row = session.get_one(ResidentImport, import_id)
        row.status, row.file_error, row.upload = "failed", reason, None
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
            return _view(row, core.now())
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
            return _view(row, core.now())
    except Exception:
        log.exception("resident import %s failed", import_id)
        with core.db.transaction() as session:
            row = session.get_one(ResidentImport, import_id)
            row.status, row.file_error, row.upload = "failed", "staff.import.crashed", None
            row.finished_at = row.updated_at = core.now()
            return _view(row, core.now())
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
        return _view(row, core.now())


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


@acting(by=None)
def import_run(core: Core, *, community_id: int, import_id: int) -> ImportRun | None:
    with core.db.transaction() as session:
        row = session.get(ResidentImport, import_id)
        if row is None or row.community_id != community_id:
            return None
        return _view(row, core.now())


@acting(by=None)
def recent_imports(core: Core, *, community_id: int, limit: int = 10) -> list[ImportRun]:
    with core.db.transaction() as session:
        rows = session.scalars(
            select(ResidentImport)
            .where(ResidentImport.community_id == community_id)
            .order_by(ResidentImport.id.desc())
            .limit(limit)
        ).all()
        return [_view(r, core.now()) for r in rows]
