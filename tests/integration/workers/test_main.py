"""`python -m workers` as an operator meets it when something is wrong."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from tests.integration.workers.conftest import PYTHON, REPO

pytestmark = pytest.mark.slow  # each starts a real process


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_workers(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PYTHON), "-m", "workers", *args],
        cwd=REPO,
        env={**os.environ, "MIANHUA_ENV": "test", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_burst_worker_without_redis_says_so_in_one_line(sqlite_url):  # type: ignore[no-untyped-def]
    result = run_workers(
        "--burst",
        "--log-level",
        "CRITICAL",
        DATABASE_URL=sqlite_url,
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
        SMS_SENDER="console",
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: Redis is unreachable")
    assert "Traceback" not in result.stderr


def test_bad_settings_stop_the_worker_with_the_reason(sqlite_url):  # type: ignore[no-untyped-def]
    result = run_workers("--burst", DATABASE_URL=sqlite_url, MIANHUA_ENV="staging")
    assert result.returncode == 1
    assert "Mianhua cannot start:" in result.stderr and "Traceback" not in result.stderr


def test_it_says_how_to_run_it():
    result = run_workers("--help")
    assert result.returncode == 0
    assert "Usage: python -m workers" in result.stdout
    assert "--burst" in result.stdout and "--log-level" in result.stdout
