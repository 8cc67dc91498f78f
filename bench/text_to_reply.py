"""Text to reply: how many recorded texts two workers read and answer per second.

    .venv/bin/python -m bench.text_to_reply [--texts 4000]

Starts its own PostgreSQL and Redis (bench/harness.py) and the Twilio stand-in, seeds
the community of bench/sms_webhook.py (2,000 households, six open deals) and measures,
in one run:

1. the baseline: as many no-op jobs on the inbox queue, run by two `python -m workers`
   processes (our worker setup: RQ's SimpleWorker on Mianhua's queues, with the
   scheduler and the housekeeping ticker), started and idle before the jobs arrive;
   jobs per second from the enqueue to the last job done; measured again in every
   round, before its texts, since the machine's pace drifts within a run;
2. texts to replies, twice: N texts in the mix of bench/sms_webhook.py recorded as the
   webhook records them (`sms_gateway.inbound.receive`, which also wakes the reader),
   then two fresh `python -m workers` processes read, order or answer them and hand
   every reply to the sender: first the console sender, then the real twilio client
   against the stand-in (HTTP/1.1 with its connections kept alive, as Twilio's API keeps
   them). Texts per second from the first text read to the last reply handed over (the
   database's `handled_at` and `sent_at`). Where the machine's CPU went over each phase
   (the workers, PostgreSQL, Redis, this process with the stand-in) is measured too.

About three minutes with the defaults (three rounds of each sender, the median counts) on
2 cores. Figures go to the `text_to_reply` section of docs/BENCHMARKS.md. Goal: at least
400 texts a second.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime

import psutil
from redis import Redis
from rq import Queue as RqQueue
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select

from bench.harness import ROOT, cpu_by_part, cpu_since, postgres_database, redis_url
from bench.report import write_section
from bench.sms_webhook import COMMUNITY_PHONE, HOUSEHOLDS, realistic_body, seed
from bootstrap import bootstrap, install
from core.conversations.models import InboxText
from core.messages.models import Direction, Message, MessageStatus
from core.ports.jobs import Queue
from core.settings import load_settings
from sms_gateway.inbound import InboundText, receive
from tests.integration.workers.conftest import NO_QUIET_HOURS, worker_env
from tests.support.stand_in import ListingFakeTwilio

PYTHON = ROOT / ".venv" / "bin" / "python"
GOAL_PER_S = 400.0
PROCESSES = 2
#: Statuses of a reply not handed to the sender yet.
UNSENT = (MessageStatus.PENDING, MessageStatus.QUEUED, MessageStatus.SENDING)


def noop() -> None:
    """The baseline's job: nothing, so what is left is the worker's own cost per job."""


@dataclass(frozen=True)
class Phase:
    texts: int
    replies: int
    seconds: float
    unread: int
    unsent: int
    cpu_seconds: float  # the two workers', from both listening to the last reply
    others: dict[str, float]  # CPU seconds of the rest of the machine over the same span

    def others_ms(self, name: str) -> float:
        return self.others.get(name, 0.0) * 1000 / self.texts

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds * 1000 / self.texts

    @property
    def per_second(self) -> float:
        return (self.texts - 1) / self.seconds if self.seconds else 0.0


class Workers:
    """`PROCESSES` real `python -m workers`, each in its own process group."""

    def __init__(self, env: dict[str, str]) -> None:
        self.processes = [
            subprocess.Popen(
                [str(PYTHON), "-m", "workers", "--log-level", "WARNING"],
                cwd=ROOT,
                env={**os.environ, **env},
                start_new_session=True,
                stdout=subprocess.DEVNULL,  # the console sender prints every reply
                stderr=subprocess.DEVNULL,
            )
            for _ in range(PROCESSES)
        ]

    def __enter__(self) -> Workers:
        return self

    def cpu_seconds(self) -> float:
        """CPU the workers (and their scheduler children) have used so far: less at the
        mercy of a shared machine than seconds on the clock."""
        total = 0.0
        for process in self.processes:
            try:
                parent = psutil.Process(process.pid)
                for each in (parent, *parent.children(recursive=True)):
                    times = each.cpu_times()
                    total += times.user + times.system
            except psutil.Error:
                continue
        return total

    def __exit__(self, *_exc: object) -> None:
        for process in self.processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def wait_until(done, what: str, timeout: float = 900.0, poll: float = 0.25) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not done within {timeout:.0f} s")
        time.sleep(poll)


def baseline(env: dict[str, str], queue_url: str, count: int) -> tuple[float, float]:
    """No-op jobs per second through two of our worker processes, and their CPU per job (ms)."""
    redis = Redis.from_url(queue_url)
    queue = RqQueue(Queue.INBOX.value, connection=redis)
    with Workers(env) as workers:
        wait_until(lambda: _workers_listening(redis) >= PROCESSES, "workers starting", 60)
        time.sleep(1.0)  # let their first housekeeping pass go by
        cpu = workers.cpu_seconds()
        started = time.perf_counter()
        for start in range(0, count, 1000):
            queue.enqueue_many(
                [
                    RqQueue.prepare_data(noop, result_ttl=0, failure_ttl=600)
                    for _ in range(min(1000, count - start))
                ]
            )
        registry = StartedJobRegistry(queue=queue)
        wait_until(lambda: len(queue) == 0 and registry.count == 0, "no-op jobs", poll=0.02)
        seconds = time.perf_counter() - started
        return count / seconds, (workers.cpu_seconds() - cpu) * 1000 / count


def _workers_listening(redis: Redis) -> int:
    from rq import Worker

    return len(Worker.all(connection=redis))


def record_texts(env: dict[str, str], phones: list[str], count: int, tag: str) -> datetime:
    """Record `count` texts as the webhook does (and wake their reader); the time before
    the first, so the phase counts only its own rows."""
    root = install(bootstrap(load_settings(env)))
    try:
        community_id = root.communities.id_for(COMMUNITY_PHONE)
        assert community_id is not None
        since = root.core.now()
        rng = random.Random(f"text-to-reply-{tag}")
        for n in range(count):
            receive(
                InboundText(
                    community_id=community_id,
                    phone=rng.choice(phones),
                    body=realistic_body(rng),
                    provider_sid=f"SM{tag}{n:030d}"[:34],
                )
            )
        return since
    finally:
        root.close()


def read_and_answer(env: dict[str, str], queue_url: str, count: int, since: datetime) -> Phase:
    """Two fresh workers read every text recorded since `since` and send its reply."""
    root = bootstrap(load_settings(env))
    core = root.core
    try:

        def unread() -> int:
            with core.db.transaction() as session:
                return session.scalar(
                    select(func.count())
                    .select_from(InboxText)
                    .where(InboxText.received_at >= since, InboxText.handled_at.is_(None))
                )

        def unsent() -> int:
            with core.db.transaction() as session:
                return session.scalar(
                    select(func.count())
                    .select_from(Message)
                    .where(
                        Message.created_at >= since,
                        Message.direction == Direction.OUTBOUND,
                        Message.status.in_(UNSENT),
                    )
                )

        redis = Redis.from_url(queue_url)
        with Workers(env) as workers:
            wait_until(lambda: _workers_listening(redis) >= PROCESSES, "workers starting", 60)
            cpu, before = workers.cpu_seconds(), cpu_by_part()  # boot excluded
            wait_until(lambda: unread() == 0 and unsent() == 0, "reading and answering", poll=0.5)
            cpu, spent = workers.cpu_seconds() - cpu, cpu_since(before)
        with core.db.transaction() as session:
            first_read = session.scalar(
                select(func.min(InboxText.handled_at)).where(InboxText.received_at >= since)
            )
            last_sent, replies = session.execute(
                select(func.max(Message.sent_at), func.count()).where(
                    Message.created_at >= since,
                    Message.direction == Direction.OUTBOUND,
                    Message.sent_at.is_not(None),
                )
            ).one()
        seconds = (last_sent - first_read).total_seconds()
        others = {name: seconds for name, seconds in spent.items() if name != "workers"}
        return Phase(count, replies, seconds, unread(), unsent(), cpu, others)
    finally:
        root.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.text_to_reply")
    parser.add_argument("--texts", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3, help="each sender measured this often")
    parser.add_argument("--label", default="", help="a note on what code was measured")
    parser.add_argument("--no-write", action="store_true", help="print, do not record")
    args = parser.parse_args()

    by_console: list[Phase] = []
    by_twilio: list[Phase] = []
    baselines: list[tuple[float, float]] = []  # each round's no-op jobs/s and CPU ms a job
    with postgres_database("text_to_reply") as database_url, redis_url() as queue_url:
        phones = seed(database_url)
        with ListingFakeTwilio(keep_alive=True) as stand_in:
            twilio = worker_env(
                database_url,
                queue_url,
                stand_in,
                MIANHUA_ENV="production",
                SECRET_KEY="bench-secret-" + "k" * 32,
                QUIET_HOURS=NO_QUIET_HOURS,
                SEND_STUCK_AFTER_SECONDS="300",  # the production defaults, not the tests'
                HOUSEKEEPING_INTERVAL_SECONDS="15",
                SEND_RETRY_DELAYS="60,300,900",
            )
            console = {**twilio, "SMS_SENDER": "console"}
            for n in range(args.rounds):  # the two senders in turn, so both see the same machine
                # The baseline in every round, beside its texts: the machine's pace drifts.
                baselines.append(baseline(console, queue_url, args.texts))
                since = record_texts(console, phones, args.texts, f"c{n}")
                by_console.append(read_and_answer(console, queue_url, args.texts, since))
                since = record_texts(twilio, phones, args.texts, f"t{n}")
                by_twilio.append(read_and_answer(twilio, queue_url, args.texts, since))
            at_stand_in = stand_in.count(lambda r: r.ok)
    report(args, baselines, by_console, by_twilio, at_stand_in)


def median_phase(phases: list[Phase]) -> Phase:
    """The round whose rate is the median: one machine's rounds differ by a tenth."""
    return sorted(phases, key=lambda phase: phase.per_second)[len(phases) // 2]


def report(
    args: argparse.Namespace,
    baselines: list[tuple[float, float]],
    consoles: list[Phase],
    twilios: list[Phase],
    at_stand_in: int,
) -> None:
    rounds_of = enumerate(zip(consoles, twilios, strict=True))
    of_round = {id(phase): baselines[n][0] for n, pair in rounds_of for phase in pair}

    def row(what: str, phase: Phase) -> str:
        return (
            f"| {what} | {phase.texts} | {phase.replies} | {phase.seconds:.1f} | "
            f"{phase.per_second:.0f} | {phase.per_second / of_round[id(phase)]:.2f}x | "
            f"{phase.cpu_ms:.1f} |"
        )

    def baseline_row(n: int) -> str:
        jobs_per_s, job_cpu_ms = baselines[n]
        return (
            f"| round {n + 1}: baseline, no-op jobs | {args.texts} | | | {jobs_per_s:.0f} | "
            f"1.00x | {job_cpu_ms:.1f} |"
        )

    def split(phase: Phase) -> str:
        parts = [f"the workers {phase.cpu_ms:.1f}"]
        parts += [
            f"{name} {phase.others_ms(name):.1f}" for name in phase.others if phase.others[name]
        ]
        total = phase.cpu_ms + sum(phase.others_ms(name) for name in phase.others)
        return f"{', '.join(parts)}: {total:.1f} ms in all, {2000 / total:.0f} texts/s on 2 cores"

    console, twilio = median_phase(consoles), median_phase(twilios)
    rounds = "\n".join(
        line
        for n, pair in enumerate(zip(consoles, twilios, strict=True))
        for line in (
            baseline_row(n),
            *(
                row(f"round {n + 1}: {what}", phase)
                for what, phase in zip(("console sender", "twilio client"), pair, strict=True)
            ),
        )
    )
    jobs_per_s = statistics.median(rate for rate, _cpu in baselines)
    job_cpu_ms = statistics.median(cpu for _rate, cpu in baselines)
    worst = min(console.per_second, twilio.per_second)
    verdict = "met" if worst >= GOAL_PER_S else "missed"
    label = f" Code measured: {args.label}." if args.label else ""
    unread = sum(p.unread for p in consoles + twilios)
    unsent = sum(p.unsent for p in consoles + twilios)
    markdown = f"""## Text to reply (`python -m bench.text_to_reply`)

{args.texts} texts in the mix of bench/sms_webhook.py from {HOUSEHOLDS} households, recorded as
the webhook records them, then read, ordered or answered by {PROCESSES} `python -m workers`
processes, every reply handed to the sender; from the first text read to the last reply
handed over. PostgreSQL, Redis, the stand-in and the workers share the machine's cores.
{args.rounds} rounds, each of the baseline and the two senders in turn; the first rows are
the baseline's median and each sender's median round (beside its own round's baseline), the
rest every round.{label}

| what | texts | replies | seconds | per second | of the baseline | worker CPU ms per text |
|---|---:|---:|---:|---:|---:|---:|
| baseline: no-op jobs on the inbox queue, {PROCESSES} of our workers (median round) \
| {args.texts} | | | {jobs_per_s:.0f} | 1.00x | {job_cpu_ms:.1f} |
{row("texts to replies, console sender (median round)", console)}
{row("texts to replies, twilio client to the stand-in (median round)", twilio)}
{rounds}

Goal: at least {GOAL_PER_S:.0f} texts a second with both senders: {verdict} (the slower
median, {worst:.0f}/s). The stand-in took {at_stand_in} messages; left unread {unread}, left
unsent {unsent}. Worker CPU per text is the two workers' CPU (with their schedulers) from
the moment both listen to the last reply, over the texts.

Where the machine's CPU went, per text, in the median rounds (milliseconds; `psutil`):
- console sender: {split(console)};
- twilio client to the stand-in: {split(twilio)}.
"""
    print(markdown)
    if not args.no_write:
        write_section("text_to_reply", markdown)


if __name__ == "__main__":
    main()
