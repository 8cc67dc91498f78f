"""The phone menu on its own: a carrier hands it who is calling and what they did, and
gets back what to say, what to wait for and how fast to speak, in the menu's own values."""

from __future__ import annotations

from core.community.models import Community
from ivr import answering
from ivr.answering import CallParties, MenuAnswer, RingBack
from ivr.states import DialEnded, Keys, Silence, State, Where
from ivr.steps import StepRequest, parse_step, step_params
from tests.builders import World
from tests.integration.ivr.conftest import COMMUNITY_PHONE, STAFF_PHONE


def parties(phone: str, call_sid: str = "CA" + "3" * 32) -> CallParties:
    return CallParties(call_sid, line=COMMUNITY_PHONE, caller=phone)


def test_a_resident_is_greeted_and_walks_the_menu_without_any_carrier(world: World, app):  # type: ignore[no-untyped-def]
    root = app.extensions["mianhua"]
    world.deal("赵县雪花梨")
    wang = world.resident("王芳")

    greeting = answering.start(root, parties(wang.phone))
    assert isinstance(greeting, MenuAnswer)
    assert greeting.prompt.wait == Where(State.MAIN) and greeting.step == 0
    assert greeting.prompt.lines[0].startswith("王芳您好")
    assert (greeting.pace.language, greeting.pace.rate, greeting.pace.key_timeout) == (
        "zh",
        "slow",
        8,
    )

    at_main, at_deal = StepRequest(Where(State.MAIN), 1, None), Where(State.DEAL, deal=1)
    deals = answering.step(root, parties(wang.phone), at_main, Keys("1"))
    assert isinstance(deals, MenuAnswer)
    assert deals.prompt.wait == at_deal and deals.step == 1

    slower = answering.step(root, parties(wang.phone), StepRequest(at_deal, 2, None), Keys("8"))
    assert isinstance(slower, MenuAnswer)
    assert slower.pace.slow and slower.pace.rate == "x-slow" and slower.pace.key_timeout == 12


def test_two_silences_put_the_caller_through_and_an_unanswered_transfer_comes_back(
    world: World, app
):  # type: ignore[no-untyped-def]
    root = app.extensions["mianhua"]
    wang = world.resident("王芳")
    menu = StepRequest(Where(State.MAIN), 3, None)

    once = answering.step(root, parties(wang.phone), menu, Silence(1))
    twice = answering.step(root, parties(wang.phone), menu, Silence(2))
    assert isinstance(once, MenuAnswer) and once.prompt.wait == Where(State.MAIN)
    assert isinstance(twice, MenuAnswer) and twice.prompt.dial == STAFF_PHONE

    back = StepRequest(Where(State.STAFF), 4, None)
    unanswered = answering.step(root, parties(wang.phone), back, DialEnded(answered=False))
    assert isinstance(unanswered, MenuAnswer) and unanswered.prompt.wait == Where(State.MAIN)
    talked = answering.step(root, parties(wang.phone), back, DialEnded(answered=True))
    assert isinstance(talked, MenuAnswer) and talked.prompt.hangup


def test_a_resident_owed_a_call_back_is_rung_back_and_a_stranger_line_is_not_ours(
    world: World, app
):  # type: ignore[no-untyped-def]
    root = app.extensions["mianhua"]
    with world.core.db.transaction() as session:
        session.get_one(Community, world.community_id).callback_enabled = True
    wang = world.resident("王芳")

    assert isinstance(answering.start(root, parties(wang.phone)), RingBack)
    elsewhere = answering.start(
        root, CallParties("CA" + "4" * 32, line="+8631100000000", caller=wang.phone)
    )
    assert isinstance(elsewhere, MenuAnswer) and elsewhere.prompt.hangup
    assert elsewhere.prompt.wait is None


def test_a_step_written_into_the_next_request_reads_back_the_same():
    where = Where(State.CONFIRM, deal=2, quantity=3)
    params = {k: str(v) for k, v in step_params(where, 7, silence=1, slow=True).items()}
    assert params == {"s": "confirm", "d": "2", "q": "3", "n": "7", "w": "1", "p": "s"}
    assert parse_step(params) == StepRequest(where, 7, 1, slow=True)
    assert parse_step({"s": "nowhere", "d": "x" * 50, "n": "-1"}).where == Where(State.MAIN)
