"""The scale-out scenario (bench/scale_out.py) at a small size, asserted, not timed: two
gunicorn web processes and three `python -m workers` on one PostgreSQL and one Redis, a
bulk reminder while residents text both web processes, one worker SIGKILLed in the
middle. Counted at the Twilio stand-in against the database: nothing lost, nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.scale_out import Size, run_scenario
from tests.support.stand_in import ListingFakeTwilio

pytestmark = pytest.mark.slow  # five processes and a sweep's patience: about 40 s

SMALL = Size(
    residents=300,
    texts=100,
    rate=40,  # paced, so the kill lands while reminders are still going
    text_rate=10,
    kill_after=1 / 3,
    stuck_after_s=10,  # a loaded machine's job may run 3 s: not lost, only slow
    timeout_s=240,
)


def test_two_web_and_three_workers_lose_nothing_and_send_nothing_twice_when_one_is_killed(
    postgres_url: str, redis_url: str, stand_in: ListingFakeTwilio, tmp_path: Path
) -> None:
    outcome = run_scenario(SMALL, postgres_url, redis_url, stand_in, tmp_path)

    assert outcome.killed_at_sent < SMALL.residents, "the worker was not killed in the middle"
    assert outcome.outbound_rows == SMALL.residents + SMALL.texts  # a reminder each, a reply each
    assert outcome.statuses == {"sent": outcome.outbound_rows}
    assert not outcome.twice, f"sent twice: {outcome.twice}"
    assert not outcome.lost, f"never sent: {sorted(outcome.lost)[:10]}"
    assert not outcome.strangers, f"accepted but not ours: {sorted(outcome.strangers)[:10]}"
    assert sum(outcome.accepted.values()) == outcome.outbound_rows
    assert outcome.webhook_statuses == {200: SMALL.texts}
    assert not outcome.unanswered, f"texts never answered: {outcome.unanswered[:10]}"
