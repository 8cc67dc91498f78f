"""Who is calling: unknown numbers, English speakers, someone who wants a person."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from core.calls.services import call_record
from core.community.models import Community
from core.messages.sending import Outgoing
from providers.twilio.voice import reminder_twiml
from tests.builders import World
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN
from tests.integration.ivr.conftest import STAFF_PHONE, Dial, signed_post
from tests.integration.ivr.test_ordering_calls import heard, orders_of
from tests.support.twiml_caller import ScriptedCall, flask_post


def test_an_unknown_caller_hears_they_are_not_registered_and_cannot_order(
    world: World, dial: Dial, app
):  # type: ignore[no-untyped-def]
    world.deal("赵县雪花梨")
    stranger = "+8613912345678"
    call = dial(stranger)

    assert call.said[0].startswith("您好，欢迎致电幸福里社区团购热线。您的电话号码还没有在社区登记")
    assert call.said[0].endswith("找工作人员，请按0。重听，请按9。")
    call.press("3")
    assert heard(call).startswith("对不起，这个按键不在菜单里。您的电话号码还没有在社区登记")
    call.press("1")  # the deals, read out with no way to order
    assert "订购，请按1" not in heard(call) and "下一个，请按2" in heard(call)
    call.press("1")
    assert heard(call).startswith("对不起，这个按键不在菜单里。本周有1个团购。")
    call.press("#")

    # Even a forged path into the order flow lands back on the unknown caller's menu.
    confirm = call.gather["action"].replace("s=unregistered", "s=confirm&d=1&q=1")  # type: ignore[index]
    forged = ScriptedCall(
        flask_post(app.test_client()),
        start_url=confirm.removeprefix(PUBLIC_BASE_URL),
        from_=stranger,
        to="+8631188886666",
        auth_token=TWILIO_TOKEN,
        base_url=PUBLIC_BASE_URL,
    ).start()
    assert forged.said[0].startswith("您的电话号码还没有在社区登记")
    assert orders_of(world, stranger) == []

    call.press("0")
    assert call.dialed == [STAFF_PHONE]


def test_an_anonymous_caller_is_an_unknown_caller(world: World, dial: Dial):
    call = dial("anonymous")
    assert "还没有在社区登记" in call.said[0]


def test_an_english_resident_hears_english_with_an_english_voice(world: World, dial: Dial):
    tom = world.resident("Tom Baker", language="en")
    world.deal("赵县雪花梨", price_fen=3550, limit=2)  # English title: Snow pears
    call = dial(tom.phone)

    first = call.spoken[0]
    assert first.text.startswith("Hello Tom Baker, welcome to the")
    assert (first.language, first.voice) == ("en-US", "Polly.Joanna")
    # The community's Chinese name is spoken by a Mandarin voice, not spelled out in English.
    assert [(s.text, s.language) for s in call.spoken[1:2]] == [("幸福里社区", "cmn-CN")]
    assert "For this week's group buys, press 1." in heard(call) or "press 1" in call.said[2]

    call.press("1")
    said = heard(call)
    assert "Number 1: Snow pears." in said
    assert "35 yuan 5 jiao per box." in said
    assert "Orders close on Thursday at 8 pm." in said
    assert "Pick up on Saturday at 9 am to 11 am, at" in said
    call.press("1")
    assert "Each household can order up to 2 boxes. How many boxes would you like?" in heard(call)
    call.press("2#")
    assert "You are ordering number 1, Snow pears: 2 boxes, 71 yuan in all." in heard(call)
    call.press("1")
    assert heard(call).startswith("Done. Your order is confirmed")
    assert all(s.voice in ("Polly.Joanna", "Polly.Zhiyu") for s in call.spoken)
    assert all(
        (s.language, s.voice) in {("en-US", "Polly.Joanna"), ("cmn-CN", "Polly.Zhiyu")}
        for s in call.spoken
    )


REMINDER_TEXT = {"en": "Pickup reminder: 1号赵县雪花梨", "zh": "取货提醒：1号赵县雪花梨"}


def _reminder_call(language: str) -> str:
    """The TwiML Twilio is given when a reminder calls a landline resident of `language`."""
    return reminder_twiml(
        Outgoing(
            message_id=1,
            channel="voice",
            kind="reminder",
            to="+8631188880002",
            from_number="+8631188886666",
            body=REMINDER_TEXT[language],
            segments=1,
            language=language,
            community_name="幸福里社区",
            voice_rate="normal",
            attempts_before=0,
            check_provider_first=False,
            created_at=datetime(2026, 11, 27, tzinfo=UTC),
        )
    )


def test_the_menu_and_reminder_calls_speak_each_language_in_one_voice(world: World, dial: Dial):
    for language, name in (("en", "Tom Baker"), ("zh", "王芳")):
        call = dial(world.resident(name, language=language).phone)
        in_menu = {(s.language, s.voice) for s in call.spoken}
        says = list(ET.fromstring(_reminder_call(language)).iter("Say"))
        in_reminder = {(say.get("language"), say.get("voice")) for say in says}

        assert (says[0].get("language"), says[0].get("voice")) == (
            call.spoken[0].language,
            call.spoken[0].voice,
        )
        assert in_reminder == in_menu  # English with the community's name: the same two voices


def test_zero_dials_the_staff_phone_in_staff_hours(world: World, dial: Dial):
    wang = world.resident("王芳")
    call = dial(wang.phone)
    call.press("0")

    assert heard(call)[: len("正在为您转接工作人员")] == "正在为您转接工作人员"
    assert call.dialed == [STAFF_PHONE]
    # The scripted caller reports the conversation as completed: we say goodbye.
    assert call.said[-1] == "感谢您的来电，再见。" and call.end_reason == "hangup"


def test_zero_outside_staff_hours_promises_a_call_back_and_says_when(
    world: World, dial: Dial, clock
):  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    clock.set(world.local(0, 19, 0))
    call = dial(wang.phone)
    call.press("0")

    assert heard(call).startswith(
        "现在不是工作时间。我们已经记下了，工作人员明天上午8点半上班，上班后会给您回电话。"
    )
    assert call.dialed == [] and "听本周的团购" in heard(call)
    record = call_record(world.core, call_sid=call.call_sid)
    assert record is not None and record.callback == "needs_staff"
    assert record.callback_reason == "out_of_hours"

    clock.set(world.local(1, 7, 0))
    call = dial(wang.phone)
    call.press("0")
    assert "工作人员今天上午8点半上班" in heard(call)


def test_no_answer_from_staff_leaves_a_call_back_and_goes_back_to_the_menu(world: World, app):  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    client = app.test_client()
    call = ScriptedCall(
        flask_post(client),
        from_=wang.phone,
        to="+8631188886666",
        auth_token=TWILIO_TOKEN,
        base_url=PUBLIC_BASE_URL,
    ).start()
    params = {**call.base_params, "CallStatus": "in-progress", "DialCallStatus": "no-answer"}
    response = signed_post(client, "/voice/step?s=staff&n=2", params)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "对不起，工作人员现在没能接听。我们已经记下了，工作人员会在今天下午5点半以前给您回电话。"
        in body
    )
    assert "<Gather" in body
    record = call_record(world.core, call_sid=call.call_sid)
    assert record is not None and record.callback_reason == "no_answer"


def test_without_a_staff_phone_zero_says_so(world: World, dial: Dial):
    wang = world.resident("王芳")
    with world.core.db.transaction() as session:
        session.get_one(Community, world.community_id).staff_phones = []
    call = dial(wang.phone)
    call.press("0")
    assert heard(call).startswith("对不起，现在没有工作人员的电话。我们已经记下了，工作人员会在")
    assert call.dialed == []


def test_a_call_to_a_number_that_is_not_ours_is_answered_politely(world: World, app):  # type: ignore[no-untyped-def]
    call = ScriptedCall(
        flask_post(app.test_client()),
        from_="+8613912345678",
        to="+8631100000000",
        auth_token=TWILIO_TOKEN,
        base_url=PUBLIC_BASE_URL,
    ).start()
    assert call.said == ["对不起，这个号码暂时不能使用。再见。"] and call.end_reason == "hangup"


def test_unsigned_or_forged_requests_get_403_and_record_nothing(world: World, app):  # type: ignore[no-untyped-def]
    client = app.test_client()
    params = {"CallSid": "CAforged", "From": "+8613912345678", "To": "+8631188886666"}
    assert client.post("/voice/inbound", data=params).status_code == 403
    bad = {"X-Twilio-Signature": "AAAA"}
    assert client.post("/voice/inbound", data=params, headers=bad).status_code == 403
    assert client.post("/voice/step?s=confirm&d=1&q=1", data=params).status_code == 403
    assert client.post("/voice/status", data=params).status_code == 403
    assert call_record(world.core, call_sid="CAforged") is None


def test_calls_are_recorded_with_how_they_ended(world: World, dial: Dial):
    wang = world.resident("王芳")
    call = dial(wang.phone)
    call.press("9")
    call.hangup()

    record = call_record(world.core, call_sid=call.call_sid)
    assert record is not None
    assert (record.phone, record.direction, record.status) == (wang.phone, "inbound", "completed")
    assert record.resident_id == wang.id and record.duration_seconds is not None


def test_malformed_step_urls_land_on_the_main_menu(world: World, app):  # type: ignore[no-untyped-def]
    wang = world.resident("王芳")
    client = app.test_client()
    base = ScriptedCall(flask_post(client), from_=wang.phone, to="+8631188886666")
    for query in ("s=nonsense", "s=confirm&d=abc&q=1", "s=quantity", "s=deal&d=999&n=x", ""):
        path = f"/voice/step?{query}" if query else "/voice/step"
        response = signed_post(client, path, {**base.base_params, "Digits": "1"})
        assert response.status_code == 200, query
        assert "<Gather" in response.get_data(as_text=True), query


def test_an_unexpected_failure_still_answers_with_an_apology(world: World, dial: Dial, monkeypatch):  # type: ignore[no-untyped-def]
    from ivr import machine

    wang = world.resident("王芳")
    call = dial(wang.phone)

    def broken(*args: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(machine, "answer", broken)
    call.press("1")

    assert call.said[-1] == "对不起，系统暂时出了点问题，请稍后再打来。再见。"
    assert call.end_reason == "hangup"
