"""The worker's own loop: what makes RQ's worker stop is met with a fresh one."""

from __future__ import annotations

import pytest
from rq.exceptions import InvalidJobOperation

from bootstrap import Mianhua
from workers import worker as worker_module


def test_a_job_record_deleted_under_rq_starts_a_fresh_worker_not_a_dead_process(
    rt: Mianhua, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep may take back a job a slow worker was still running; when both runs end,
    the second's RQ finds the job's record gone and raises out of its loop."""
    runs: list[str] = []

    def work(self, **_options):  # type: ignore[no-untyped-def]
        runs.append("run")
        if len(runs) == 1:
            raise InvalidJobOperation("Failed to retrieve status for job: send-395")
        self._shutdown_requested_date = object()  # the second is asked to stop

    monkeypatch.setattr(worker_module.MianhuaWorker, "work", work)
    monkeypatch.setattr(worker_module, "RECONNECT_PAUSE_S", 0)
    worker_module.run_worker(rt, burst=False, log_level="warning", say=lambda _line: None)
    assert runs == ["run", "run"]


def test_a_burst_worker_lets_it_be_seen(rt: Mianhua, monkeypatch: pytest.MonkeyPatch) -> None:
    def work(self, **_options):  # type: ignore[no-untyped-def]
        raise InvalidJobOperation("Failed to retrieve status for job: send-1")

    monkeypatch.setattr(worker_module.MianhuaWorker, "work", work)
    with pytest.raises(InvalidJobOperation):
        worker_module.run_worker(rt, burst=True, log_level="warning", say=lambda _line: None)


def test_a_worker_warms_up_before_it_takes_a_job(
    rt: Mianhua, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its first texts are read as fast as the rest (sms_gateway.warm_up)."""
    steps: list[str] = []

    def work(self, **_options):  # type: ignore[no-untyped-def]
        steps.append("work")
        self._shutdown_requested_date = object()

    monkeypatch.setattr(worker_module.MianhuaWorker, "work", work)
    monkeypatch.setattr(rt, "warm_up", lambda: steps.append("warm up"))
    worker_module.run_worker(rt, burst=False, log_level="warning", say=lambda _line: None)
    assert steps == ["warm up", "work"]
