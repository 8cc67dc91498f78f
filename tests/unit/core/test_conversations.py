"""core.conversations: the inbox, the dialog's lifetime, the abuse rules, the phone's lock."""

from __future__ import annotations

import functools
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from core.conversations.arrival import begin_reading
from core.conversations.inbox import pending_texts, receive_text
from core.conversations.phone_lock import PhoneBusy, hold_phone, phone_turn
from core.conversations.reading import finish_reading
from core.conversations.services import FLOOD_LIMIT, Dialog, mute_state
from core.messages.services import record_inbound

PHONE = "+8613900000001"


def arrive(core, world, body: str, sid: str) -> int:  # type: ignore[no-untyped-def]
    text = record_inbound(
        core, community_id=world.community_id, phone=PHONE, body=body, provider_sid=sid
    )
    for _ in range(2):  # a retry puts it there once
        receive_text(
            core,
            community_id=world.community_id,
            phone=PHONE,
            message_id=text.message_id,
            received_at=core.now(),
        )
    return text.message_id


NO_DIALOG = Dialog()


def read(core, world, dialog: Dialog = NO_DIALOG, reply: str | None = None):  # type: ignore[no-untyped-def]
    (text, *_) = pending_texts(core, community_id=world.community_id, phone=PHONE)
    arrival = begin_reading(core, community_id=world.community_id, phone=PHONE, text=text)
    finish_reading(
        core,
        community_id=world.community_id,
        phone=PHONE,
        message_id=text.message_id,
        dialog=dialog,
        outcome="test",
        reply=reply,
    )
    return arrival


def test_texts_wait_in_order_until_read(core, world):
    first = arrive(core, world, "2", "SM1")
    second = arrive(core, world, "3", "SM2")
    waiting = pending_texts(core, community_id=world.community_id, phone=PHONE)
    assert [(t.message_id, t.body) for t in waiting] == [(first, "2"), (second, "3")]
    read(core, world)
    assert [t.body for t in pending_texts(core, community_id=world.community_id, phone=PHONE)] == [
        "3"
    ]


def test_a_question_lasts_thirty_minutes(core, world, clock):
    arrive(core, world, "2", "SM1")
    read(core, world, Dialog(awaiting_quantity_for=2))
    arrive(core, world, "3", "SM2")
    clock.advance(minutes=29)
    assert read(core, world).dialog == Dialog(awaiting_quantity_for=2)
    arrive(core, world, "2", "SM3")
    read(core, world, Dialog(awaiting_quantity_for=2))
    clock.advance(minutes=30)
    arrive(core, world, "3", "SM4")
    assert read(core, world).dialog == Dialog()


def test_the_flood_rule_counts_texts_in_a_sliding_minute(core, world, clock):
    for n in range(FLOOD_LIMIT):  # one every 1.5 s
        arrive(core, world, f"hi {n}", f"SM{n}")
        assert not read(core, world).hold.muted
        clock.advance(seconds=1.5)
    clock.advance(seconds=16)  # the first has left the minute
    arrive(core, world, "hi late", "SMlate")
    assert not read(core, world).hold.muted
    clock.advance(seconds=1)
    arrive(core, world, "hi again", "SMagain")
    arrive(core, world, "hi too many", "SMtoo-many")
    read(core, world)
    hold = read(core, world).hold
    assert hold.muted and hold.newly_muted and hold.held_until is not None
    assert mute_state(core, community_id=world.community_id, phone=PHONE) is not None


def test_the_same_reply_is_collapsed_not_muted(core, world, clock):
    for n in range(3):
        arrive(core, world, "away", f"SM{n}")
        read(core, world, reply="没看懂")
        clock.advance(minutes=1)
    assert mute_state(core, community_id=world.community_id, phone=PHONE) is None


@contextmanager
def held_in_another_thread(lock):  # type: ignore[no-untyped-def]
    """`lock()` (a context manager) taken and held by another thread for the block."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock():
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        yield
    finally:
        release.set()
        holder.join(10)


def test_one_phone_is_read_by_one_request_at_a_time(core, world):
    held = functools.partial(hold_phone, core, community_id=world.community_id, phone=PHONE)
    with held_in_another_thread(held):
        with (
            pytest.raises(PhoneBusy),
            hold_phone(core, community_id=world.community_id, phone=PHONE, wait_seconds=0.2),
        ):
            pass
        # Another phone is not held up.
        with hold_phone(core, community_id=world.community_id, phone="+8613900000002"):
            pass
    with hold_phone(core, community_id=world.community_id, phone=PHONE, wait_seconds=1):
        pass


def test_a_phones_turn_is_one_transaction_that_holds_its_lock(core, world):
    """A text read in one transaction takes the phone's lock in it (`phone_turn`): while
    one turn is open, another of the same phone waits, and gives up with PhoneBusy; the
    lock held apart (`hold_phone`) and a turn keep each other out too."""
    turn = functools.partial(phone_turn, core, community_id=world.community_id, phone=PHONE)
    with held_in_another_thread(turn):
        with pytest.raises(PhoneBusy), turn(wait_seconds=0.2):
            pass
        with (
            pytest.raises(PhoneBusy),
            hold_phone(core, community_id=world.community_id, phone=PHONE, wait_seconds=0.2),
        ):
            pass
        with phone_turn(core, community_id=world.community_id, phone="+8613900000002"):
            pass  # another phone is not held up

    # Waited for and taken, the rest of the turn waits for row locks as it would have.
    settings: list[str] = []
    with hold_phone(core, community_id=world.community_id, phone=PHONE):
        waiting = threading.Thread(target=_turn_after_a_wait, args=(turn, settings))
        waiting.start()
        time.sleep(0.3)  # the turn waits for the lock meanwhile
    waiting.join(10)
    assert len(settings) == 1
    if core.db.is_postgres:
        assert settings == ["0"]  # the server's own lock_timeout again, not the wait's


def _turn_after_a_wait(turn, settings: list[str]) -> None:  # type: ignore[no-untyped-def]
    with turn(wait_seconds=5) as session:
        is_postgres = session.get_bind().dialect.name == "postgresql"
        settings.append(session.execute(text("SHOW lock_timeout")).scalar_one() if is_postgres
                        else "sqlite")  # fmt: skip
