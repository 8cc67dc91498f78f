"""Scale-out on loopback: 2 web processes, 3 workers, one PostgreSQL, one Redis.

    .venv/bin/python -m bench.scale_out [--residents 10000] [--texts 2000] [--rate 50]

About 5 minutes with the defaults on an idle machine (12,000 segments at 50 a second,
then the recovery of what the killed worker held); 10 to 16 minutes on this shared one,
where the workers were short of CPU. Starts its own PostgreSQL and Redis (bench/harness.py)
and the Twilio stand-in, two gunicorn masters serving the app factory as the README runs
it (`app:create_app()`, each on its own port: the nearest thing to two hosts), and three
`python -m workers` processes, all sending through the real twilio client to the stand-in
(`TWILIO_API_BASE`). Then a bulk reminder to every resident (core's `send_bulk_reminder`,
as the staff page calls it) while signed texts arrive at both web processes, one text per
resident who texts, at a steady pace below the carrier's; one worker is SIGKILLed once a
third of the reminders went. Counted at the stand-in against the database:

- every outbound message accepted exactly once (by the message id in its
  StatusCallback), every text answered;
- the sending number's pace (SEND_RATE_PER_SECOND, shared by the workers through Redis,
  workers/rate.py), per second of the stand-in's clock, in segments;
- each reply's time from its text's POST to the stand-in;
- how long the killed worker's messages took to come back.

The scenario is also the non-timed test tests/e2e/workers/test_scale_out.py, at a small size.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psutil
from sqlalchemy import func, select

from bootstrap import bootstrap
from core.context import FrozenClock
from core.messages.models import Direction, Message
from core.reminders.services import send_bulk_reminder
from core.settings import load_settings
from tests.builders import World
from tests.conftest import PUBLIC_BASE_URL
from tests.integration.workers.conftest import NO_QUIET_HOURS, add_buyers, worker_env
from tests.support.fake_twilio import FakeRequest, count_segments
from tests.support.stand_in import AUTH_TOKEN, ListingFakeTwilio
from tests.support.twilio_signing import twilio_signature
from workers.rate import CATCH_UP_S

REPO = Path(__file__).resolve().parent.parent
PYTHON = REPO / ".venv" / "bin" / "python"
#: What residents text during the broadcast: each answered with one reply.
QUESTIONS = ("我订了什么", "什么时候取", "在哪取", "梨多少钱", "成团了吗")
REMINDER = "明早9点在社区服务站取梨，请带好购物袋。"
REPLY_GOAL_S = 5.0
RATE_TOLERANCE = 0.10


@dataclass(frozen=True)
class Size:
    residents: int
    texts: int
    rate: float  # SEND_RATE_PER_SECOND
    text_rate: float  # texts a second arriving, over both web processes
    kill_after: float  # share of the reminders sent before one worker is SIGKILLed
    stuck_after_s: float  # SEND_STUCK_AFTER_SECONDS: how soon the sweep takes back
    timeout_s: float  # the whole run must end within this


@dataclass
class Outcome:
    """What the stand-in and the database say once everything went."""

    size: Size
    outbound_rows: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    accepted: Counter[int] = field(default_factory=Counter)  # message id -> acceptances
    expected_ids: set[int] = field(default_factory=set)
    unanswered: list[str] = field(default_factory=list)
    reply_latencies: list[float] = field(default_factory=list)
    per_second: list[int] = field(default_factory=list)  # segments, steady seconds
    killed_at_sent: int = 0
    killed_pid: int = 0
    killed_second: int = 0  # of the pace's seconds (per_second[killed_second - 1])
    held: set[int] = field(default_factory=set)  # message ids the killed worker's job carried
    held_job: str = ""
    recovered_s: float = 0.0  # from the kill to the last message accepted
    held_after_s: list[float] = field(default_factory=list)  # when each held one went, kill = 0
    send_span_s: float = 0.0
    peak_worker_rss_mb: float = 0.0
    worker_cpu_s: float = 0.0  # CPU time the three workers used, the killed one until its kill
    worker_wait_s: float = 0.0  # ready to run, no core free (the kernel's run-queue wait)
    web_cpu_s: float = 0.0
    load_average: list[float] = field(default_factory=list)  # the machine's, sampled
    run_s: float = 0.0  # from the first text to the end of sending
    webhook_statuses: Counter[int] = field(default_factory=Counter)

    @property
    def twice(self) -> dict[int, int]:
        return {mid: n for mid, n in self.accepted.items() if n > 1}

    @property
    def lost(self) -> set[int]:
        return self.expected_ids - set(self.accepted)

    @property
    def strangers(self) -> set[int]:
        """Accepted at the stand-in but no outbound row of ours: must stay empty."""
        return set(self.accepted) - self.expected_ids

    def percentile(self, p: float) -> float:
        ordered = sorted(self.reply_latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def seconds_within(self, tolerance: float = RATE_TOLERANCE) -> int:
        rate = self.size.rate
        return sum(abs(n - rate) <= tolerance * rate for n in self.per_second)


class Processes:
    """The web and worker processes of the run, each in its own process group."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.logs = logs
        self.webs: list[tuple[subprocess.Popen[bytes], str]] = []
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_web(self, port: int) -> str:
        log = (self.logs / f"web-{port}.log").open("wb")
        process = subprocess.Popen(
            [
                str(PYTHON), "-m", "gunicorn", "--workers", "1", "--threads", "8",
                "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}",
                "--log-level", "warning", "--keep-alive", "30", "app:create_app()",
            ],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        self.webs.append((process, base))
        return base

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.workers)}.log").open("wb")
        process = subprocess.Popen(
            [str(PYTHON), "-m", "workers", "--log-level", "WARNING"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.workers.append(process)
        return process

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for process, base in self.webs:
            while not _healthy(base):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the web process at {base} did not come up:\n{self.output()}"
                    )
                time.sleep(0.2)
        time.sleep(2)  # the workers import and register on their queues meanwhile
        for worker in self.workers:
            if worker.poll() is not None:
                raise RuntimeError(f"a worker exited at start:\n{self.output()}")

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker process alone, mid-job: nothing cleaned up, nothing released."""
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

    def cpu_seconds(self, processes: list[subprocess.Popen[bytes]]) -> float:
        """User and system time of these processes and their children, while they live."""
        total = 0.0
        for worker in processes:
            with contextlib.suppress(psutil.Error):
                process = psutil.Process(worker.pid)
                for p in [process, *process.children(recursive=True)]:
                    times = p.cpu_times()
                    total += times.user + times.system
        return total

    def waiting_seconds(self, processes: list[subprocess.Popen[bytes]]) -> float:
        """How long these processes' threads were ready to run but had no core (the
        kernel's run-queue wait, /proc/PID/task/*/schedstat): the measure of starvation."""
        total = 0
        for worker in processes:
            for stat in Path(f"/proc/{worker.pid}/task").glob("*/schedstat"):
                with contextlib.suppress(OSError, ValueError, IndexError):
                    total += int(stat.read_text().split()[1])
        return total / 1e9

    def worker_rss_mb(self) -> float:
        total = 0.0
        for worker in self.workers:
            with contextlib.suppress(psutil.Error):
                process = psutil.Process(worker.pid)
                rss = process.memory_info().rss + sum(
                    c.memory_info().rss for c in process.children(recursive=True)
                )
                total = max(total, rss / 2**20)
        return total

    def stop(self) -> None:
        for process in [p for p, _ in self.webs] + self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in [p for p, _ in self.webs] + self.workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def output(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.logs.glob("*.log"))
        )


