"""Resident imports as worker jobs: claimed once, and found again when Redis lost them."""

from __future__ import annotations

from core.residents.import_runs import run_import, start_import
from core.residents.queries import import_run
from staff.jobs import enqueue_lost_imports
from tests.support.inbox import run_imports

CSV = "phone,name\n13800138001,王芳\n13800138002,李秀英\n".encode()


def test_a_run_whose_job_redis_lost_is_queued_again_by_housekeeping(app, app_world, clock):
    mianhua = app.extensions["mianhua"]
    core = mianhua.core
    run_id = start_import(
        core, community_id=app_world.community_id, filename="x.csv", by="xl", data=CSV
    )
    assert enqueue_lost_imports(mianhua.jobs, core) == 0  # just recorded: give it a minute
    clock.advance(minutes=2)
    assert enqueue_lost_imports(mianhua.jobs, core) == 1
    assert enqueue_lost_imports(mianhua.jobs, core) == 0  # its job is there now
    run_imports(mianhua)
    run = import_run(core, community_id=app_world.community_id, import_id=run_id)
    assert run is not None and (run.status, run.created) == ("done", 2)
    clock.advance(minutes=2)
    assert enqueue_lost_imports(mianhua.jobs, core) == 0


def test_two_workers_handed_the_same_run_import_it_once(app, app_world):
    core = app.extensions["mianhua"].core
    run_id = start_import(
        core, community_id=app_world.community_id, filename="x.csv", by="xl", data=CSV
    )
    first = run_import(core, import_id=run_id)
    second = run_import(core, import_id=run_id)
    assert (first.created, second.created, second.status) == (2, 2, "done")
