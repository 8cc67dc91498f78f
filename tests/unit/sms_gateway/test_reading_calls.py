"""One text's reading is a few calls into the core, not a conversation held in the channel."""

from __future__ import annotations

import inspect

from core.community.models import Community
from core.conversations.inbox import accept_text
from core.orders.services import resident_orders
from sms_gateway.conversation import read_waiting_texts


def transactions_to_read(core, world, monkeypatch, body: str, sid: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The core's transactions while one waiting text is read, each named by its caller."""
    phone = "+8613900000001"
    accept_text(core, community_id=world.community_id, phone=phone, body=body, provider_sid=sid)
    with core.db.transaction() as session:
        community = session.get_one(Community, world.community_id)
    opened: list[str] = []
    real = core.db.transaction

    def counting():  # type: ignore[no-untyped-def]
        opened.append(inspect.stack()[1].function)
        return real()

    monkeypatch.setattr(core.db, "transaction", counting)
    assert read_waiting_texts(core, community, phone) == 1
    monkeypatch.undo()
    return opened


def test_an_order_text_is_read_in_three_steps(core, world, monkeypatch):
    world.deal()
    wang = world.resident("王芳", phone="+8613900000001")
    opened = transactions_to_read(core, world, monkeypatch, "订1号 两份", "SMreading1")
    # the waiting texts; the dialog, resident, deals and orders at once; the order
    # (its idempotency key looked up, then the order); the reply and the dialog moved on
    assert opened == [
        "pending_texts",
        "begin_reading",
        "stored_result",
        "run_once",
        "finish_reading",
    ]
    (order,) = resident_orders(core, community_id=world.community_id, phone=wang.phone)
    assert order.quantity == 2


def test_a_question_is_answered_from_what_the_reading_began_with(core, world, monkeypatch):
    world.deal()
    world.resident("王芳", phone="+8613900000001")
    opened = transactions_to_read(core, world, monkeypatch, "梨多少钱", "SMreading2")
    assert opened == ["pending_texts", "begin_reading", "finish_reading"]
