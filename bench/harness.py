"""Helpers for webhook benchmarks: throwaway servers, gunicorn, and a load driver.

    with postgres_database() as db_url, redis_url() as r_url:
        with serve("app:create_app()", {"DATABASE_URL": db_url, ...}, workers=2, threads=8) as base:
            result = drive(base, requests, concurrency=16)
        print(result.per_second, result.percentile(99))

PostgreSQL and Redis are the test suite's own server helpers (tests/plugins/servers.py),
started in temporary directories and removed afterwards. `drive` keeps one HTTP
connection per client thread (as Twilio's edge does) and times each request.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psutil

from core.migrate import upgrade_database
from tests.plugins.servers import (
    PostgresServer,
    RedisServer,
    find_postgres_bindir,
    find_redis_server,
    free_port,
)

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def postgres_database(name: str = "mianhua_bench") -> Iterator[str]:
    """A fresh PostgreSQL cluster with one migrated database; yields its SQLAlchemy URL."""
    workdir = Path(tempfile.mkdtemp(prefix="mianhua-bench-pg-"))
    server = PostgresServer(find_postgres_bindir(), workdir)
    try:
        server.start()
        server.create_database(name)
        upgrade_database(server.url(name))
        yield server.url(name)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def redis_url() -> Iterator[str]:
    """A throwaway Redis; yields its URL."""
    workdir = Path(tempfile.mkdtemp(prefix="mianhua-bench-redis-"))
    server = RedisServer(find_redis_server(), workdir)
    try:
        server.start()
        yield server.url(0)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def gunicorn_command(
    app_spec: str, port: int, workers: int, threads: int, worker_class: str = "gthread"
) -> list[str]:
    """The one gunicorn command line both an app and its baseline are served with."""
    return [
        sys.executable, "-m", "gunicorn",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", worker_class,
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--keep-alive", "30",
        app_spec,
    ]  # fmt: skip


@contextmanager
def serve(
    app_spec: str, env: dict[str, str], workers: int, threads: int, worker_class: str = "gthread"
) -> Iterator[str]:
    """Serve `app_spec` (e.g. "app:create_app()") with gunicorn; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        gunicorn_command(app_spec, port, workers, threads, worker_class),
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn {app_spec} exited {process.returncode}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {app_spec} did not start in 30 s") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@dataclass(frozen=True)
class Request:
    """One POST, ready to send: path (with query), form fields, headers."""

    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass(frozen=True)
class Result:
    latencies_ms: list[float]
    seconds: float
    statuses: dict[int, int]

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def drive(base_url: str, requests: Sequence[Request], concurrency: int) -> Result:
    """Send every request, `concurrency` at a time (a closed loop), timing each."""
    parts = urlsplit(base_url)
    bodies = [(r.path, urlencode(r.params).encode(), r.headers) for r in requests]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    next_index = iter(range(len(bodies)))

    def client() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        codes: dict[int, int] = {}
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                break
            path, body, headers = bodies[index]
            started = time.perf_counter()
            connection.request(
                "POST",
                path,
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
            )
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            codes[response.status] = codes.get(response.status, 0) + 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.close()
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(latencies, time.perf_counter() - started, statuses)


#: How `cpu_by_part` names what shares the cores, by process (first match wins).
PARTS = (
    ("this bench (its load driver or stand-in)", lambda p: p.pid == os.getpid()),
    ("PostgreSQL", lambda p: (p.info["name"] or "").startswith("postgres")),
    ("Redis", lambda p: "redis-server" in " ".join(p.info["cmdline"] or ())),
    ("gunicorn", lambda p: "gunicorn" in " ".join(p.info["cmdline"] or ())),
    ("workers", lambda p: " -m workers" in " ".join(p.info["cmdline"] or ())),
)


def cpu_by_part() -> dict[str, float]:
    """CPU seconds (user and system) every part on the machine has used so far: read it
    before and after a phase to see where the cores went."""
    spent = dict.fromkeys((name for name, _ in PARTS), 0.0)
    for process in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        times = process.info["cpu_times"]
        if times is None:
            continue
        for name, matches in PARTS:
            if matches(process):
                spent[name] += times.user + times.system
                break
    return spent


def cpu_since(before: dict[str, float]) -> dict[str, float]:
    now = cpu_by_part()
    return {name: now[name] - before.get(name, 0.0) for name in now}
