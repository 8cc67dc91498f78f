"""Real Redis and PostgreSQL servers for the test session, on free loopback ports.

Load with ``pytest_plugins = ["tests.plugins.servers"]``. Fixtures:

- ``redis_server`` (session): a ``RedisServer`` with ``host``, ``port``, ``url(db)``,
  ``stop()`` and ``start()``; a restart keeps the port, so fault tests can pull Redis away.
- ``redis_url`` (function): a URL to the session Redis, started if a test left it stopped,
  after FLUSHALL, so every test begins empty.
- ``postgres_server`` (session): a ``PostgresServer`` with ``url(dbname)``,
  ``create_database(name)`` and ``drop_database(name)``; ``stop()`` and ``start_again()``
  take it away and bring it back on the same port, for database-outage tests.

A missing binary fails the tests with what to install: a skipped database test would
let a broken machine look green.

Why not pytest-redis and pytest-postgresql: their process fixtures run ``initdb`` as the
current user, which PostgreSQL refuses as root (how CI runs here), and they cannot stop
and restart Redis on the same port mid-test, which the fault tests need.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 30.0
INSTALL_HINT = "run ./scripts/test, which installs it, or: apt-get install {package}"


def free_port() -> int:
    """Ask the kernel for a free loopback port (racy, so callers retry on a clash)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 40) -> str:
    """The end of a server log, for a failure message that explains itself."""
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no log at {path}: {exc})"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


# --- Redis -------------------------------------------------------------------


def find_redis_server() -> str:
    """Locate redis-server, failing (never skipping) with an install hint."""
    found = shutil.which("redis-server")
    if found:
        return found
    for candidate in ("/usr/bin/redis-server", "/usr/sbin/redis-server"):
        if os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "redis-server not found on PATH or in /usr/bin: "
        + INSTALL_HINT.format(package="redis-server"),
        pytrace=False,
    )


