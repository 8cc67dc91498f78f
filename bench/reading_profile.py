"""Where one text's time goes in a worker: an in-process profile of reading recorded texts.

Run: `.venv/bin/python -m bench.reading_profile [--texts 3000]` (about two to four minutes).
It starts a throwaway PostgreSQL (bench/harness.py), seeds the community of
bench/sms_webhook.py (2,000 households, six open deals), records `--texts` texts of
its mix (orders in several spellings, guided-dialog numbers, lists, my orders,
cancels, help, thanks, junk: its own generator) in the inbox as the webhook would,
and reads them all in this process as a worker does: `read_waiting_texts` per
phone, oldest first. The outbox relay is off (its enqueue is the dispatch's part,
measured by bench/text_to_reply.py), so what is timed is the reading alone.

Measured per text: the worker's CPU (`time.process_time`; PostgreSQL's own CPU is
its processes'), the wall time, and the SQL statements and transactions (a
SQLAlchemy event counter on the engine). A second batch of texts is read under
cProfile, whose top functions by cumulative and by own time are printed and
written. Baselines in the same run, over the same texts: the pure reader alone
(`sms_gateway.intents.parse` with the six deals by name) and one bare transaction
of one SELECT per text.

The "before" is measured in the same run: the code at BEFORE_REVISION (the
speed-up's starting point; `--before REV` for another, `--before ''` for none) is
`git archive`d to a temporary folder and read by this same script in a
subprocess, so both share the machine's load. Writes the `reading_profile`
section of docs/BENCHMARKS.md, before beside after.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import event, select

from bench.harness import ROOT, postgres_database
from bench.report import write_section
from bench.sms_webhook import realistic_body, seed
from core.community.models import Community
from core.context import Core
from core.conversations.inbox import accept_text
from core.db import Database
from core.deals.models import Deal, DealStatus
from core.results import DealView
from sms_gateway import dialog_plans
from sms_gateway.conversation import read_waiting_texts
from sms_gateway.intents import DialogContext, parse

#: The code before the speed-up (main when this bench was written), measured as "before".
BEFORE_REVISION = "13b2be7cffdad46ee53af284dcd04285be667462"
GOAL_CPU_MS = 5.0
TOP = 15


@dataclass(frozen=True)
class Figures:
    texts: int
    cpu_ms: float  # worker CPU per text
    wall_ms: float
    statements: float  # SQL statements per text
    transactions: float  # transactions begun per text
    parse_ms: float  # baseline: the pure reader alone, CPU per text
    bare_ms: float  # baseline: one transaction of one SELECT, CPU per text
    cumulative: str = ""  # cProfile's top lines, by cumulative time
    own: str = ""  # and by own time
    ours: str = ""  # Mianhua's own functions (core/, sms_gateway/) by cumulative time


class Counter:
    """SQL statements and transactions on one engine, counted by SQLAlchemy's events."""

    def __init__(self, database: Database) -> None:
        self.statements = 0
        self.transactions = 0
        event.listen(database.engine, "before_cursor_execute", self._statement)
        event.listen(database.engine, "begin", self._begin)

    def _statement(self, *_args: object) -> None:
        self.statements += 1

    def _begin(self, *_args: object) -> None:
        self.transactions += 1

    def reset(self) -> None:
        self.statements = self.transactions = 0


def record_texts(
    core: Core, community_id: int, phones: list[str], count: int, tag: str
) -> list[str]:
    """`count` texts of the webhook bench's mix, recorded in the inbox as the webhook does;
    their bodies."""
    rng = random.Random(f"reading-{tag}")
    bodies = []
    for n in range(count):
        body = realistic_body(rng)
        accept_text(
            core,
            community_id=community_id,
            phone=rng.choice(phones),
            body=body,
            provider_sid=f"SMread{tag}{n:026d}"[:34],
        )
        bodies.append(body)
    return bodies


def waiting_phones(core: Core, community_id: int) -> list[str]:
    """The phones with texts waiting, in the order their first one came."""
    from core.conversations.models import InboxText

    with core.db.transaction() as session:
        rows = session.execute(
            select(InboxText.phone, InboxText.message_id)
            .where(InboxText.community_id == community_id, InboxText.handled_at.is_(None))
            .order_by(InboxText.message_id)
        ).all()
    return list(dict.fromkeys(phone for phone, _ in rows))


