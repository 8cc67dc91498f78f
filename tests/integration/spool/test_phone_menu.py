"""The phone menu while the database is down: an apology, a call back with one key,
and the request reaching the call records (and a worker's call back) once it is back."""

from __future__ import annotations

from rq import Queue

from core.calls.models import CallbackState
from core.ports.jobs import Queue as JobQueue
from ivr.callback import callback_job_id
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN
from tests.integration.ivr.conftest import COMMUNITY_PHONE
from tests.integration.spool.conftest import Outage, calls
from tests.support.twiml_caller import ScriptedCall, flask_post


def ring(app, from_: str) -> ScriptedCall:  # type: ignore[no-untyped-def]
    call = ScriptedCall(
        flask_post(app.test_client()),
        from_=from_,
        to=COMMUNITY_PHONE,
        auth_token=TWILIO_TOKEN,
        base_url=PUBLIC_BASE_URL,
        status_callback="/voice/status",
    )
    return call.start()


def test_a_caller_during_the_outage_asks_for_a_call_back_and_gets_one(outage: Outage):
    world = outage.world
    wang = world.resident("王芳")

    call = ring(outage.down, wang.phone)
    assert call.said[0] == "对不起，系统正忙。要我们稍后给您回电，请按1。"
    assert "To be called back, press 1." in call.said[1]
    call.press("1")
    assert call.said_since_last_input()[0] == "好的，系统一恢复，我们就给您回电。再见。"
    assert call.ended and not call.errors
    assert calls(world) == []

    world.clock.advance(minutes=3)
    outage.drain()

    (record,) = calls(world)
    assert record.call_sid == call.call_sid and record.phone == wang.phone
    assert record.resident_id == wang.id and record.callback == CallbackState.REQUESTED
    assert record.spooled_at is not None and record.taken_in_at == world.clock()
    assert record.status == "completed"  # its status callback was spooled and taken in too
    queue = Queue(JobQueue.REPLIES, connection=outage.up.extensions["mianhua"].redis)
    assert queue.fetch_job(callback_job_id(record.id)) is not None


def test_calling_three_times_during_the_outage_is_one_call_back(outage: Outage):
    world = outage.world
    wang = world.resident("王芳")
    for _ in range(3):
        ring(outage.down, wang.phone).press("1")

    outage.drain()

    owed = [c for c in calls(world) if c.callback == CallbackState.REQUESTED]
    assert len(calls(world)) == 3 and len(owed) == 1


def test_a_caller_who_presses_nothing_hears_goodbye_and_nothing_is_kept(outage: Outage):
    call = ring(outage.down, outage.world.resident("王芳").phone)
    call.wait()

    assert call.said_since_last_input()[0] == "请稍后再打来。再见。"
    assert call.ended
    outage.drain()
    assert all(c.callback is None for c in calls(outage.world))


def test_an_anonymous_caller_hears_only_the_apology(outage: Outage):
    call = ring(outage.down, "anonymous")

    assert call.said[0] == "对不起，系统正忙，请稍后再打来。再见。"
    assert call.ended and call.gather is None


def test_a_caller_whose_database_goes_away_mid_call_is_offered_a_call_back(outage: Outage):
    world = outage.world
    world.deal()
    wang = world.resident("王芳")
    call = ScriptedCall(
        flask_post(outage.up.test_client()),
        from_=wang.phone,
        to=COMMUNITY_PHONE,
        auth_token=TWILIO_TOKEN,
        base_url=PUBLIC_BASE_URL,
    ).start()
    # The database goes: the same call's next step reaches the app that cannot reach it.
    call._post = flask_post(outage.down.test_client())

    call.press("1")

    assert call.said_since_last_input()[0].startswith("对不起，系统正忙。要我们稍后给您回电")
    call.press("1")
    outage.drain()
    (record,) = calls(world)
    assert record.call_sid == call.call_sid and record.callback == CallbackState.REQUESTED


def test_a_call_back_taken_in_while_redis_is_down_is_queued_by_housekeeping(
    outage: Outage, redis_server
):  # type: ignore[no-untyped-def]
    from bootstrap import installed
    from workers.housekeeping import run_housekeeping

    wang = outage.world.resident("王芳")
    ring(outage.down, wang.phone).press("1")
    mianhua = outage.up.extensions["mianhua"]
    redis_server.stop()
    try:
        outage.drain()
    finally:
        redis_server.start()
    (record,) = calls(outage.world)
    queue = Queue(JobQueue.REPLIES, connection=mianhua.redis)
    assert record.callback == CallbackState.REQUESTED
    assert queue.fetch_job(callback_job_id(record.id)) is None  # never reached the queue

    with installed(mianhua) as rt:
        assert run_housekeeping(rt).done["callbacks_requeued"] == 0  # taken in a moment ago: wait
        outage.world.clock.advance(minutes=2)
        assert run_housekeeping(rt).done["callbacks_requeued"] == 1
        assert run_housekeeping(rt).done["callbacks_requeued"] == 0  # its job is on its way now

    assert queue.fetch_job(callback_job_id(record.id)) is not None
