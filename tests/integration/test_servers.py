"""The session servers from tests.plugins.servers really work, so later tiers can trust them."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
import redis
import sqlalchemy as sa

from tests.plugins import servers
from tests.plugins.servers import PostgresServer, RedisServer


def test_redis_set_and_get(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        client.set("棉花:greeting", "你好")
        assert client.get("棉花:greeting") == "你好".encode()
    finally:
        client.close()


def test_redis_url_starts_each_test_empty(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.dbsize() == 0, "redis_url must FLUSHALL before every test"
    finally:
        client.close()


def test_redis_url_points_at_the_session_server(redis_server: RedisServer, redis_url: str) -> None:
    assert redis_server.host == "127.0.0.1"
    assert redis_url == f"redis://127.0.0.1:{redis_server.port}/0"
    assert redis_server.url(db=3) == f"redis://127.0.0.1:{redis_server.port}/3"


def test_redis_stop_and_start_on_the_same_port(redis_server: RedisServer, redis_url: str) -> None:
    port_before = redis_server.port
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.set("k", "v")
        redis_server.stop()
        with pytest.raises(redis.ConnectionError):
            client.ping()

        redis_server.start()
        assert redis_server.port == port_before
        assert client.ping()  # the same client reconnects: what a worker does after an outage
        assert client.get("k") is None, "no persistence: a restart comes back empty"
    finally:
        client.close()
        redis_server.start()


def test_postgres_create_use_and_drop_a_database(postgres_server: PostgresServer) -> None:
    name = f"servers_{uuid.uuid4().hex[:8]}"
    url = postgres_server.url(name)
    assert url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    assert url.endswith(f"/{name}")

    postgres_server.create_database(name)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE orders (id serial PRIMARY KEY, item text)"))
            conn.execute(sa.text("INSERT INTO orders (item) VALUES ('大白菜')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT item FROM orders")).scalar_one() == "大白菜"
    finally:
        engine.dispose()

    # A connection left open (a leaked session) must not block the drop: that is FORCE.
    leaked = psycopg.connect(postgres_server.conninfo(name))
    try:
        postgres_server.drop_database(name)
    finally:
        leaked.close()

    with psycopg.connect(postgres_server.conninfo("postgres")) as conn:
        query = "SELECT count(*) FROM pg_database WHERE datname = %s"
        row = conn.execute(query, (name,)).fetchone()
    assert row == (0,)


def test_postgres_allows_the_connections_a_race_test_needs(
    postgres_server: PostgresServer,
) -> None:
    with psycopg.connect(postgres_server.conninfo()) as conn:
        max_connections = conn.execute("SHOW max_connections").fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()
    assert max_connections == ("300",)
    assert fsync == ("off",)


def test_a_missing_redis_binary_fails_with_an_install_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(os, "access", lambda *_args, **_kwargs: False)
    with pytest.raises(pytest.fail.Exception, match="apt-get install redis-server"):
        servers.find_redis_server()


def test_a_missing_postgres_fails_with_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(servers.glob, "glob", lambda _pattern: [])
    with pytest.raises(pytest.fail.Exception, match="apt-get install postgresql"):
        servers.find_postgres_bindir()
