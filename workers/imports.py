"""Resident imports as worker jobs: the console records the run, a worker runs it.

A file of a few thousand rows takes seconds, which is too long for a web request and
must not live in a thread of the web process (it dies with the process, and gunicorn
recycles its workers). The job takes the run's id; the file waits in the run's row.
"""

from __future__ import annotations

from datetime import timedelta

from redis import Redis
from rq import Queue
from rq.job import Job

from core.context import Core
from core.residents.import_runs import waiting_imports
from workers.queues import IMPORTS

IMPORT_JOB = "workers.imports.import_residents"
#: Long enough for the largest upload the console takes, on a busy PostgreSQL.
IMPORT_TIMEOUT_S = 600
#: A run still queued this long after it was recorded is checked for a lost job.
LOST_AFTER = timedelta(minutes=1)


def _job_id(import_id: int) -> str:
    return f"resident-import-{import_id}"


def enqueue_import(redis: Redis, import_id: int) -> None:
    """Hand the run to a worker; raises RedisError when Redis is down."""
    Queue(IMPORTS, connection=redis).enqueue(
        IMPORT_JOB,
        import_id,
        job_id=_job_id(import_id),
        job_timeout=IMPORT_TIMEOUT_S,
        result_ttl=3600,
        failure_ttl=86400,
    )


def enqueue_lost_imports(redis: Redis, core: Core) -> int:
    """Housekeeping: runs whose job Redis lost (a restart, a flush) get it back."""
    count = 0
    for import_id in waiting_imports(core, queued_before=core.now() - LOST_AFTER):
        if not Job.exists(_job_id(import_id), connection=redis):
            enqueue_import(redis, import_id)
            count += 1
    return count


def import_residents(import_id: int) -> str:
    """The job: run the import; its outcome is in the run's row (a second run does nothing)."""
    from core.residents.import_runs import run_import
    from workers.runtime import runtime

    return run_import(runtime().core, import_id=import_id).status