def read_all(core: Core, community: Community, phones: list[str]) -> int:
    return sum(read_waiting_texts(core, community, phone) for phone in phones)


@contextmanager
def measured() -> Iterator[dict[str, float]]:
    """CPU and wall seconds of the block, garbage collection as in production."""
    out: dict[str, float] = {}
    cpu, wall = time.process_time(), time.perf_counter()
    yield out
    out["cpu"], out["wall"] = time.process_time() - cpu, time.perf_counter() - wall


def per_text_cpu(texts: list[str], call: Callable[[str], object]) -> float:
    """CPU milliseconds per call of `call` over the texts."""
    gc.collect()
    start = time.process_time()
    for text in texts:
        call(text)
    return (time.process_time() - start) * 1000 / len(texts)


def top_lines(profile: cProfile.Profile, sort: str, only: str | None = None) -> str:
    """cProfile's top lines; `only`: a regular expression the functions' paths must match."""
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream).sort_stats(sort)
    stats.print_stats(*([only] if only else []), TOP)
    root = f"{ROOT}/"
    lines = [line.replace(root, "") for line in stream.getvalue().splitlines()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(_short(line.rstrip()) for line in lines[start : start + TOP + 1])


def _short(line: str) -> str:
    """A library's long path cut to its package and file."""
    head, sep, where = line.rpartition(" ")
    if "site-packages/" in where:
        where = where.split("site-packages/", 1)[1]
    return f"{head}{sep}{where}"


def baseline_context(core: Core, community_id: int) -> DialogContext:
    """The six open deals by name, as the reader sees them."""
    with core.db.transaction() as session:
        deals = session.scalars(
            select(Deal)
            .where(Deal.community_id == community_id, Deal.status == DealStatus.OPEN)
            .order_by(Deal.number)
        ).all()
        views = [DealView.of(d) for d in deals]
    return DialogContext(
        open_deal_numbers=frozenset(v.number for v in views),
        deals=tuple(dialog_plans.entry(v, True) for v in views),
    )


def measure(database_url: str, texts: int) -> Figures:
    phones = seed(database_url)
    core = Core(db=Database(database_url))  # no outbox listener: the relay is off
    try:
        with core.db.transaction() as session:
            community = session.scalars(select(Community)).one()
        counter = Counter(core.db)
        bodies = record_texts(core, community.id, phones, texts, "a")
        profiled_count = max(texts // 3, 1)

        # Warm up: the first texts build the reader's indexes and the catalogs.
        warm_phones = waiting_phones(core, community.id)[:50]
        read_all(core, community, warm_phones)
        phones_a = waiting_phones(core, community.id)
        counter.reset()
        gc.collect()
        with measured() as spent:
            read = read_all(core, community, phones_a)
        statements, transactions = counter.statements, counter.transactions

        record_texts(core, community.id, phones, profiled_count, "b")
        phones_b = waiting_phones(core, community.id)
        profile = cProfile.Profile(time.process_time)  # CPU, not wall: what a worker spends
        profile.enable()
        read_all(core, community, phones_b)
        profile.disable()

        context = baseline_context(core, community.id)
        parse_ms = per_text_cpu(bodies, lambda body: parse(body, context))

        def bare(_body: str) -> None:
            with core.db.transaction() as session:
                session.execute(select(Community.id).where(Community.id == community.id))

        bare_ms = per_text_cpu(bodies, bare)
        return Figures(
            texts=read,
            cpu_ms=spent["cpu"] * 1000 / read,
            wall_ms=spent["wall"] * 1000 / read,
            statements=statements / read,
            transactions=transactions / read,
            parse_ms=parse_ms,
            bare_ms=bare_ms,
            cumulative=top_lines(profile, "cumulative"),
            own=top_lines(profile, "tottime"),
            ours=top_lines(profile, "cumulative", only=r"(^|/)(core|sms_gateway)/"),
        )
    finally:
        core.db.dispose()


def figures_table(rows: list[tuple[str, Figures]]) -> str:
    lines = [
        "| code | texts read | worker CPU ms/text | wall ms/text | SQL statements/text "
        "| transactions/text | baseline `parse` ms/text | baseline bare transaction ms/text |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, f in rows:
        lines.append(
            f"| {name} | {f.texts} | {f.cpu_ms:.2f} | {f.wall_ms:.2f} | {f.statements:.1f} "
            f"| {f.transactions:.1f} | {f.parse_ms:.3f} | {f.bare_ms:.3f} |"
        )
    return "\n".join(lines)


def profile_block(title: str, f: Figures) -> str:
    return (
        f"{title}, top {TOP} by cumulative time:\n\n```\n{f.cumulative}\n```\n\n"
        f"{title}, top {TOP} by own time:\n\n```\n{f.own}\n```\n\n"
        f"{title}, Mianhua's own functions (core/, sms_gateway/), top {TOP} by cumulative "
        f"time:\n\n```\n{f.ours}\n```"
    )


def measure_before(revision: str, texts: int) -> Figures:
    """The same measurement over the code at `revision` (`git archive`d to a temporary
    folder and run in a subprocess), so before and after share one run's machine."""
    with tempfile.TemporaryDirectory(prefix="mianhua-before-") as folder:
        archive = subprocess.run(
            ["git", "archive", revision], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        out = Path(folder) / "figures.json"
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--texts", str(texts),
             "--json", str(out)],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": folder},
            check=True,
        )  # fmt: skip
        return Figures(**json.loads(out.read_text("utf-8")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=3000)
    parser.add_argument("--before", default=BEFORE_REVISION,
                        help="the revision measured as 'before' ('' for none)")  # fmt: skip
    parser.add_argument("--json", help="measure this tree only; write the figures here")
    parser.add_argument("--no-write", action="store_true", help="print, do not record")
    args = parser.parse_args()

    if args.json:
        with postgres_database() as database_url:
            figures = measure(database_url, args.texts)
        Path(args.json).write_text(json.dumps(asdict(figures), ensure_ascii=False), "utf-8")
        return
    started = time.monotonic()
    before = measure_before(args.before, args.texts) if args.before else None
    with postgres_database() as database_url:
        now = measure(database_url, args.texts)
    minutes = (time.monotonic() - started) / 60
    write(now, before, args.before, minutes, record=not args.no_write)


def write(
    now: Figures, before: Figures | None, revision: str, minutes: float, *, record: bool
) -> None:
    rows = [("this code", now)]
    if before is not None:
        rows.insert(0, (f"before (`{revision[:10]}`)", before))
    verdict = (
        f"Worker CPU per text: {now.cpu_ms:.2f} ms against a goal of well under "
        f"{GOAL_CPU_MS:.0f} ms ({'met' if now.cpu_ms < GOAL_CPU_MS else 'missed'})"
    )
    if before is not None:
        verdict += (
            f"; {before.cpu_ms / now.cpu_ms:.1f}x less CPU than before ({before.cpu_ms:.2f} ms), "
            f"{before.statements:.1f} → {now.statements:.1f} SQL statements and "
            f"{before.transactions:.1f} → {now.transactions:.1f} transactions per text"
        )
    if before is not None and not 0.77 < before.bare_ms / now.bare_ms < 1.3:
        verdict += (
            f". The machine's load differed between the two halves (the bare transaction "
            f"took {before.bare_ms:.3f} ms before and {now.bare_ms:.3f} ms after), so their "
            "CPU figures do not compare: the statements and transactions per text do"
        )
    profiles = [profile_block("This code", now)]
    if before is not None:
        profiles.insert(0, profile_block("Before", before))
    markdown = f"""## Reading one text in a worker: where its time goes (`bench/reading_profile.py`)

{now.texts} recorded texts of the webhook bench's mix (bench/sms_webhook.py: orders in several
spellings, guided-dialog numbers, lists, my orders, cancels, help, thanks, junk) from 2,000
households, six open deals, PostgreSQL on the same machine, read in one process as a worker
reads them (`read_waiting_texts` per phone; the outbox relay off, so sending is not in it).
Worker CPU is this process's (`time.process_time`), PostgreSQL's is not in it. Statements and
transactions are counted by SQLAlchemy events on the engine (the phone's lock is one of each).
Baselines, same run, same texts: the pure reader alone and one bare transaction of one SELECT.

{figures_table(rows)}

{verdict}.

The profiles: a third as many texts again, read under cProfile timing CPU (which slows
every call, so read its shares, not its seconds).

{chr(10).join(profiles)}

This run took {minutes:.1f} minutes.
"""
    print(markdown)
    if record:
        write_section("reading_profile", markdown)


if __name__ == "__main__":
    main()
