"""Outages for the spool's tests: an app whose database is unreachable, the same app's
database back, and a real PostgreSQL taken away and brought back on the same port."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from core.calls.models import VoiceCall
from core.messages.models import Direction, Message
from tests.builders import World
from tests.integration.workers.conftest import stand_in, worker_processes  # noqa: F401  (fixtures)
from tests.support.phone import Sms

#: Nothing listens on port 1: every connection is refused at once, as with a stopped server.
UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/mianhua"


@dataclass
class Outage:
    """The web app seen while its database is down, and once it is back (the same spool)."""

    down: Flask
    up: Flask
    world: World

    def __post_init__(self) -> None:
        self.sms_down = Sms(self.down.test_client(), self.world.core)
        self.sms_up = Sms(self.up.test_client(), self.world.core)

    def drain(self) -> str:
        """`flask --app app spool drain` on the app whose database is back; its output."""
        result = self.up.test_cli_runner().invoke(args=["spool", "drain"])
        assert result.exit_code == 0, result.output
        return result.output

    def read_texts(self) -> None:
        self.sms_up.read_inbox()


@pytest.fixture
def outage(app_factory, sqlite_url, clock) -> Outage:  # type: ignore[no-untyped-def]
    # No background drainer: the tests take the spool in when they say so.
    up = app_factory(sqlite_url, SPOOL_DRAIN_INTERVAL_SECONDS="0")
    down = app_factory(UNREACHABLE_DATABASE, SPOOL_DRAIN_INTERVAL_SECONDS="0")
    return Outage(down=down, up=up, world=World(up.extensions["mianhua"].core, clock))


@pytest.fixture
def postgres_outage(postgres_server, postgres_url) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The session's PostgreSQL, which the test may stop; it is running again afterwards."""
    yield postgres_server
    if not postgres_server.running:
        postgres_server.start_again()


def inbound_texts(world: World) -> list[Message]:
    with world.core.db.transaction() as session:
        return list(
            session.scalars(
                select(Message).where(Message.direction == Direction.INBOUND).order_by(Message.id)
            )
        )


def calls(world: World) -> list[VoiceCall]:
    with world.core.db.transaction() as session:
        return list(session.scalars(select(VoiceCall).order_by(VoiceCall.id)))
