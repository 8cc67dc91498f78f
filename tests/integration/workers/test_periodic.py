"""The periodic work: the root's one table, each piece on its own, each at its interval."""

from __future__ import annotations

from datetime import timedelta

from bootstrap import Periodic
from workers.housekeeping import run_housekeeping


def counting(name: str, every: timedelta | None, runs: list[str]) -> Periodic:
    def run(_root: object) -> int:
        runs.append(name)
        return len(runs)

    return Periodic(name, every, run)


def test_the_table_runs_in_its_order_and_ends_with_the_sweep(rt):  # type: ignore[no-untyped-def]
    names = [piece.name for piece in rt.periodic]
    assert names == [
        "deals_closed",
        "reminders_written",
        "texts_requeued",
        "callbacks_requeued",
        "imports_requeued",
        "callbacks_retried",
        "deals_announced",
        "pickup_questions",
        "sweep",
    ]
    report = run_housekeeping(rt)
    assert report.errors == []
    assert list(report.as_dict()) == [*names, "errors"]
    assert report.done["sweep"] == {"enqueued": 0, "requeued": 0, "taken_back": 0}


def test_a_failing_piece_is_reported_and_the_rest_still_run(rt):  # type: ignore[no-untyped-def]
    runs: list[str] = []

    def broken(_root: object) -> int:
        raise ValueError("a bad row")

    work = [counting("first", None, runs), Periodic("broken", None, broken)]
    work.append(counting("last", None, runs))
    report = run_housekeeping(rt, work)
    assert runs == ["first", "last"]
    assert report.errors == ["broken: ValueError('a bad row')"]
    assert report.done == {"first": 1, "last": 2}


def test_a_piece_with_its_own_interval_runs_once_per_interval_across_workers(rt):  # type: ignore[no-untyped-def]
    rt.redis.delete("mianhua:periodic:hourly")
    runs: list[str] = []
    work = [counting("each tick", None, runs), counting("hourly", timedelta(hours=1), runs)]
    run_housekeeping(rt, work)
    run_housekeeping(rt, work)  # another worker's tick, a moment later
    assert runs == ["each tick", "hourly", "each tick"]

    run_housekeeping(rt, work, everything=True)  # `worker --burst`: all of it, once
    assert runs[3:] == ["each tick", "hourly"]

    rt.redis.delete("mianhua:periodic:hourly")  # the hour is up
    run_housekeeping(rt, work)
    assert runs[5:] == ["each tick", "hourly"]
