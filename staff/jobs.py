"""Resident imports as worker jobs: the console records the run, a worker runs it.

A file of a few thousand rows takes seconds, which is too long for a web request and
must not live in a thread of the web process (it dies with the process, and gunicorn
recycles its workers). The job takes the run's id; the file waits in the run's row.
The queue's timeout is long enough for the largest upload the console takes.
"""

from __future__ import annotations

from datetime import timedelta

from bootstrap import mianhua
from core.context import Core
from core.ports.jobs import Jobs, Queue
from core.residents.import_runs import run_import, waiting_imports

#: A run still queued this long after it was recorded is checked for a lost job.
LOST_AFTER = timedelta(minutes=1)


def _job_key(import_id: int) -> str:
    return f"resident-import-{import_id}"


def enqueue_import(jobs: Jobs, import_id: int) -> bool:
    """Hand the run to a worker; raises JobsUnavailable when the queue is down."""
    return jobs.enqueue(import_residents, import_id, queue=Queue.IMPORTS, key=_job_key(import_id))


def enqueue_lost_imports(jobs: Jobs, core: Core) -> int:
    """Periodic work: runs whose job Redis lost (a restart, a flush) get it back."""
    return sum(
        enqueue_import(jobs, import_id)
        for import_id in waiting_imports(core, queued_before=core.now() - LOST_AFTER)
    )


def import_residents(import_id: int) -> str:
    """The job: run the import; its outcome is in the run's row (a second run does nothing)."""
    return run_import(mianhua().core, import_id=import_id).status
