"""Two real `python -m workers` reading a burst of texts off the inbox on PostgreSQL:
each text read once, each phone's texts in the order they came, each reply sent once."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from bootstrap import bootstrap, installed
from core.conversations.models import InboxText
from core.orders.models import Order
from core.settings import load_settings
from sms_gateway.inbound import InboundText, receive
from tests.integration.workers.conftest import NO_QUIET_HOURS, live_world, wait_until, worker_env

pytestmark = pytest.mark.slow

PHONES = 12
CHANGES = ("1 1", "1 2", "1 3")  # each a change of the one before: the last must win


def test_two_workers_read_a_burst_in_each_phones_order_and_answer_each_text_once(  # type: ignore[no-untyped-def]
    postgres_url, redis_url, stand_in, worker_processes
):
    env = worker_env(postgres_url, redis_url, stand_in, QUIET_HOURS=NO_QUIET_HOURS)
    root = bootstrap(load_settings(env))
    try:
        world = live_world(root.core)
        world.deal(limit=5)
        phones = [world.resident(f"住户{n}").phone for n in range(PHONES)]
        workers = worker_processes(env)
        workers.start()
        workers.start()
        with installed(root):
            for round_, body in enumerate(CHANGES):
                for n, phone in enumerate(phones):
                    receive(InboundText(world.community_id, phone, body, f"SM{round_}x{n:030d}"))

        def all_read() -> bool:
            with root.core.db.transaction() as session:
                return not session.scalar(
                    select(func.count())
                    .select_from(InboxText)
                    .where(InboxText.handled_at.is_(None))
                )

        wait_until(all_read, 90, "every text read")
        stand_in.wait_for(PHONES * len(CHANGES), timeout=60, where=lambda r: r.ok)
        replies = Counter(stand_in.accepted_messages())
        assert replies == dict.fromkeys(phones, len(CHANGES)), workers.output()
        with root.core.db.transaction() as session:
            outcomes = session.scalars(select(InboxText.outcome)).all()
            quantities = session.scalars(select(Order.quantity)).all()
        assert outcomes == ["PlaceOrder"] * PHONES * len(CHANGES)
        assert quantities == [3] * PHONES  # read in order: the last change stands
    finally:
        root.close()