def _healthy(base: str) -> bool:
    parts = urlsplit(base)
    try:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


@contextlib.contextmanager
def scale_out(
    size: Size, database_url: str, redis_url: str, stand_in: ListingFakeTwilio, logs: Path
) -> Iterator[tuple[Processes, dict[str, str]]]:
    """The processes of the run, started and stopped; yields them and their settings."""
    from tests.plugins.servers import free_port

    env = worker_env(
        database_url,
        redis_url,
        stand_in,
        QUIET_HOURS=NO_QUIET_HOURS,
        SEND_RATE_PER_SECOND=f"{size.rate:g}",
        SEND_STUCK_AFTER_SECONDS=f"{size.stuck_after_s:g}",
        HOUSEKEEPING_INTERVAL_SECONDS="2",
        SEND_RETRY_DELAYS="1,2,4",
        SPOOL_DIR=str(logs / "spool"),
    )
    processes = Processes(env, logs)
    try:
        for _ in range(2):
            processes.start_web(free_port())
        for _ in range(3):
            processes.start_worker()
        processes.wait_ready()
        yield processes, env
    finally:
        processes.stop()


def _pace_said(rate: float, o: Outcome) -> str:
    """What the seconds' counts say of the shared limit."""
    most = max(o.per_second, default=0)
    if most > rate * (1 + RATE_TOLERANCE):
        return (
            f"Some second went over the pace by more than 10% (max {most}): the limit did not hold."
        )
    return (
        f"No second went over the pace by more than 10% (max {most}; a slot missed by up to "
        f"{CATCH_UP_S * 1000:.0f} ms is still sent, so a second may carry a few more than "
        f"{rate:g}): the shared limit holds across the workers."
    )


