"""Call me back: a resident's call is rejected (free for them) and rung back with the menu."""

from __future__ import annotations

import pytest
from rq import Queue

from core.calls.models import CallbackReason, CallbackState
from core.calls.services import call_record
from core.community.models import Community
from core.ports.carriers import CallFailed
from core.ports.jobs import Queue as JobQueue
from ivr.callback import call_back, callback_job_id, place_callback
from tests.builders import World
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN
from tests.integration.ivr.conftest import COMMUNITY_PHONE, Dial
from tests.support.fake_twilio import FakeTwilio
from tests.support.twiml_caller import ScriptedCall, flask_post

ACCOUNT_SID = "AC" + "1" * 32
#: How RQ names the job: its function, by its dotted path.
PLACE_CALLBACK = f"{place_callback.__module__}.{place_callback.__qualname__}"


def enable_callback(world: World) -> None:
    with world.core.db.transaction() as session:
        session.get_one(Community, world.community_id).callback_enabled = True


def queued_callbacks(app) -> list[tuple[str, tuple]]:  # type: ignore[no-untyped-def]
    queue = Queue(JobQueue.REPLIES, connection=app.extensions["mianhua"].redis)
    return [(job.func_name, job.args) for job in queue.get_jobs() if job.id.startswith("callback")]


def test_a_resident_is_rejected_free_of_charge_and_a_call_back_is_queued(
    world: World, dial: Dial, app
):  # type: ignore[no-untyped-def]
    enable_callback(world)
    wang = world.resident("王芳")
    call = dial(wang.phone)

    assert call.rejected and not call.answered and call.said == []
    record = call_record(world.core, call_sid=call.call_sid)
    assert record is not None and record.callback == CallbackState.REQUESTED
    assert queued_callbacks(app) == [(PLACE_CALLBACK, (record.id,))]


def test_the_console_sender_records_the_call_back_once(world: World, dial: Dial, app):  # type: ignore[no-untyped-def]
    enable_callback(world)
    wang = world.resident("王芳")
    call = dial(wang.phone)
    record = call_record(world.core, call_sid=call.call_sid)
    assert record is not None
    mianhua = app.extensions["mianhua"]

    assert call_back(mianhua, record.id) == "recorded"
    assert call_back(mianhua, record.id) == "not owed"  # a duplicate job does nothing
    again = call_record(world.core, call_sid=call.call_sid)
    assert again is not None and again.callback == CallbackState.RECORDED


def test_with_twilio_the_call_back_is_placed_through_the_rest_api(
    app_factory, sqlite_url: str, clock
):  # type: ignore[no-untyped-def]
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=TWILIO_TOKEN) as fake:
        app = app_factory(
            sqlite_url,
            SMS_SENDER="twilio",
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_API_BASE=fake.base_url,
        )
        mianhua = app.extensions["mianhua"]
        world = World(mianhua.core, clock)
        enable_callback(world)
        wang = world.resident("王芳")
        rung = ScriptedCall(
            flask_post(app.test_client()),
            from_=wang.phone,
            to=COMMUNITY_PHONE,
            auth_token=TWILIO_TOKEN,
            base_url=PUBLIC_BASE_URL,
        ).start()
        record = call_record(mianhua.core, call_sid=rung.call_sid)
        assert record is not None

        assert call_back(mianhua, record.id) == "placed"

        [request] = fake.requests
        assert request.kind == "call"
        assert request.form["To"] == wang.phone and request.form["From"] == COMMUNITY_PHONE
        assert request.form["Url"] == f"{PUBLIC_BASE_URL}/voice/inbound"
        placed = call_record(mianhua.core, call_sid=rung.call_sid)
        assert placed is not None and placed.callback == CallbackState.PLACED
        assert placed.callback_sid == request.sid

        # Twilio now rings the resident; when they answer, our menu greets them.
        answered = ScriptedCall(
            flask_post(app.test_client()),
            from_=COMMUNITY_PHONE,
            to=wang.phone,
            auth_token=TWILIO_TOKEN,
            base_url=PUBLIC_BASE_URL,
        )
        answered.base_params["Direction"] = "outbound-api"
        answered.start()
        assert not answered.rejected
        assert answered.said[0].startswith("王芳您好")


