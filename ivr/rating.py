"""Key 6 in the main menu: a landline resident scores what they collected, 1 to 5.

A resident without texts cannot answer "回1-5打分", so the question waits for their
next call: the main menu offers it (`navigation.main_menu`), 6 asks for the score, and
one key keeps it (core.tastings), keyed by the call's step so a carrier's retry keeps
it once.
"""

from __future__ import annotations

from core.tastings.services import record_score, waiting_question
from ivr import navigation
from ivr.states import Call, Prompt, State, Where

RATE_KEY = "6"
SCORES = frozenset("12345")


def enter_rate(call: Call, where: Where) -> Prompt:
    title = waiting_question(call.core, community_id=call.community.id, phone=call.caller_phone)
    if title is None:  # answered or lapsed since the menu offered it
        return navigation.home(call)
    return Prompt([call.say("ivr.rate.ask", title=title)], wait=Where(State.RATE))


def rate_keys(call: Call, where: Where, digits: str) -> Prompt | None:
    if digits not in SCORES:
        return None
    kept = record_score(
        call.core,
        community_id=call.community.id,
        phone=call.caller_phone,
        score=int(digits),
        words="",
        key=call.step_key("rate"),
        channel="voice",
    )
    if kept is None:
        return navigation.home(call)
    return navigation.home(call).before(call.say("ivr.rate.thanks", score=kept.score))