def _below_pace_said(rate: float, o: Outcome) -> str:
    """What kept the seconds below the pace there were, if any."""
    if not any(n < rate * (1 - RATE_TOLERANCE) for n in o.per_second):
        return ""
    if o.worker_wait_s > 0.5 * o.worker_cpu_s:
        return (
            f" The workers waited {o.worker_wait_s:.0f} s for a core against "
            f"{o.worker_cpu_s:.0f} s on one: they were short of CPU, and the pace and the "
            "replies fell behind together; the seconds below the pace are the machine's, not "
            "the limit's."
        )
    return (
        " The workers were seldom kept from a core: the seconds below the pace were "
        "spent waiting on something else (the database, the stand-in, the limiter)."
    )


def run_scenario(
    size: Size, database_url: str, redis_url: str, stand_in: ListingFakeTwilio, logs: Path
) -> Outcome:
    """Seed, start, broadcast while texts arrive, kill a worker, wait, count."""
    outcome = Outcome(size)
    settings = load_settings(  # the pace as the web processes know it: it sizes the batches
        worker_env(
            database_url, redis_url, stand_in, QUIET_HOURS=NO_QUIET_HOURS,
            SEND_RATE_PER_SECOND=f"{size.rate:g}",
        )
    )  # fmt: skip
    root = bootstrap(settings)  # the staff side: its commits are relayed onto Redis
    try:
        world = World(root.core, FrozenClock(datetime.now(UTC)))
        deal = world.deal(min_units=1)
        phones = add_buyers(root.core, world, deal, size.residents)
        community_phone = "+8631188886666"  # World's community
        texters = phones[: size.texts]
        with scale_out(size, database_url, redis_url, stand_in, logs) as (processes, _env):
            started = time.monotonic()
            texts = TextSender([base for _, base in processes.webs], community_phone)
            texts.start(texters, size.text_rate)
            send_bulk_reminder(
                root.core,
                community_id=world.community_id,
                number=deal.number,
                by="bench",
                text=REMINDER,
            )
            victim = processes.workers[0]  # the first up: the likeliest scheduler holder
            kill_at = round(size.kill_after * size.residents)
            reminders_sent = lambda: stand_in.count(lambda r: r.ok and r.body == REMINDER)  # noqa: E731
            while reminders_sent() < kill_at:
                _check_time(started, size, "the reminders to reach the kill point", processes)
                outcome.peak_worker_rss_mb = max(
                    outcome.peak_worker_rss_mb, processes.worker_rss_mb()
                )
                outcome.load_average.append(os.getloadavg()[0])
                time.sleep(0.2)
            outcome.killed_at_sent = reminders_sent()
            outcome.killed_pid = victim.pid
            killed_cpu = processes.cpu_seconds([victim])
            killed_wait = processes.waiting_seconds([victim])
            killed = time.monotonic()
            processes.kill(victim)
            outcome.held_job, outcome.held = held_by(redis_url, victim.pid)
            texts.join()
            outcome.webhook_statuses = texts.statuses
            while not _all_went(root.core, stand_in):
                _check_time(started, size, "every message to be sent", processes)
                outcome.peak_worker_rss_mb = max(
                    outcome.peak_worker_rss_mb, processes.worker_rss_mb()
                )
                outcome.load_average.append(os.getloadavg()[0])
                time.sleep(0.5)
            outcome.run_s = time.monotonic() - started
            outcome.worker_cpu_s = killed_cpu + processes.cpu_seconds(processes.workers[1:])
            outcome.worker_wait_s = killed_wait + processes.waiting_seconds(processes.workers[1:])
            outcome.web_cpu_s = processes.cpu_seconds([p for p, _ in processes.webs])
            time.sleep(2 * float(size.stuck_after_s))  # more sweeps: nothing may go twice
            _count(outcome, root.core, stand_in, texts, killed)
            _write_acceptances(logs / "accepted.tsv", stand_in, killed)
    finally:
        root.close()
    return outcome


