"""Inbound SMS webhook throughput and latency on a real gunicorn + PostgreSQL server.

Run: `.venv/bin/python -m bench.sms_webhook [--texts 5000] [--concurrency 16]`.
It starts a throwaway PostgreSQL and Redis (bench/harness.py), seeds a community
of 2,000 households with six open deals, and signs realistic texts (orders in
several spellings, guided-dialog numbers, lists, my-orders, cancels, help,
thanks, junk) as Twilio would. Mianhua and the bare Flask endpoint
(bench/bare_app.py) are served by the same gunicorn settings and sent the same
texts at the same concurrency, in the same run. Figures go to the `sms_webhook`
section of docs/BENCHMARKS.md. Goal: p99 under 50 ms, and at least half the bare
endpoint's throughput.
"""

from __future__ import annotations

import argparse
import os
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bench.harness import Request, Result, drive, postgres_database, redis_url, serve
from bench.report import write_section
from core.community.services import create_community
from core.context import Core
from core.conversations.models import InboxText
from core.db import Database
from core.deals.services import DealSpec, create_deal
from core.residents.services import register_resident

TOKEN = "bench-auth-token"
PUBLIC_BASE_URL = "https://mianhua.bench.example"
COMMUNITY_PHONE = "+8631188886666"
HOUSEHOLDS = 2000
WORKERS, THREADS = 4, 4
GOAL_P99_MS = 50.0
WARM_UP = 300
SERIAL_TEXTS = 500  # one at a time: what a text costs when nothing queues before it


