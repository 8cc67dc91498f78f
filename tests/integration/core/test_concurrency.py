"""The stock cap holds when many residents order at once, on a real PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from core.context import Core
from core.db import Database
from core.orders.models import Channel
from core.orders.services import place_order
from core.residents.importing import import_residents
from core.results import OrderPlaced, Refusal, RefusalReason
from tests.builders import World

THREADS = 200


@pytest.fixture
def world_on_postgres(postgres_url, clock):  # type: ignore[no-untyped-def]
    database = Database(postgres_url)
    yield World(Core(db=database, clock=clock), clock)
    database.dispose()


@pytest.mark.slow  # 200 real threads racing on PostgreSQL
def test_200_threads_race_for_50_units(world_on_postgres):
    world = world_on_postgres
    phones = [f"+86138{n:08d}" for n in range(THREADS)]
    csv = "phone,name\n" + "".join(f"{p},居民{n}\n" for n, p in enumerate(phones))
    import_residents(world.core, community_id=world.community_id, data=csv.encode())
    deal = world.deal(stock_cap=50, min_units=10)
    start = threading.Barrier(THREADS)
    results: list[object] = []
    lock = threading.Lock()

    def buy(phone: str) -> None:
        start.wait()
        try:
            result: object = place_order(
                world.core,
                community_id=world.community_id,
                phone=phone,
                deal_number=deal.number,
                quantity=1,
                channel=Channel.SMS,
                idempotency_key=f"SM-{phone}",
            )
        except Exception as exc:  # collected so the assertion can show it
            result = exc
        with lock:
            results.append(result)

    threads = [threading.Thread(target=buy, args=(p,)) for p in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    kinds = Counter(
        "placed"
        if isinstance(r, OrderPlaced)
        else r.reason.value
        if isinstance(r, Refusal)
        else repr(r)
        for r in results
    )
    assert kinds == {"placed": 50, RefusalReason.SOLD_OUT.value: 150}
    refused = [r for r in results if isinstance(r, Refusal)]
    assert all(r.units_left == 0 for r in refused)
    with world.core.db.engine.connect() as connection:
        units = connection.exec_driver_sql(
            "SELECT units_ordered, (SELECT sum(quantity) FROM orders) FROM deals"
        ).one()
    assert tuple(units) == (50, 50)


@pytest.mark.slow  # real threads racing on PostgreSQL
def test_the_same_message_retried_concurrently_orders_once(world_on_postgres):
    world = world_on_postgres
    wang = world.resident()
    deal = world.deal()
    start = threading.Barrier(8)
    results: list[object] = []

    def retry() -> None:
        start.wait()
        results.append(
            place_order(
                world.core,
                community_id=world.community_id,
                phone=wang.phone,
                deal_number=deal.number,
                quantity=2,
                channel=Channel.SMS,
                idempotency_key="SM" + "b" * 32,
            )
        )

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 8
    assert sum(not r.replayed for r in results) == 1
    with world.core.db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT units_ordered FROM deals").scalar() == 2
        assert connection.exec_driver_sql("SELECT count(*) FROM messages").scalar() == 1