def held_by(redis_url: str, pid: int) -> tuple[str, set[int]]:
    """The job a (dead) worker was running and the message ids it carried: what only the
    sweep can bring back. RQ keeps a dead worker's record until its heartbeat expires."""
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(redis_url)
    try:
        for worker in Worker.all(connection=connection):
            if worker.pid != pid:
                continue
            job = worker.get_current_job()
            if job is None:
                return "", set()
            ids = job.args[0] if job.args else []
            carried = {int(i) for i in (ids if isinstance(ids, list) else [ids])}
            if job.func_name.endswith("read_texts"):
                carried = set()  # a read job carries texts, not messages
            return f"{job.func_name}({len(carried)} messages)", carried
        return "", set()
    finally:
        connection.close()


def _check_time(started: float, size: Size, what: str, processes: Processes) -> None:
    if time.monotonic() - started > size.timeout_s:
        raise RuntimeError(f"timed out after {size.timeout_s:.0f} s waiting for {what}:\n"
                           f"{processes.output()}")  # fmt: skip


def _outbound(core) -> tuple[int, Counter[str]]:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        rows = session.execute(
            select(Message.status, func.count())
            .where(Message.direction == Direction.OUTBOUND)
            .group_by(Message.status)
        ).all()
    statuses = Counter({status: n for status, n in rows})
    return sum(statuses.values()), statuses


def _all_went(core, stand_in: ListingFakeTwilio) -> bool:  # type: ignore[no-untyped-def]
    total, statuses = _outbound(core)
    done = statuses["sent"] + statuses["delivered"]
    return total > 0 and done == total and stand_in.count(lambda r: r.ok) >= total


def _message_id(form: dict[str, str]) -> int:
    """Our message id, from the StatusCallback URL the sender gives every message."""
    return int(form["StatusCallback"].rsplit("=", 1)[1])


