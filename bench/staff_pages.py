"""How fast the console's busiest pages answer for a large community.

Run: `.venv/bin/python -m bench.staff_pages [--residents 2000]`. It builds a migrated
SQLite database with that many residents, every one with an order on one deal (plus
their confirmation texts), logs in, and times the dashboard, the A4 pickup list, the
pickup CSV, a resident search and the message log through the app's WSGI interface
(Flask's test client: no network, so the figures are the app's own cost). The bare
Flask baseline (bench/bare_app.py) answers in the same way in the same run. Figures
go to the `staff_pages` section of docs/BENCHMARKS.md. Goal: every page under 1 s at
p95 for 2,000 households, on an old office PC's patience.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from bench import bare_app
from bench.report import write_section
from core.accounts.services import create_staff_user
from core.migrate import upgrade_database
from core.orders.services import place_order
from core.settings import load_settings


def timed(call, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def row(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"| {name} | {statistics.median(ordered):.1f} | {p95:.1f} | {len(ordered)} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    from app import create_app
    from bootstrap import mianhua
    from core.context import FrozenClock
    from core.db import utcnow
    from tests.builders import World

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_database(url)
        app = create_app(
            load_settings(
                {
                    "DATABASE_URL": url,
                    "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing is sent; the relay gives up
                    "MIANHUA_ENV": "test",
                    "SECRET_KEY": "bench",
                    "TWILIO_AUTH_TOKEN": "bench",
                }
            )
        )
        with app.app_context():
            root = mianhua()
        core = root.core
        core.db.outbox_listeners.clear()  # no Redis round trips while seeding
        world = World(core, FrozenClock(utcnow()))
        deal = world.deal(min_units=10, closes_at=world.local(3, 20))
        for n in range(args.residents):
            person = world.resident(
                f"居民{n}", phone=f"+86139{n:08d}", building=str(n % 30 + 1), room=str(n)
            )
            place_order(
                core,
                community_id=world.community_id,
                phone=person.phone,
                deal_number=deal.number,
                quantity=n % 3 + 1,
                channel="sms",
            )
        create_staff_user(core, "bench", "bench-password", "admin")
        client = app.test_client()
        page = client.get("/staff/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/staff/login",
            data={"username": "bench", "password": "bench-password", "csrf_token": token},
        )
        bare = bare_app.create_app().test_client()
        rows = [
            row(
                "bare Flask baseline (POST /sms/inbound)",
                timed(lambda: bare.post("/sms/inbound"), args.rounds),
            ),
            row("dashboard `/staff/`", timed(lambda: client.get("/staff/"), args.rounds)),
            row(
                "pickup list, A4 print page",
                timed(lambda: client.get("/staff/deals/1/pickup-list/print"), args.rounds),
            ),
            row(
                "pickup list CSV",
                timed(lambda: client.get("/staff/deals/1/pickup-list.csv"), args.rounds),
            ),
            row(
                "resident search `3-2-401`",
                timed(lambda: client.get("/staff/residents?q=3-2-401"), args.rounds),
            ),
            row(
                "message log, first page", timed(lambda: client.get("/staff/messages"), args.rounds)
            ),
        ]
        root.close()
    table = "\n".join(
        [
            f"Staff console pages for one deal ordered by {args.residents} households "
            f"(SQLite, in-process WSGI, {args.rounds} requests each). "
            f"Goal: p95 under 1,000 ms.",
            "",
            "| page | median ms | p95 ms | requests |",
            "|---|---|---|---|",
            *rows,
        ]
    )
    print(table)
    write_section("staff_pages", table)


if __name__ == "__main__":
    main()
