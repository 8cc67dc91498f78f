"""A 60-second PostgreSQL outage in the middle of a burst of 200 texts, with a real worker
process sending through the Twilio stand-in: every order stands, each confirmed once."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from app import create_app
from core.messages.models import Message
from core.orders.models import Order, OrderStatus
from core.residents.models import Resident
from core.settings import load_settings
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN
from tests.integration.workers.conftest import NO_QUIET_HOURS, live_world, worker_env
from tests.support.phone import Sms

pytestmark = pytest.mark.slow

TEXTS = 200
OUTAGE_S = 60.0
#: The burst lasts about 90 s: the outage starts once 20 texts are in and covers most of it.
PAUSE_BETWEEN_TEXTS_S = 0.45


def test_a_minute_without_postgres_during_200_texts_loses_none_and_doubles_none(  # type: ignore[no-untyped-def]
    postgres_url, postgres_outage, redis_url, spool_dir, stand_in, worker_processes
):
    app = create_app(
        load_settings(
            {
                "DATABASE_URL": postgres_url,
                "REDIS_URL": redis_url,
                "MIANHUA_ENV": "test",
                "SECRET_KEY": "test-secret",
                "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
                "QUIET_HOURS": NO_QUIET_HOURS,
                "SPOOL_DIR": str(spool_dir),
                "SPOOL_DRAIN_INTERVAL_SECONDS": "0.5",
            }
        )
    )
    mianhua = app.extensions["mianhua"]
    try:
        world = live_world(mianhua.core)
        deal = world.deal(min_units=1)
        with mianhua.core.db.transaction() as session:
            session.add_all(
                Resident(community_id=world.community_id, phone=f"+86136{i:08d}", name=f"住户{i}")
                for i in range(TEXTS)
            )
        phones = [f"+86136{i:08d}" for i in range(TEXTS)]
        workers = worker_processes(
            worker_env(postgres_url, redis_url, stand_in, QUIET_HOURS=NO_QUIET_HOURS)
        )
        workers.start()
        sms = Sms(app.test_client(), mianhua.core)
        outage = threading.Timer(OUTAGE_S, postgres_outage.start_again)

        answers = []
        for i, phone in enumerate(phones):
            if i == 20:
                postgres_outage.stop()
                stopped_at = time.monotonic()
                outage.start()
            answers.append(sms.send(phone, f"{deal.number} 1", read=False).status)
            time.sleep(PAUSE_BETWEEN_TEXTS_S)
        outage.join()
        outage_s = time.monotonic() - stopped_at

        assert answers == [200] * TEXTS
        # Texts whose reading failed in the outage wait for the stale-text sweep (2 minutes).
        stand_in.wait_for(TEXTS, timeout=240, where=lambda r: r.kind == "message" and r.ok)
        time.sleep(3)  # a few more sweeps and drains: nothing may go twice
        accepted = Counter(stand_in.accepted_messages())
        assert {p for p, n in accepted.items() if n > 1} == set(), "confirmed twice"
        assert set(accepted) == set(phones), f"never confirmed: {set(phones) - set(accepted)}"
        with mianhua.core.db.transaction() as session:
            orders = session.scalar(
                select(func.count()).select_from(Order).where(Order.status == OrderStatus.PLACED)
            )
            spooled = session.scalar(
                select(func.count()).select_from(Message).where(Message.spooled_at.is_not(None))
            )
        assert orders == TEXTS
        assert spooled > 100, "the outage did not cover the burst"  # ~130 of them came in it
        assert mianhua.spool.pending() == [] and mianhua.spool.set_aside_files() == []
        assert outage_s >= OUTAGE_S
    finally:
        mianhua.close()