def _count(  # type: ignore[no-untyped-def]
    outcome: Outcome, core, stand_in: ListingFakeTwilio, texts: TextSender, killed: float
) -> None:
    outcome.outbound_rows, outcome.statuses = _outbound(core)
    with core.db.transaction() as session:
        outcome.expected_ids = set(
            session.scalars(select(Message.id).where(Message.direction == Direction.OUTBOUND))
        )
    accepted = [r for r in stand_in.requests if r.kind == "message" and r.ok]
    outcome.accepted = Counter(_message_id(r.form) for r in accepted)
    first_reply: dict[str, float] = {}
    for r in accepted:
        if r.body != REMINDER and r.to and r.to not in first_reply:
            first_reply[r.to] = r.monotonic
    for phone, posted in texts.posted.items():
        if phone in first_reply and first_reply[phone] >= posted:
            outcome.reply_latencies.append(first_reply[phone] - posted)
        else:
            outcome.unanswered.append(phone)
    outcome.send_span_s, outcome.per_second = pace_per_second(accepted, outcome.held, killed)
    first_reminder = min(r.monotonic for r in accepted if r.body == REMINDER)
    outcome.killed_second = int(killed - first_reminder)
    outcome.recovered_s = accepted[-1].monotonic - killed
    outcome.held_after_s = [
        r.monotonic - killed for r in accepted if _message_id(r.form) in outcome.held
    ]


def _write_acceptances(path: Path, stand_in: ListingFakeTwilio, killed: float) -> None:
    """Every message the stand-in accepted, to look at a second closely: seconds from the
    kill on the stand-in's clock, our message id, segments, reminder or reply."""
    rows = [
        f"{r.monotonic - killed:.4f}\t{_message_id(r.form)}\t{count_segments(r.body or '')}\t"
        f"{'reminder' if r.body == REMINDER else 'reply'}"
        for r in stand_in.requests
        if r.kind == "message" and r.ok
    ]
    path.write_text("from_kill_s\tmessage_id\tsegments\tkind\n" + "\n".join(rows) + "\n")


def pace_per_second(
    accepted: list[FakeRequest], held: set[int], killed: float
) -> tuple[float, list[int]]:
    """Segments per whole second of the stand-in's clock while reminders were waiting (the
    first and last seconds are partial and left out), and that span's length.

    The span ends at the last reminder the sweep did not bring back: what a dead worker
    held waits for the sweep, and the rest have all gone by then, so the seconds in
    between have nothing to send. Within it every accepted message counts, the killed
    worker's own included: they went out under the same limit. (Until the seventh round
    the killed job's messages sent before the kill were left out too, and its second
    read as a dip of its share: 38-44 of 50.) `held`: the ids the killed worker's job
    carried; `killed`: when, on the stand-in's monotonic clock."""
    brought_back = {
        _message_id(r.form)
        for r in accepted
        if _message_id(r.form) in held and r.monotonic >= killed
    }
    reminders = [
        r for r in accepted if r.body == REMINDER and _message_id(r.form) not in brought_back
    ]
    start, end = reminders[0].monotonic, reminders[-1].monotonic
    buckets: defaultdict[int, int] = defaultdict(int)
    for r in accepted:
        if start <= r.monotonic < end:
            buckets[int(r.monotonic - start)] += count_segments(r.body or "")
    return end - start, [buckets[s] for s in range(1, int(end - start))]


