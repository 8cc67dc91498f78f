"""A phone menu that never leaves an older caller alone: a person or a promised call
back, speech as slow as they need, hours that follow the calendar."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from core.calls.models import CallbackReason, CallbackState
from core.calls.services import call_record
from core.calls.staff_callbacks import callbacks_for_staff, mark_callback_done
from core.community.closed_days import add_closed_day
from core.deals.services import close_deal
from core.orders.services import place_order
from core.residents.services import find_resident
from tests.builders import SHANGHAI, World
from tests.integration.ivr.conftest import STAFF_PHONE, Dial
from tests.integration.ivr.test_ordering_calls import heard


def waiting(world: World) -> list:  # type: ignore[type-arg]
    return callbacks_for_staff(world.core, community_id=world.community_id)


# --- silence and 0 lead to a person -------------------------------------------------------


def test_two_silences_out_of_hours_promise_a_call_back_then_say_goodbye(
    world: World, dial: Dial, clock
):  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    clock.set(world.local(0, 21, 30))  # Monday evening
    call = dial(wang.phone)
    call.wait()
    call.wait()

    assert heard(call) == (
        "现在不是工作时间。我们已经记下了，工作人员明天上午8点半上班，上班后会给您回电话。"
        "感谢您的来电，再见。"
    )
    assert call.ended and call.end_reason == "hangup" and call.dialed == []
    [request] = waiting(world)
    assert (request.name, request.address, request.reason) == ("王芳", "3-2-401", "out_of_hours")
    assert re.fullmatch(r"139 \d{4} \d{4}", request.dial)  # as a resident dials it


def test_a_transfer_nobody_answers_promises_a_call_back_and_is_not_rung_again(
    world: World, dial: Dial
):
    wang = world.resident("王芳")
    call = dial(wang.phone)
    call.dial_status = "no-answer"
    call.press("0")

    said = heard(call)
    assert said.startswith("正在为您转接工作人员，请稍等。")
    assert (
        "对不起，工作人员现在没能接听。我们已经记下了，工作人员会在今天下午5点半以前给您回电话。"
        in said
    )
    assert "还需要别的吗？听本周的团购，请按1。" in said
    call.press("0")  # again: no second ring of a line nobody answers
    assert heard(call).startswith("工作人员刚才没能接听，这次就不再转接了。我们已经记下了，")
    assert call.dialed == [STAFF_PHONE]
    [request] = waiting(world)
    assert request.reason == CallbackReason.NO_ANSWER and request.requests == 1


def test_a_public_holiday_is_closed(world: World, dial: Dial, clock):  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    clock.set(datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI).astimezone(UTC))  # 国庆, 10 am
    call = dial(wang.phone)
    call.press("0")

    assert call.dialed == []
    assert heard(call).startswith(
        "现在不是工作时间。我们已经记下了，工作人员10月8日周四上午8点半上班，上班后会给您回电话。"
    )


def test_the_committees_closed_day_is_closed(world: World, dial: Dial, clock):  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    today = world.local(0, 10).date()
    add_closed_day(world.core, community_id=world.community_id, day=today, by="xiaoli")
    call = dial(wang.phone)
    call.wait()
    call.wait()
    assert call.dialed == [] and "工作人员明天上午8点半上班" in heard(call)


# --- pace on request -----------------------------------------------------------------------


def test_eight_slows_every_prompt_and_the_pace_is_remembered(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨")
    call = dial(wang.phone)
    assert 'rate="slow"' in call.posted[-1].body and "请随时按8" in call.said[0]

    call.press("8")
    assert heard(call).startswith("好的，我会说慢一点。以后您打来，我也会慢慢说。听本周的团购")
    assert 'rate="x-slow"' in call.posted[-1].body and 'rate="slow"' not in call.posted[-1].body
    assert call.gather is not None and call.gather["timeout"] == "12"  # and more time for keys
    call.press("1")
    assert 'rate="x-slow"' in call.posted[-1].body  # every later prompt too
    resident = find_resident(world.core, community_id=world.community_id, phone=wang.phone)
    assert resident is not None and resident.voice_pace == "slow"

    again = dial(wang.phone)
    assert 'rate="x-slow"' in again.posted[0].body and "请随时按8" not in again.said[0]
    again.press("8")
    assert heard(again).startswith("我已经在慢慢说了。")


def test_an_unknown_caller_can_slow_the_call_too(world: World, dial: Dial):
    call = dial("+8613912345678")
    call.press("8")
    assert heard(call).startswith("好的，我会说慢一点。您的电话号码")
    assert 'rate="x-slow"' in call.posted[-1].body
    call.wait()
    assert 'rate="x-slow"' in call.posted[-1].body  # the silence redirect keeps the pace


def test_star_repeats_the_last_sentence(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨")
    call = dial(wang.phone)
    call.press("1")
    call.press("*")
    assert heard(call) == (
        "周六上午9点到11点，在社区服务站取货。订购，请按1。下一个，请按2。上一个，请按3。"
        "回主菜单，请按井号键。"
    )
    call.press("#")
    call.press("*")  # on the main menu: the headline, then the keys
    assert heard(call).startswith("本周有1个团购：赵县雪花梨。听本周的团购，请按1。")


# --- the greeting says the one thing wanted first ----------------------------------------------


def test_the_greeting_says_when_to_pick_up_what_was_ordered(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨", min_units=2)
    place_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=1,
        quantity=2,
        channel="sms",
    )
    close_deal(world.core, community_id=world.community_id, number=1)
    call = dial(wang.phone)
    assert call.said[0].startswith(
        "王芳您好，欢迎致电幸福里社区团购热线。您订的赵县雪花梨两箱，周六上午9点到11点在社区服务站取。"
    )


def test_the_greeting_names_this_weeks_deals_before_the_keys(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨")
    world.deal("沁州黄小米", unit="袋")
    call = dial(wang.phone)
    said = call.said[0]
    assert said.index("本周有2个团购：赵县雪花梨、沁州黄小米。") < said.index("请按1")


def test_the_greeting_says_how_an_open_order_stands(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨", min_units=10)
    place_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=1,
        quantity=2,
        channel="sms",
    )
    call = dial(wang.phone)
    assert "您订的赵县雪花梨两箱还差八箱成团，周四晚上8点截止订货。" in call.said[0]


# --- unknown callers --------------------------------------------------------------------------


def test_an_unknown_caller_hears_the_deals_and_asks_to_be_rung_back(world: World, dial: Dial):
    world.deal("赵县雪花梨")
    world.deal("沁州黄小米", unit="袋")
    call = dial("+8613912345678")
    assert "本周有2个团购：赵县雪花梨、沁州黄小米。" in call.said[0]

    call.press("1")
    assert heard(call).startswith("本周有2个团购，这是第1个。1号，赵县雪花梨。每箱三十五元。")
    call.press("2")
    assert heard(call).startswith("2号，沁州黄小米。")
    call.press("#")
    call.press("2")
    assert heard(call).startswith(
        "好的，我们记下了您的电话：1 3 9，1 2 3 4，5 6 7 8。"
        "我们已经记下了，工作人员会在今天下午5点半以前给您回电话。"
    )
    [request] = waiting(world)
    assert (request.resident_id, request.name, request.reason) == (None, None, "unknown_caller")
    assert request.dial == "139 1234 5678"
    assert mark_callback_done(
        world.core, community_id=world.community_id, callback_id=request.id, by="xiaoli"
    )
    assert waiting(world) == []


def test_a_caller_without_caller_id_types_the_number_to_ring_back(
    world: World, dial: Dial, clock
):  # type: ignore[no-untyped-def]
    clock.set(world.local(0, 22, 0))
    call = dial("anonymous")
    call.press("2")
    assert heard(call).startswith("我们看不到您的来电号码。请按您的电话号码，座机请加区号")
    call.press("123#")
    assert heard(call).startswith("对不起，这个号码好像不对。我们看不到您的来电号码。")
    call.press("031185662001#")
    assert heard(call).startswith(
        "好的，我们记下了您的电话：0 3 1 1，8 5 6 6，2 0 0 1。"
        "我们已经记下了，工作人员明天上午8点半上班，上班后会给您回电话。"
    )
    [request] = waiting(world)
    assert (request.phone, request.reason) == ("+8631185662001", "unknown_caller")


def test_a_caller_without_caller_id_who_stays_silent_is_told_when_to_call(
    world: World, dial: Dial, clock
):  # type: ignore[no-untyped-def]
    clock.set(world.local(0, 22, 0))
    call = dial("anonymous")
    call.wait()
    call.wait()
    assert heard(call).startswith(
        "现在不是工作时间。我们看不到您的来电号码，没法给您回电话。工作人员明天上午8点半上班，请那时再打来。"
    )
    assert call.ended and waiting(world) == []
    record = call_record(world.core, call_sid=call.call_sid)
    assert record is not None and record.callback != CallbackState.NEEDS_STAFF


def test_a_transfer_unanswered_near_closing_promises_the_next_opening(
    world: World, dial: Dial, clock
):  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    clock.set(world.local(0, 17, 10))  # open, but only twenty minutes left
    call = dial(wang.phone)
    call.dial_status = "busy"
    call.press("0")
    assert call.dialed == [STAFF_PHONE]
    assert "工作人员明天上午8点半上班，上班后会给您回电话。" in heard(call)


def test_a_call_back_nobody_answers_reaches_staff_after_its_last_try(
    app_factory, sqlite_url: str, clock
):  # type: ignore[no-untyped-def]
    from bootstrap import installed
    from ivr.callback import call_back, retry_callbacks
    from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN
    from tests.integration.ivr.conftest import COMMUNITY_PHONE, signed_post
    from tests.integration.ivr.test_callback import ACCOUNT_SID, enable_callback
    from tests.support.fake_twilio import FakeTwilio
    from tests.support.twiml_caller import ScriptedCall, flask_post

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
        assert rung.rejected
        record = call_record(mianhua.core, call_sid=rung.call_sid)
        assert record is not None

        with installed(mianhua) as rt:
            for attempt in range(3):
                assert call_back(mianhua, record.id) == "placed"
                placed_sid = fake.requests[-1].sid
                assert placed_sid is not None
                # Twilio rings Wang, nobody picks up, and it says so to our status callback.
                status = {"CallSid": placed_sid, "CallStatus": "no-answer"}
                assert signed_post(app.test_client(), "/voice/status", status).status_code == 204
                clock.advance(minutes=31)
                assert retry_callbacks(rt) == (1 if attempt < 2 else 0)

        final = call_record(mianhua.core, call_sid=rung.call_sid)
        assert final is not None and final.callback == CallbackState.NEEDS_STAFF
        assert (final.callback_reason, final.callback_tries) == ("retries_failed", 3)
        [shown] = waiting(world)
        assert (shown.name, shown.reason, shown.tries) == ("王芳", "retries_failed", 3)
        assert len([r for r in fake.requests if r.kind == "call"]) == 3
