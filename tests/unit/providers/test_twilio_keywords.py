"""Twilio's own opt-out and opt-in words: the carrier's knowledge, kept at its edge."""

from __future__ import annotations

import pytest

from core.context import Core
from core.ports.carriers import CarrierKeyword, NoCarrierKeywords
from providers.twilio.keywords import TwilioKeywords


@pytest.mark.parametrize(
    ("body", "acted"),
    [
        ("STOP", CarrierKeyword.OPT_OUT),
        (" stop ", CarrierKeyword.OPT_OUT),
        ("Unsubscribe", CarrierKeyword.OPT_OUT),
        ("start", CarrierKeyword.OPT_IN),
        ("UNSTOP", CarrierKeyword.OPT_IN),
        ("退订", None),  # ours: the channel answers it
        ("T", None),
        ("stop please", None),  # only the whole message is Twilio's keyword
    ],
)
def test_twilio_acts_on_its_whole_message_keywords(body: str, acted: CarrierKeyword | None) -> None:
    assert TwilioKeywords().acted_on(body) == acted


def test_a_bare_core_leaves_every_word_to_the_channel(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from core.db import Database

    core = Core(db=Database(f"sqlite:///{tmp_path / 'x.db'}"))
    assert isinstance(core.carrier_keywords, NoCarrierKeywords)
    assert core.carrier_keywords.acted_on("STOP") is None
