"""The gateway on PostgreSQL, where workers really run side by side."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bootstrap import installed
from core.conversations.models import InboxText
from sms_gateway.jobs import read_texts
from tests.builders import World
from tests.support.phone import Sms


@pytest.fixture
def pg(app_factory, postgres_url, clock):  # type: ignore[no-untyped-def]
    app = app_factory(postgres_url)
    world = World(app.extensions["mianhua"].core, clock)
    return app, world


@pytest.mark.slow  # eight threads of one phone on PostgreSQL
def test_the_guided_dialog_on_postgres(pg):
    app, world = pg
    world.deal(limit=3)
    wang = world.resident("王芳")
    sms = Sms(app.test_client(), world.core)
    assert sms.reply(wang.phone, "1").endswith("要几箱？回1-3")
    assert sms.reply(wang.phone, "2").startswith("已订1号赵县雪花梨2箱")


@pytest.mark.slow  # threads of one phone racing on PostgreSQL
def test_a_burst_from_one_phone_is_read_one_text_at_a_time_each_once(pg):
    app, world = pg
    world.deal()
    wang = world.resident("王芳")
    bodies = [f"1 {n}" for n in range(1, 9)]

    def send(body: str) -> int:
        return Sms(app.test_client(), world.core).send(wang.phone, body, read=False).status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, bodies))
    assert statuses == [200] * len(bodies)
    # Eight workers take the eight read jobs at once; the phone's lock lets one read at a time.
    with installed(app.extensions["mianhua"]), ThreadPoolExecutor(max_workers=8) as pool:
        read = list(pool.map(lambda _: read_texts(world.community_id, wang.phone), bodies))
    assert sum(read) == len(bodies)
    with world.core.db.transaction() as session:
        unread = session.scalar(
            select(func.count()).select_from(InboxText).where(InboxText.handled_at.is_(None))
        )
        outcomes = session.scalars(select(InboxText.outcome)).all()
    assert unread == 0 and outcomes == ["PlaceOrder"] * len(bodies)
    sms = Sms(app.test_client(), world.core)
    confirmations = sms.new_replies(wang.phone)
    assert len(confirmations) == len(bodies)  # each change confirmed once, none lost
