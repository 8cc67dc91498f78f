"""Per-step latency of the phone menu: scripted order calls against a real gunicorn server.

Run: `.venv/bin/python -m bench.ivr [--calls 150]`. It starts its own PostgreSQL and
Redis on loopback (the test suite's server helpers), seeds a community, serves
Mianhua and the bare Flask baseline (bench/bare_app.py, POST /voice/step) under
the same gunicorn settings, then drives signed scripted calls through the whole
order flow (greeting, deals, next, previous, order, number, confirm) and times
every step. The baseline answers the same requests, one for one. Figures go to
the `ivr` section of docs/BENCHMARKS.md. Goal: p99 under 30 ms per step.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from urllib.parse import urlsplit

import requests

from bench.harness import postgres_database, redis_url, serve
from bench.report import write_section
from core.community.services import create_community
from core.context import Core
from core.db import Database
from core.deals.services import DealSpec, create_deal
from core.residents.services import register_resident
from tests.support.twiml_caller import Posted, ScriptedCall, http_post

TOKEN = "bench-auth-token"
PUBLIC_BASE_URL = "https://mianhua.bench.example"
COMMUNITY_PHONE = "+8631188886666"
#: Both servers: two sync workers, one request each at a time (one client drives the calls).
SERVER = {"workers": 2, "threads": 1, "worker_class": "sync"}
GOAL_P99_MS = 30.0
#: The scripted order call, as a caller presses it after the greeting.
ORDER_CALL = ["1", "2", "3", "1", "1#", "1"]
STEP_NAMES = ["greeting", "main→deal", "next deal", "previous deal", "order", "number#", "confirm"]


def seed(database_url: str, residents: int) -> list[str]:
    """A community, its residents and three open deals; the residents' phones."""
    from datetime import UTC, datetime, timedelta

    db = Database(database_url)
    core = Core(db=db)
    try:
        community_id = create_community(
            core,
            name="幸福里社区",
            phone=COMMUNITY_PHONE,
            pickup_place="社区服务站",
            staff_phones=["+8613800000000"],
        )
        phones = []
        for i in range(residents):
            view = register_resident(
                core, community_id=community_id, phone=f"+86139{i + 1:08d}", name=f"居民{i}"
            )
            phones.append(view.phone)
        closes = datetime.now(UTC) + timedelta(days=3)
        for title, price in (("赵县雪花梨", 3550), ("沁州黄小米", 1505), ("东北大米", 6000)):
            create_deal(
                core,
                community_id=community_id,
                spec=DealSpec(
                    title_zh=title,
                    unit="箱",
                    price_fen=price,
                    market_price_fen=price + 2000,
                    min_units=10,
                    per_resident_limit=5,
                    closes_at=closes,
                    pickup_start=closes + timedelta(days=2),
                    pickup_end=closes + timedelta(days=2, hours=2),
                ),
                open_now=True,
            )
        return phones
    finally:
        db.dispose()


def timed_post(base: str, timings: list[float], session: requests.Session):  # type: ignore[no-untyped-def]
    inner = http_post(base)

    def post(url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        started = time.perf_counter()
        answer = inner(url, params, headers)
        timings.append((time.perf_counter() - started) * 1000)
        return answer

    return post


def run_calls(base: str, phones: list[str], calls: int) -> tuple[list[float], list[Posted]]:
    """Scripted order calls; the time of every step, and every request made."""
    timings: list[float] = []
    posted: list[Posted] = []
    session = requests.Session()
    for i in range(calls):
        call = ScriptedCall(
            timed_post(base, timings, session),
            from_=phones[i % len(phones)],
            to=COMMUNITY_PHONE,
            auth_token=TOKEN,
            base_url=PUBLIC_BASE_URL,
        ).start()
        for keys in ORDER_CALL:
            call.press(keys)
        if "订单已经确认" not in " ".join(call.said):
            raise RuntimeError(f"the scripted order did not go through:\n{call.transcript()}")
        call.hangup()
        posted += call.posted
    return timings, posted


def replay_on_baseline(base: str, posted: list[Posted]) -> list[float]:
    """The same requests, one for one, to the bare Flask endpoint (POST /voice/step)."""
    session = requests.Session()
    timings = []
    for request in posted:
        path = "/voice/inbound" if request.url.endswith("/voice/inbound") else "/voice/step"
        query = urlsplit(request.url).query
        started = time.perf_counter()
        response = session.post(f"{base}{path}?{query}", data=request.params, timeout=15)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return timings


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def row(name: str, values: list[float]) -> str:
    return (
        f"| {name} | {len(values)} | {percentile(values, 50):.1f} | {percentile(values, 99):.1f} "
        f"| {statistics.fmean(values):.1f} | {max(values):.1f} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=150, help="scripted order calls (default 150)")
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args(argv)

    with postgres_database() as database_url, redis_url() as queue_url:
        phones = seed(database_url, residents=50)
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": queue_url,
            "MIANHUA_ENV": "production",
            "SECRET_KEY": "bench-secret-" + "k" * 32,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "SMS_SENDER": "console",
        }
        with serve("app:create_app()", env, **SERVER) as base:
            run_calls(base, phones, args.warmup)
            timings, posted = run_calls(base, phones, args.calls)
        steps = [p for p in posted if not p.url.endswith("/voice/status")]
        with serve("bench.bare_app:create_app()", env, **SERVER) as base:
            replay_on_baseline(base, steps[: len(steps) // 10])  # warm up
            baseline = replay_on_baseline(base, steps)

    step_timings = [t for t, p in zip(timings, posted, strict=True) if "/voice/status" not in p.url]
    by_step: dict[str, list[float]] = defaultdict(list)
    per_call = len(STEP_NAMES)
    for index, value in enumerate(step_timings):
        by_step[STEP_NAMES[index % per_call]].append(value)
    p99 = percentile(step_timings, 99)
    verdict = "meets" if p99 < GOAL_P99_MS else "misses"
    lines = [
        "## IVR: per-step latency of a scripted order call",
        "",
        f"{args.calls} signed scripted calls, each: greeting, 1 deals, 2 next, 3 previous, "
        "1 order, 1# one unit, 1 confirm (the order is placed and its SMS written to the "
        "outbox). Mianhua on PostgreSQL and Redis; both servers are gunicorn "
        "`--workers 2 --threads 1 --worker-class sync` on loopback, one client at a time. "
        "The baseline is the bare "
        "Flask endpoint (bench/bare_app.py) answering the same requests one for one.",
        "",
        "| endpoint | requests | p50 ms | p99 ms | mean ms | max ms |",
        "|---|---|---|---|---|---|",
        row("Mianhua, every step", step_timings),
        *(row(f"Mianhua, {name}", by_step[name]) for name in STEP_NAMES),
        row("bare Flask baseline", baseline),
        "",
        f"Goal: p99 under {GOAL_P99_MS:.0f} ms per step; this run {verdict} it (p99 {p99:.1f} ms).",
    ]
    markdown = "\n".join(lines)
    print(markdown)
    write_section("ivr", markdown)


if __name__ == "__main__":
    main()
