"""Browser tests: the real app on a real port, a real worker process, Debian's Chromium.

Nothing is faked but Twilio's side: the simulator signs requests to the webhooks as
Twilio would, and the worker's console sender records what it "sent". The browser is
the `chromium` package's binary; a missing one fails the run (never a download, never
a skip).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from core.accounts.services import create_staff_user
from core.context import FrozenClock
from core.db import utcnow
from tests.builders import World
from tests.plugins.servers import free_port

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts" / "e2e"
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN = ("admin", "e2e-admin-password")
#: What the live app checks webhook signatures with: tests playing Twilio sign with it.
E2E_TWILIO_TOKEN = "e2e-token"


@dataclass
class Live:
    base_url: str
    world: World
    worker_log: Path


def _settings_env(database_url: str, redis_url: str, base_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MIANHUA_ENV": "test",
        "SECRET_KEY": "e2e-secret",
        "TWILIO_AUTH_TOKEN": E2E_TWILIO_TOKEN,
        "PUBLIC_BASE_URL": base_url,
        "SMS_SENDER": "console",
        # Real clocks on both sides: quiet hours that never begin, whatever the hour.
        "QUIET_HOURS": "00:00-00:00",
        "SEND_RATE_PER_SECOND": "0",
        "HOUSEKEEPING_INTERVAL_SECONDS": "0.5",
    }


@pytest.fixture
def live(sqlite_url: str, redis_url: str, tmp_path: Path) -> Iterator[Live]:
    """The web app served on a free port (threads, like gunicorn's) and one worker."""
    from app import create_app
    from core.settings import load_settings

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**_settings_env(sqlite_url, redis_url, base_url), "SPOOL_DIR": str(tmp_path / "spool")}
    app = create_app(load_settings(env))
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-web", daemon=True)
    thread.start()
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [str(REPO / ".venv" / "bin" / "flask"), "--app", "app", "worker"],
            cwd=REPO,
            env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(base_url)
        core = app.extensions["mianhua"].core
        world = World(core, FrozenClock(utcnow()))
        create_staff_user(core, *ADMIN, role="admin")
        yield Live(base_url, world, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        server.shutdown()
        app.extensions["mianhua"].close()


def _wait_healthy(base_url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    pytest.fail(f"the web app at {base_url} did not answer /healthz", pytrace=False)


def chromium_path() -> str:
    found = shutil.which("chromium")
    if not found:
        pytest.fail(
            "chromium not found on PATH: run ./scripts/test, which installs it, "
            "or: apt-get install chromium",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str, *, publish: bool = False, full_page: bool = True) -> Path:  # type: ignore[no-untyped-def]
    """Save a screenshot under tests/artifacts/e2e; with `publish`, and only when
    MIANHUA_PUBLISH_SCREENSHOTS=1, also refresh the README's copy in docs/screenshots
    (so an ordinary test run leaves the tree clean)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if publish and os.environ.get("MIANHUA_PUBLISH_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SCREENSHOTS / f"{name}.png")
    return path