def seed(database_url: str) -> list[str]:
    """A community, its households and six open deals; the households' phones."""
    core = Core(db=Database(database_url))
    try:
        community_id = create_community(
            core,
            name="幸福里社区",
            phone=COMMUNITY_PHONE,
            pickup_place="社区服务站",
            staff_phones=["+8613800000000"],
        )
        phones = [
            register_resident(
                core, community_id=community_id, phone=f"+86139{n:08d}", name=f"居民{n}"
            ).phone
            for n in range(1, HOUSEHOLDS + 1)
        ]
        closes = datetime.now(UTC) + timedelta(days=3)
        goods = ["赵县雪花梨", "沁州黄小米", "东北大米", "花生油", "土鸡蛋", "红富士苹果"]
        for n, title in enumerate(goods):
            create_deal(
                core,
                community_id=community_id,
                spec=DealSpec(
                    title_zh=title,
                    unit="份",
                    price_fen=1500 + 500 * n,
                    market_price_fen=2500 + 500 * n,
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
        core.db.dispose()


def realistic_body(rng: random.Random) -> str:
    deal, quantity = rng.randint(1, 6), rng.randint(1, 5)
    return rng.choices(
        [
            f"{deal} {quantity}",
            f"订{deal}号 {'一二三四五'[quantity - 1]}份",
            f"{chr(0xFF10 + deal)}　{chr(0xFF10 + quantity)}",
            f"我要{deal}号{quantity}份，谢谢",
            str(deal),
            "团购",
            "我的",
            f"取消{deal}",
            "帮助",
            "谢谢",
            "今天天气不错😀",
        ],
        weights=[20, 10, 5, 10, 10, 12, 10, 5, 5, 8, 5],
    )[0]


def signed_texts(phones: list[str], count: int, seed_value: int, prefix: str) -> list[Request]:
    rng = random.Random(seed_value)
    validator = RequestValidator(TOKEN)
    requests = []
    for n in range(count):
        sid = f"SM{prefix}{n:030d}"[:34]
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": "AC" + "0" * 32,
            "From": rng.choice(phones),
            "To": COMMUNITY_PHONE,
            "Body": realistic_body(rng),
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
        }
        signature = validator.compute_signature(PUBLIC_BASE_URL + "/sms/inbound", params)
        requests.append(Request("/sms/inbound", params, {"X-Twilio-Signature": signature}))
    return requests


def row(name: str, result: Result) -> str:
    bad = sum(n for code, n in result.statuses.items() if code != 200)
    return (
        f"| {name} | {result.count} | {result.per_second:.0f} | {result.percentile(50):.1f} | "
        f"{result.percentile(99):.1f} | {result.percentile(100):.1f} | {bad} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    with postgres_database() as database_url, redis_url() as queue_url:
        phones = seed(database_url)
        warm_up = signed_texts(phones, WARM_UP, 1, "w")
        texts = signed_texts(phones, args.texts, 2, "b")
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": queue_url,
            "MIANHUA_ENV": "production",
            "SECRET_KEY": "bench",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "SMS_SENDER": "console",
        }
        alone = signed_texts(phones, SERIAL_TEXTS, 3, "s")
        with serve("bench.bare_app:create_app()", env, WORKERS, THREADS) as base:
            drive(base, warm_up, args.concurrency)
            bare = drive(base, texts, args.concurrency)
            bare_alone = drive(base, alone, 1)
        with serve("app:create_app()", env, WORKERS, THREADS) as base:
            drive(base, warm_up, args.concurrency)
            ours = drive(base, texts, args.concurrency)
            ours_alone = drive(base, alone, 1)
        core = Core(db=Database(database_url))
        with core.db.transaction() as session:
            unread = session.scalar(
                select(func.count()).select_from(InboxText).where(InboxText.handled_at.is_(None))
            )
        core.db.dispose()

    ratio = ours.per_second / bare.per_second
    p99 = ours.percentile(99)
    verdict = (
        f"p99 {p99:.1f} ms against a goal of {GOAL_P99_MS:.0f} ms "
        f"({'met' if p99 < GOAL_P99_MS else 'missed'}); throughput {ratio:.0%} of the bare "
        f"endpoint against a goal of 50% ({'met' if ratio >= 0.5 else 'missed'})."
    )
    table = "\n".join(
        [
            "| endpoint | texts | req/s | p50 ms | p99 ms | max ms | non-200 |",
            "|---|---:|---:|---:|---:|---:|---:|",
            row(
                f"bare Flask, empty TwiML (bench/bare_app.py), concurrency {args.concurrency}", bare
            ),
            row(f"Mianhua POST /sms/inbound, concurrency {args.concurrency}", ours),
            row("bare Flask, one at a time", bare_alone),
            row("Mianhua POST /sms/inbound, one at a time", ours_alone),
        ]
    )
    markdown = f"""## SMS webhook (`python -m bench.sms_webhook`)

{args.texts} signed inbound texts from {HOUSEHOLDS} households (orders in several spellings,
guided-dialog numbers, lists, my orders, cancels, help, thanks, junk) at concurrency
{args.concurrency}, one keep-alive connection per client; gunicorn gthread, {WORKERS} workers x
{THREADS} threads, for both endpoints; PostgreSQL and Redis on the same machine. Every text is
recorded, read under its phone's turn and answered through the outbox. Texts left unread
at the end: {unread}.

{table}

{verdict}

Why: a text is not an empty answer. Each one is recorded (unique MessageSid), put in the
phone's inbox, read under the phone's advisory lock, and answered through the outbox: about
ten short PostgreSQL transactions (plus the relay's RQ enqueue and its `queued` mark), in all
some 90 database round trips (each checkout also pings) and {ours_alone.percentile(50):.0f} ms
per text on this machine when nothing queues before it. At concurrency {args.concurrency} the
{WORKERS} x {THREADS} server, PostgreSQL and the load driver share {os.cpu_count()} cores, so
latency is mostly queueing (about {args.concurrency} / throughput). The bare endpoint does no I/O
at all: "half its throughput" would leave well under a millisecond per text for all of the
above. The way down is fewer round trips per text (one transaction for inbox, turn and dialog;
a cached community lookup; no pre-ping per checkout), not a faster web server.
"""
    print(markdown)
    write_section("sms_webhook", markdown)


if __name__ == "__main__":
    main()