class TextSender:
    """Residents texting the committee during the broadcast: signed POSTs to
    /sms/inbound, alternately at each web process, at a steady pace."""

    def __init__(self, bases: list[str], community_phone: str) -> None:
        self.bases = bases
        self.community_phone = community_phone
        self.posted: dict[str, float] = {}
        self.statuses: Counter[int] = Counter()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self, phones: list[str], per_second: float) -> None:
        shares = [phones[i :: len(self.bases)] for i in range(len(self.bases))]
        interval = len(self.bases) / per_second
        for index, (base, share) in enumerate(zip(self.bases, shares, strict=True)):
            thread = threading.Thread(
                target=self._send, args=(base, share, interval, index), daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join()

    def _send(self, base: str, phones: list[str], interval: float, index: int) -> None:
        parts = urlsplit(base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        next_at = time.monotonic()
        for n, phone in enumerate(phones):
            next_at += interval
            params = {
                "From": phone,
                "To": self.community_phone,
                "Body": QUESTIONS[n % len(QUESTIONS)],
                "MessageSid": f"SM{index:02d}{n:030d}",
                "AccountSid": "AC" + "5" * 32,
                "NumMedia": "0",
            }
            body = urlencode(params).encode()
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": twilio_signature(
                    PUBLIC_BASE_URL + "/sms/inbound", params, AUTH_TOKEN
                ),
            }
            with self._lock:
                self.posted[phone] = time.monotonic()
            try:
                connection.request("POST", "/sms/inbound", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                status = 0
            with self._lock:
                self.statuses[status] += 1
            time.sleep(max(0.0, next_at - time.monotonic()))
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_out")
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--texts", type=int, default=2_000)
    parser.add_argument("--rate", type=float, default=50.0, help="SEND_RATE_PER_SECOND")
    parser.add_argument("--text-rate", type=float, default=20.0, help="texts a second arriving")
    parser.add_argument(
        "--stuck-after",
        type=float,
        default=20.0,
        help="SEND_STUCK_AFTER_SECONDS (300 in production)",
    )
    args = parser.parse_args()
    size = Size(
        residents=args.residents,
        texts=args.texts,
        rate=args.rate,
        text_rate=args.text_rate,
        kill_after=1 / 3,
        stuck_after_s=args.stuck_after,
        timeout_s=1800,
    )
    from bench.harness import postgres_database, redis_url

    logs = Path(tempfile.mkdtemp(prefix="mianhua-bench-scale-"))
    started = time.monotonic()
    with (
        postgres_database("scale_out") as db_url,
        redis_url() as r_url,
        ListingFakeTwilio() as stand_in,
    ):
        outcome = run_scenario(size, db_url, r_url, stand_in, logs)
    report(outcome, time.monotonic() - started, logs)


def _around(per_second: list[int], second: int) -> str:
    """The seconds before, of and after the kill, as counted (second n is per_second[n-1])."""
    shown = [
        f"{per_second[n - 1]}" + (" in it" if n == second else "")
        for n in range(second - 1, second + 2)
        if 0 < n <= len(per_second)
    ]
    return "segments a second before, in and after it: " + ", ".join(shown) if shown else "n/a"


def _span(seconds: list[float]) -> str:
    """The held messages by when they were accepted: before the kill (the dead job had sent
    them) and after it (what the sweep brought back)."""
    if not seconds:
        return "none"
    before = sum(1 for s in seconds if s < 0)
    after = sorted(s for s in seconds if s >= 0)
    came_back = f", {after[0]:.1f} to {after[-1]:.1f} s after it" if after else ""
    return f"{len(seconds)} messages: {before} before the kill, {len(after)} after it{came_back}"


def report(o: Outcome, took_s: float, logs: Path) -> None:
    from bench.report import write_section

    s = o.size
    seconds = len(o.per_second)
    within = o.seconds_within()
    mean = sum(o.per_second) / seconds if seconds else 0.0
    rate_met = seconds > 0 and within == seconds
    p99, worst = o.percentile(99), max(o.reply_latencies, default=0.0)
    no_loss = not o.lost and not o.twice and not o.strangers and not o.unanswered
    sent = max(sum(o.accepted.values()), 1)
    load = sum(o.load_average) / len(o.load_average) if o.load_average else 0.0
    # What the workers would need of the cores to keep the pace, from their own CPU time.
    needed = o.worker_cpu_s / sent * s.rate
    got = o.worker_cpu_s / o.run_s if o.run_s else 0.0
    lines = [
        f"## Scale-out on loopback (`bench/scale_out.py`, {s.residents:,} residents, "
        f"{s.texts:,} texts)",
        "",
        "Two gunicorn masters (`app:create_app()`, 1 gthread worker x 8 threads each, on two "
        "ports), three `python -m workers`, one PostgreSQL, one Redis and the Twilio stand-in "
        "(the real twilio client through `TWILIO_API_BASE`), all on this machine's 2 cores. "
        f"A bulk reminder to {s.residents:,} residents (`send_bulk_reminder`) while "
        f"{s.texts:,} signed texts arrive, {s.text_rate:g} a second over both web processes "
        "(one per resident; they ask 我订了什么, 什么时候取, ...); "
        f"`SEND_RATE_PER_SECOND={s.rate:g}` for the community's one number; "
        f"`SEND_STUCK_AFTER_SECONDS={s.stuck_after_s:g}` "
        "(300 in production: how soon the sweep takes back what a dead worker held). Worker 1 "
        f"(pid {o.killed_pid}) was SIGKILLed after {o.killed_at_sent:,} reminders had gone, "
        f"in second {o.killed_second} of the pace ({_around(o.per_second, o.killed_second)}).",
        "",
        "| what | measured | goal |",
        "|---|---|---|",
        f"| outbound messages in the database / accepted at the stand-in | {o.outbound_rows:,} / "
        f"{sum(o.accepted.values()):,} ({len(o.accepted):,} distinct) | equal |",
        f"| sent twice / never sent / unknown to the database | {len(o.twice)} / {len(o.lost)} / "
        f"{len(o.strangers)} | 0 / 0 / 0 |",
        f"| texts answered | {len(o.reply_latencies):,} of {s.texts:,} "
        f"(webhook answers: {dict(sorted(o.webhook_statuses.items()))}) | all |",
        f"| reply at the stand-in after its text's POST, p50 / p99 / max | "
        f"{o.percentile(50):.2f} / {p99:.2f} / {worst:.2f} s | p99 and max under "
        f"{REPLY_GOAL_S:g} s |",
        f"| segments per second at the stand-in while the reminder went ({seconds} whole "
        f"seconds) | mean {mean:.1f}, min {min(o.per_second, default=0)}, max "
        f"{max(o.per_second, default=0)}; {within} of {seconds} seconds within ±10% | "
        f"{s.rate:g} ±10% every second |",
        f"| what the killed worker's job carried: {o.held_job or 'no job'}; when accepted | "
        f"{_span(o.held_after_s)} (the sweep takes back after `SEND_STUCK_AFTER_SECONDS`) | |",
        f"| from the kill to the last message accepted | {o.recovered_s:.0f} s | |",
        f"| peak worker memory (resident set, with any children) | {o.peak_worker_rss_mb:.0f} MB "
        "| at most 150 MB (goal 3 is under bench/fanout.py; these workers also read texts) |",
        f"| CPU the 3 workers used / the 2 web processes used, over the {o.run_s:.0f} s of sending "
        f"| {o.worker_cpu_s:.0f} s ({1000 * o.worker_cpu_s / sent:.1f} ms a message) / "
        f"{o.web_cpu_s:.0f} s ({1000 * o.web_cpu_s / max(s.texts, 1):.1f} ms a text) | |",
        f"| time the workers were ready to run but had no core (run-queue wait, all threads) "
        f"| {o.worker_wait_s:.0f} s, against {o.worker_cpu_s:.0f} s on a core | |",
        f"| the machine's load average (1 min) during the run, mean / max | {load:.1f} / "
        f"{max(o.load_average, default=0):.1f} on {os.cpu_count()} cores | |",
        "",
        f"No loss, no duplicate: {'met' if no_loss else 'missed'}. "
        f"Pace: {'met' if rate_met else 'missed'}. "
        f"Replies within {REPLY_GOAL_S:g} s: "
        f"{'met' if worst < REPLY_GOAL_S else 'missed'}. Statuses at the end: "
        f"{dict(sorted(o.statuses.items()))}. The whole run took {took_s:.0f} s.",
        "",
        f"What the figures say: keeping {s.rate:g} messages a second takes the workers "
        f"{needed:.2f} of a core by their own CPU time per message; they got {got:.2f} of a "
        f"core on average (the machine's load average was {load:.1f} on {os.cpu_count()} "
        f"cores). " + _pace_said(s.rate, o) + _below_pace_said(s.rate, o),
    ]
    markdown = "\n".join(lines)
    print(markdown)
    print(f"(logs: {logs}; segments per second: {o.per_second})")
    write_section("scale_out", markdown)


if __name__ == "__main__":
    main()
