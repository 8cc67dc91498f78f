"""The workers' periodic work rings failed call backs again, within staff hours."""

from __future__ import annotations

from rq import Queue

from bootstrap import Mianhua
from core.calls.models import CallbackState
from core.calls.services import claim_callback, finish_callback, start_call
from core.ports.jobs import Queue as JobQueue
from tests.builders import World
from tests.unit.core.calls.test_services import enable_callback
from workers.housekeeping import run_housekeeping


def test_housekeeping_queues_a_due_call_back_again(rt: Mianhua, rt_world: World, clock):  # type: ignore[no-untyped-def]
    enable_callback(rt_world)
    wang = rt_world.resident("王芳")
    started = start_call(
        rt.core, community_id=rt_world.community_id, call_sid="CA-in", phone=wang.phone
    )
    assert claim_callback(rt.core, call_id=started.call_id) is not None
    finish_callback(rt.core, call_id=started.call_id, state=CallbackState.FAILED, error="timeout")

    assert run_housekeeping(rt).done["callbacks_retried"] == 0
    clock.advance(minutes=10)
    report = run_housekeeping(rt)

    assert report.done["callbacks_retried"] == 1 and report.errors == []
    queue = Queue(JobQueue.REPLIES, connection=rt.redis)
    assert f"callback-{started.call_id}-t1" in queue.job_ids
