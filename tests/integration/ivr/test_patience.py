"""Silence, wrong keys and the shape of every menu: a patient voice that never strands anyone."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.builders import World
from tests.integration.ivr.conftest import STAFF_PHONE, Dial
from tests.integration.ivr.test_ordering_calls import heard


def test_silence_repeats_once_then_puts_the_caller_through_to_a_person(
    world: World, dial: Dial
):
    wang = world.resident("王芳")
    call = dial(wang.phone)

    call.wait()
    assert heard(call).startswith("没有听到您按键，我再说一遍。听本周的团购，请按1。")
    call.wait()
    assert heard(call).startswith("没有听到您按键。我现在为您转接工作人员，请稍等。")
    assert call.dialed == [STAFF_PHONE]


def test_a_key_after_silence_starts_the_count_again(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨")
    call = dial(wang.phone)
    call.wait()
    call.press("1")
    call.wait()
    assert heard(call).startswith("没有听到您按键，我再说一遍。")  # a first silence again
    assert call.dialed == []
    call.wait()
    assert call.dialed == [STAFF_PHONE]


def test_silence_while_typing_a_number_repeats_the_question(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨", limit=3)
    call = dial(wang.phone)
    call.press("1")
    call.press("1")
    call.wait()
    assert heard(call).startswith("没有听到您按键，我再说一遍。每户最多订三箱。要订多少箱？")


def test_wrong_keys_apologise_and_repeat_the_same_menu(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨")
    call = dial(wang.phone)
    for key in ("5", "#", "6"):
        call.press(key)
        assert heard(call).startswith("对不起，这个按键不在菜单里。听本周的团购，请按1。")
    call.press("1")
    call.press("7")
    assert heard(call).startswith("对不起，这个按键不在菜单里。本周有1个团购。1号，赵县雪花梨。")


def test_nine_repeats_any_one_key_menu(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨")
    call = dial(wang.phone)
    first = call.said[0]
    call.press("9")
    assert first.endswith(heard(call))
    call.press("1")
    deal = heard(call)
    call.press("9")
    assert heard(call) == deal


def test_every_gather_holds_its_prompt_and_is_followed_by_a_silence_redirect(
    world: World, dial: Dial
):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨")
    call = dial(wang.phone)
    for keys in ("1", "1", "2#", "2", "3#", "1", "2", "#", "3", "1#", "2"):
        call.press(keys)
    documents = [ET.fromstring(p.body) for p in call.posted if not p.url.endswith("/status")]
    for document in documents:
        verbs = list(document)
        gathers = [i for i, verb in enumerate(verbs) if verb.tag == "Gather"]
        assert len(gathers) == 1
        index = gathers[0]
        assert verbs[:index] == []  # nothing said before it: a caller can always press early
        assert [child.tag for child in verbs[index]] and all(
            child.tag == "Say" for child in verbs[index]
        )
        assert verbs[index + 1].tag == "Redirect" and "w=1" in (verbs[index + 1].text or "")
        assert verbs[index].get("timeout") == "8"


def test_the_key_timeout_is_a_setting(app_factory, sqlite_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.builders import World as Builder
    from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN
    from tests.support.twiml_caller import ScriptedCall, flask_post

    app = app_factory(sqlite_url, IVR_KEY_TIMEOUT_SECONDS="12")
    world = Builder(app.extensions["mianhua"].core, clock)
    wang = world.resident("王芳")
    call = ScriptedCall(
        flask_post(app.test_client()),
        from_=wang.phone,
        to="+8631188886666",
        auth_token=TWILIO_TOKEN,
        base_url=PUBLIC_BASE_URL,
    ).start()
    assert call.gather is not None and call.gather["timeout"] == "12"


def test_speech_is_slow_by_default_and_follows_the_communitys_rate(world: World, dial: Dial):
    from core.community.models import Community

    wang = world.resident("王芳")
    call = dial(wang.phone)
    assert 'prosody rate="slow"' in call.posted[0].body

    with world.core.db.transaction() as session:
        session.get_one(Community, world.community_id).voice_rate = "85%"
    call = dial(wang.phone)
    assert 'prosody rate="85%"' in call.posted[0].body

    with world.core.db.transaction() as session:
        session.get_one(Community, world.community_id).voice_rate = 'bogus"/>'
    call = dial(wang.phone)
    assert 'prosody rate="slow"' in call.posted[0].body