def test_an_invalid_number_goes_to_staff_and_a_passing_error_is_retried(  # type: ignore[no-untyped-def]
    app_factory, sqlite_url: str, clock
):
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=TWILIO_TOKEN) as fake:
        app = app_factory(
            sqlite_url,
            SMS_SENDER="twilio",
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_API_BASE=fake.base_url,
        )
        mianhua = app.extensions["mianhua"]
        world = World(mianhua.core, clock)
        enable_callback(world)
        wang = world.resident("王芳")
        call = ScriptedCall(
            flask_post(app.test_client()),
            from_=wang.phone,
            to=COMMUNITY_PHONE,
            auth_token=TWILIO_TOKEN,
            base_url=PUBLIC_BASE_URL,
        ).start()
        record = call_record(mianhua.core, call_sid=call.call_sid)
        assert record is not None
        fake.queue("21211")

        assert call_back(mianhua, record.id) == "failed"
        failed = call_record(mianhua.core, call_sid=call.call_sid)
        # The number itself is wrong: no retry would help, so a person looks at it.
        assert failed is not None and failed.callback == CallbackState.NEEDS_STAFF
        assert failed.callback_reason == CallbackReason.NUMBER_FAILING
        assert failed.callback_error and failed.callback_error.startswith("21211")

        # A passing failure (Twilio 500) gives the promise back for the job's retry.
        again = ScriptedCall(
            flask_post(app.test_client()),
            from_=world.resident("张伟").phone,
            to=COMMUNITY_PHONE,
            auth_token=TWILIO_TOKEN,
            base_url=PUBLIC_BASE_URL,
        ).start()
        second = call_record(mianhua.core, call_sid=again.call_sid)
        assert second is not None
        fake.queue("500", "500", "500", "500")
        with pytest.raises(CallFailed):
            call_back(mianhua, second.id)
        retry = call_record(mianhua.core, call_sid=again.call_sid)
        assert retry is not None and retry.callback == CallbackState.REQUESTED


def test_a_retried_webhook_rejects_again_without_a_second_call_back(world: World, app):  # type: ignore[no-untyped-def]
    enable_callback(world)
    wang = world.resident("王芳")
    first = ScriptedCall(
        flask_post(app.test_client()),
        from_=wang.phone,
        to=COMMUNITY_PHONE,
        call_sid="CA" + "7" * 32,
        auth_token=TWILIO_TOKEN,
        base_url=PUBLIC_BASE_URL,
    ).start()
    retried = ScriptedCall(
        flask_post(app.test_client()),
        from_=wang.phone,
        to=COMMUNITY_PHONE,
        call_sid="CA" + "7" * 32,
        auth_token=TWILIO_TOKEN,
        base_url=PUBLIC_BASE_URL,
    ).start()
    assert first.rejected and retried.rejected
    record = call_record(world.core, call_sid=first.call_sid)
    assert record is not None
    assert queued_callbacks(app) == [(PLACE_CALLBACK, (record.id,))]
    assert callback_job_id(record.id) == f"callback-{record.id}"


def test_unknown_callers_and_a_second_call_soon_after_are_answered(world: World, dial: Dial):
    enable_callback(world)
    stranger = dial("+8613912345678")
    assert not stranger.rejected and "还没有在社区登记" in stranger.said[0]

    wang = world.resident("王芳")
    assert dial(wang.phone).rejected
    soon_after = dial(wang.phone)  # missed the call back and rang again: just answer
    assert not soon_after.rejected and soon_after.said[0].startswith("王芳您好")


def test_with_redis_down_the_call_is_answered_instead(world: World, dial: Dial, redis_server):  # type: ignore[no-untyped-def]
    enable_callback(world)
    wang = world.resident("王芳")
    redis_server.stop()
    try:
        call = dial(wang.phone)
    finally:
        redis_server.start()

    assert not call.rejected and call.said[0].startswith("王芳您好")
    record = call_record(world.core, call_sid=call.call_sid)
    assert record is not None and record.callback == CallbackState.SKIPPED
