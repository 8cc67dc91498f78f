"""Import runs record their progress, row errors and outcome for the console to poll."""

from __future__ import annotations

from core.residents.import_runs import run_import, start_import
from core.residents.models import ResidentImport
from core.residents.queries import import_run

CSV = (
    "phone,name,building,unit,room,language,landline\n"
    "13800138001,王芳,3,2,401,zh,no\n"
    "12345,坏号码,1,1,101,,\n"
    "0311-8566-2001,郭奶奶,2,1,102,,是\n"
).encode("gbk")


def start(world, data: bytes, filename: str = "x.csv", **options) -> int:  # type: ignore[no-untyped-def]
    return start_import(
        world.core,
        community_id=world.community_id,
        filename=filename,
        by="xl",
        data=data,
        **options,
    )


def test_a_run_imports_the_good_rows_and_keeps_the_bad_ones_by_line(world):
    run_id = start(world, CSV, "名单.csv")
    assert import_run(world.core, community_id=world.community_id, import_id=run_id).status == (
        "queued"
    )
    run = run_import(world.core, import_id=run_id)
    assert (run.status, run.created, run.updated, run.percent) == ("done", 2, 0, 100)
    assert run.errors == [{"line": 3, "reason": "import.error.phone", "value": "12345"}]
    again = run_import(world.core, import_id=start(world, CSV))
    assert (again.created, again.updated) == (0, 2)


def test_a_job_run_twice_imports_once(world):
    run_id = start(world, CSV)
    first = run_import(world.core, import_id=run_id)
    second = run_import(world.core, import_id=run_id)
    assert (first.status, second.status, second.created, second.updated) == ("done", "done", 2, 0)
    with world.core.db.transaction() as session:
        assert session.get_one(ResidentImport, run_id).upload is None  # not kept after use


def test_an_unreadable_file_fails_the_run_with_a_reason(world):
    run = run_import(world.core, import_id=start(world, b"name,room\nx,1\n"))
    assert (run.status, run.file_error, run.file_error_detail) == (
        "failed",
        "import.error.columns",
        "phone",
    )


def test_a_run_left_running_too_long_reads_as_stalled(world, clock):
    run_id = start(world, CSV)
    clock.advance(minutes=11)
    run = import_run(world.core, community_id=world.community_id, import_id=run_id)
    assert run is not None and run.status == "stalled" and run.finished
    assert import_run(world.core, community_id=world.community_id + 1, import_id=run_id) is None


def test_a_run_is_handed_to_a_worker_only_once_it_is_recorded(world):
    handed: list[str] = []

    def hand_over(run_id: int) -> bool:
        run = import_run(world.core, community_id=world.community_id, import_id=run_id)
        handed.append(run.status)  # the job will find its row and its file
        return True

    run_id = start(world, CSV, hand_over=hand_over)
    assert handed == ["queued"]
    assert run_import(world.core, import_id=run_id).created == 2


def test_a_run_no_queue_took_fails_at_once_with_a_reason_and_drops_the_file(world):
    run_id = start(world, CSV, hand_over=lambda run_id: False)
    run = import_run(world.core, community_id=world.community_id, import_id=run_id)
    assert (run.status, run.file_error, run.finished) == ("failed", "staff.import.not_queued", True)
    assert run_import(world.core, import_id=run_id).status == "failed"  # a late job does nothing
    with world.core.db.transaction() as session:
        assert session.get_one(ResidentImport, run_id).upload is None
