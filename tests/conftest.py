"""Shared fixtures: real databases (SQLite and PostgreSQL), a movable clock, and
small builders that read like the committee's own words."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from hypothesis import settings as hypothesis_settings
from jinja2.bccache import Bucket, BytecodeCache

from core.accounts import passwords
from core.context import Core, FrozenClock
from core.db import Database
from core.migrate import upgrade_database
from tests.builders import World

pytest_plugins = ["tests.plugins.servers"]

# Tests never judge wall-clock time: no per-example deadline for hypothesis, which on a
# busy 2-core CI machine would fail a correct parser for being slow once.
hypothesis_settings.register_profile("mianhua", deadline=None)
hypothesis_settings.load_profile("mianhua")

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Monday 23 November 2026, 10:00 in Shanghai: a working morning, outside quiet hours.
START = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)
_numbers = itertools.count()
TESTS = Path(__file__).resolve().parent
TIERS = ("unit", "integration", "e2e")


#: Fixtures that reach a server: a test in tests/unit may not ask for them.
SERVERS = frozenset(
    {"postgres_server", "postgres_url", "postgres_template", "redis_server", "redis_url", "app"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier, from its folder; real processes are slow by nature,
    so the e2e tier stays out of the inner loop without a mark on every test.

    A core rule's test in tests/unit runs on SQLite (a file, no server); its PostgreSQL
    copy (`database_url`'s second param) reaches a server, so it counts as integration
    and runs in the whole suite only. A unit test asking for a server is a mistake."""
    for item in items:
        tier = item.path.relative_to(TESTS).parts[0] if TESTS in item.path.parents else ""
        if tier == "unit":
            servers = SERVERS & set(getattr(item, "fixturenames", ()))
            if servers:
                raise pytest.UsageError(
                    f"{item.nodeid} is in tests/unit but needs {sorted(servers)}: "
                    "move it to tests/integration"
                )
            callspec = getattr(item, "callspec", None)
            if callspec is not None and callspec.params.get("database_url") == "postgres":
                tier = "integration"
        if tier in TIERS:
            item.add_marker(tier)
        if tier == "e2e":
            item.add_marker(pytest.mark.slow)


class MemoryTemplateCache(BytecodeCache):
    """Jinja's compiled templates kept in memory; a changed template has a new checksum."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(autouse=True)
def cheap_password_hashes(request: pytest.FixtureRequest) -> Iterator[None]:
    """Argon2 at its lowest cost: production's 64 MiB, three passes and four lanes are
    the point against a stolen table, and only CPU in a test that logs in. A test marked
    `real_password_cost` (the login guard's timing) gets production's hasher."""
    passwords._dummy_hash.cache_clear()
    with pytest.MonkeyPatch.context() as patch:
        if request.node.get_closest_marker("real_password_cost") is None:
            cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
            patch.setattr(passwords, "_hasher", cheap)
        yield
    passwords._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server) -> str:  # type: ignore[no-untyped-def]
    """One migrated PostgreSQL database per session, cloned for each test."""
    postgres_server.create_database("mianhua_template")
    upgrade_database(postgres_server.url("mianhua_template"))
    return "mianhua_template"


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "mianhua.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_url(postgres_server, postgres_template: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    name = f"mianhua_test_{next(_numbers)}"
    postgres_server.create_database(name, template=postgres_template)
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Core tests run on both databases the service supports: the inner loop
    (`-m "not slow"`) on SQLite, the whole suite on both."""
    return request.getfixturevalue(f"{request.param}_url")  # type: ignore[no-any-return]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def core(database_url: str, clock: FrozenClock) -> Iterator[Core]:
    database = Database(database_url)
    yield Core(db=database, clock=clock)
    database.dispose()


@pytest.fixture
def world(core: Core, clock: FrozenClock) -> World:
    return World(core, clock)


@pytest.fixture
def in_days():  # type: ignore[no-untyped-def]
    """A local Shanghai time some days after the test's start."""

    def at(days: int, hour: int, minute: int = 0) -> datetime:
        local = START.astimezone(SHANGHAI) + timedelta(days=days)
        return local.replace(hour=hour, minute=minute)

    return at


#: Templates compiled once per session, not once per test's app (keyed by their source).
_COMPILED_TEMPLATES = MemoryTemplateCache()

TWILIO_TOKEN = "test-auth-token"
PUBLIC_BASE_URL = "https://mianhua.example.org"


@pytest.fixture
def spool_dir(tmp_path: Path) -> Path:
    """The test's own spool directory (SPOOL_DIR), never the repository's var/spool."""
    return tmp_path / "spool"


@pytest.fixture
def app_factory(redis_url: str, clock: FrozenClock, spool_dir: Path):  # type: ignore[no-untyped-def]
    """Build the real app on a given database, with the test's clock, Redis and spool."""
    from app import create_app
    from core.settings import load_settings

    made = []

    def make(database_url: str, **env: str):  # type: ignore[no-untyped-def]
        settings = load_settings(
            {
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "MIANHUA_ENV": "test",
                "SECRET_KEY": "test-secret-long-enough-for-production-0123",
                "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
                "SPOOL_DIR": str(spool_dir),
                **env,
            }
        )
        application = create_app(settings)
        application.jinja_env.bytecode_cache = _COMPILED_TEMPLATES
        application.extensions["mianhua"].core.clock = clock
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["mianhua"].close()


@pytest.fixture
def app(app_factory, sqlite_url: str):  # type: ignore[no-untyped-def]
    return app_factory(sqlite_url)


@pytest.fixture
def app_world(app, clock: FrozenClock) -> World:
    """The test community, in the same database the app serves."""
    return World(app.extensions["mianhua"].core, clock)