def redis_answers_ping(host: str, port: int) -> bool:
    """True when a Redis server at host:port answers PING (raw RESP: no client pool)."""
    try:
        with socket.create_connection((host, port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One redis-server process that can be stopped and restarted on the same port."""

    def __init__(self, executable: str, workdir: Path) -> None:
        self.executable = executable
        self.workdir = workdir
        self.host = LOOPBACK
        self.port = 0
        self.log_path = workdir / "redis.log"
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        """A redis:// URL for database ``db`` of this server."""
        return f"redis://{self.host}:{self.port}/{db}"

    @property
    def running(self) -> bool:
        """Whether our redis-server process is alive (not whether it answers yet)."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start on ``self.port`` (a free one the first time); no-op if already running."""
        if self.running:
            return
        if self.port:
            self._spawn_and_wait()
            return
        for attempt in range(3):  # a free port can be taken between probe and bind
            self.port = free_port()
            try:
                self._spawn_and_wait()
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def stop(self) -> None:
        """Stop the server; the port is kept so ``start()`` comes back at the same URL."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def _spawn_and_wait(self) -> None:
        """Spawn redis-server and wait for PING, raising with its log if it never answers."""
        command = [
            self.executable,
            "--bind", self.host,
            "--port", str(self.port),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", str(self.workdir),
            "--logfile", "",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if redis_answers_ping(self.host, self.port):
                return
            if self._process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(
            f"redis-server did not answer PING on {self.host}:{self.port} within "
            f"{START_TIMEOUT_S:.0f}s.\nCommand: {shlex.join(command)}\n"
            f"Log ({self.log_path}):\n{tail(self.log_path)}"
        )


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real Redis for the whole session, so tests exercise the real protocol."""
    executable = find_redis_server()
    workdir = Path(tempfile.mkdtemp(prefix="mianhua-redis-"))
    server = RedisServer(executable, workdir)
    try:
        try:
            server.start()
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session Redis, emptied, so no test sees another's keys or queued jobs."""
    if not redis_server.running:  # a fault test may have stopped it and then failed
        try:
            redis_server.start()
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)
    with socket.create_connection((redis_server.host, redis_server.port), timeout=5) as sock:
        sock.sendall(b"FLUSHALL\r\n")
        reply = sock.recv(64)
    assert reply.startswith(b"+OK"), f"FLUSHALL answered {reply!r}"
    return redis_server.url(0)


# --- PostgreSQL --------------------------------------------------------------


def _version_key(path: str) -> tuple[int, ...]:
    """Sort /usr/lib/postgresql/<version>/bin paths by version, numerically."""
    return tuple(int(part) for part in re.findall(r"\d+", path))


def find_postgres_bindir() -> Path:
    """Locate the directory holding initdb and pg_ctl (Debian keeps them off PATH)."""
    on_path = shutil.which("pg_ctl")
    if on_path and os.access(Path(on_path).with_name("initdb"), os.X_OK):
        return Path(on_path).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version_key)
    for pg_ctl in reversed(candidates):
        if os.access(Path(pg_ctl).with_name("initdb"), os.X_OK):
            return Path(pg_ctl).parent
    pytest.fail(
        "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
        "/usr/lib/postgresql/*/bin: " + INSTALL_HINT.format(package="postgresql"),
        pytrace=False,
    )


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temp directory, owned by the test session."""

    SERVER_OPTIONS = (
        "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=300"  # a race test opens 200 threads
    )

    def __init__(self, bindir: Path, workdir: Path) -> None:
        self.bindir = bindir
        self.workdir = workdir
        self.datadir = workdir / "data"
        self.socketdir = workdir / "sock"
        self.log_path = workdir / "postgres.log"
        self.host = LOOPBACK
        self.port = 0
        self.user = "postgres"
        # initdb refuses to run as root, so as root we run the server as `postgres`.
        self._run_as = "postgres" if os.geteuid() == 0 else None

    def url(self, dbname: str = "postgres") -> str:
        """An SQLAlchemy URL (psycopg 3 driver) for ``dbname`` on this server."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def conninfo(self, dbname: str = "postgres") -> str:
        """A libpq connection string for plain psycopg."""
        return f"host={self.host} port={self.port} user={self.user} dbname={dbname}"

    def create_database(self, name: str, template: str = "template0") -> None:
        """Create a database (UTF8): empty, or a copy of an already migrated template."""
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} ENCODING 'UTF8'").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )

    def drop_database(self, name: str) -> None:
        """Drop a database even if a leaked connection still holds it open."""
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def start(self) -> None:
        """initdb, then pg_ctl start on a free port, retrying if the port was taken."""
        self.socketdir.mkdir(parents=True, exist_ok=True)
        if self._run_as:
            shutil.chown(self.workdir, self._run_as)
            shutil.chown(self.socketdir, self._run_as)
        self._run(
            "initdb", "-D", str(self.datadir), "-U", self.user, "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        for attempt in range(3):  # a free port can be taken between probe and bind
            self.port = free_port()
            options = f"{self.SERVER_OPTIONS} -p {self.port} -k {self.socketdir}"
            try:
                self._run(
                    "pg_ctl", "start", "-D", str(self.datadir), "-l", str(self.log_path),
                    "-w", "-t", str(int(START_TIMEOUT_S)), "-o", options,
                )  # fmt: skip
                self._wait_until_accepting()
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def start_again(self) -> None:
        """After ``stop()``: the same cluster on the same port, for database-outage tests."""
        if (self.datadir / "postmaster.pid").exists():
            return
        options = f"{self.SERVER_OPTIONS} -p {self.port} -k {self.socketdir}"
        self._run(
            "pg_ctl", "start", "-D", str(self.datadir), "-l", str(self.log_path),
            "-w", "-t", str(int(START_TIMEOUT_S)), "-o", options,
        )  # fmt: skip
        self._wait_until_accepting()

    @property
    def running(self) -> bool:
        return (self.datadir / "postmaster.pid").exists()

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, nothing is worth keeping."""
        if not (self.datadir / "postmaster.pid").exists():
            return
        with contextlib.suppress(RuntimeError):
            self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", "fast", "-w", "-t", "30")

    def _wait_until_accepting(self) -> None:
        """pg_ctl -w watches the socket; make sure TCP on 127.0.0.1 works too."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with psycopg.connect(self.conninfo(), connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"PostgreSQL did not accept TCP connections on port {self.port}: {exc}\n"
                        f"Log ({self.log_path}):\n{tail(self.log_path)}"
                    ) from exc
                time.sleep(0.1)

    def _run(self, tool: str, *args: str) -> None:
        """Run a PostgreSQL tool (as `postgres` when we are root), raising with its output."""
        command = [str(self.bindir / tool), *args]
        if self._run_as:
            command = ["runuser", "-u", self._run_as, "--", *command]
        try:
            result = subprocess.run(
                command,
                cwd=self.workdir,  # `postgres` may not be allowed into the caller's cwd
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT_S * 2,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(
                f"{shlex.join(command)} failed: {exc}\n"
                f"Log ({self.log_path}):\n{tail(self.log_path)}"
            ) from exc
        if result.returncode != 0:
            raise RuntimeError(
                f"{shlex.join(command)} exited {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}\n"
                f"Log ({self.log_path}):\n{tail(self.log_path)}"
            )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL for the session: row locks and concurrency need the real thing."""
    bindir = find_postgres_bindir()
    # Not pytest's tmp_path: that lives under a 0700 root directory `postgres` can't enter.
    workdir = Path(tempfile.mkdtemp(prefix="mianhua-pg-"))
    server = PostgresServer(bindir, workdir)
    try:
        try:
            server.start()
        except RuntimeError as exc:
            pytest.fail(f"Could not start PostgreSQL from {bindir}:\n{exc}", pytrace=False)
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
