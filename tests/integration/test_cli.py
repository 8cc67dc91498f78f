"""The staff command line, as an operator types it (shared/INTERFACE.md)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app import create_app
from core.deals.models import Deal
from core.settings import load_settings


@pytest.fixture
def app(tmp_path, redis_url, sqlite_template):  # type: ignore[no-untyped-def]
    # A copy of the session's migrated file: each test's `db upgrade` finds nothing to do
    # (the migrations from empty are tests/*/core/test_migrations.py's).
    shutil.copyfile(sqlite_template, tmp_path / "cli.db")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    application = create_app(
        load_settings({"DATABASE_URL": url, "REDIS_URL": redis_url, "MIANHUA_ENV": "test"})
    )
    yield application
    application.extensions["mianhua"].close()


@pytest.fixture
def run(app):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(args=list(args), input=input)

    return invoke


@pytest.fixture
def community(run):  # type: ignore[no-untyped-def]
    assert run("db", "upgrade").exit_code == 0
    result = run(
        "community",
        "create",
        "--name",
        "幸福里",
        "--phone",
        "+8631188886666",
        "--pickup-place",
        "服务站",
        "--staff-phone",
        "+8613800000000",
    )
    assert result.exit_code == 0, result.output
    return "+8631188886666"


def test_deals_create_list_and_close(run, community, app):
    created = run(
        "deals",
        "create",
        "--title-zh",
        "赵县雪花梨",
        "--title-en",
        "Snow pears",
        "--unit",
        "箱",
        "--price",
        "35.50",
        "--market-price",
        "58",
        "--min",
        "1",
        "--stock",
        "80",
        "--limit",
        "3",
        "--closes",
        "2030-11-26 20:00",
        "--pickup-start",
        "2030-11-28 09:00",
        "--pickup-end",
        "2030-11-28 11:00",
        "--supplier",
        "赵县梨园",
        "--alias",
        "白梨",
        "--alias",
        "大梨，白梨",
        "--if-short",
        "extend:24",
        "--open",
    )
    assert created.exit_code == 0, created.output
    assert "deal 1 created (open)" in created.output
    with app.extensions["mianhua"].core.db.transaction() as session:
        deal = session.scalars(select(Deal)).one()
    assert deal.price_fen == 3550 and deal.market_price_fen == 5800
    assert deal.closes_at == datetime(2030, 11, 26, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    assert (deal.if_short, deal.extend_hours) == ("extend", 24)
    assert deal.aliases == ["白梨", "大梨"]  # trimmed, split at commas, no repeats

    listed = run("deals", "list")
    assert "赵县雪花梨" in listed.output and "ordered 0/80 (min 1)" in listed.output
    closed = run("deals", "close", "1")
    assert closed.exit_code == 0 and "deal 1 cancelled" in closed.output


def test_bad_input_is_one_line_and_a_non_zero_exit(run, community):
    result = run(
        "deals",
        "create",
        "--title-zh",
        "梨",
        "--unit",
        "箱",
        "--price",
        "abc",
        "--min",
        "1",
        "--closes",
        "2030-11-26 20:00",
        "--pickup-start",
        "2030-11-25 09:00",
        "--pickup-end",
        "2030-11-28 11:00",
    )
    assert result.exit_code != 0
    assert "price must be yuan" in result.output
    result = run(
        "deals",
        "create",
        "--title-zh",
        "梨",
        "--unit",
        "箱",
        "--price",
        "3",
        "--min",
        "1",
        "--closes",
        "2030-11-26 20:00",
        "--pickup-start",
        "2030-11-25 09:00",
        "--pickup-end",
        "2030-11-28 11:00",
    )
    assert result.exit_code == 1
    assert "Pickup must start after ordering closes" in result.output
    assert "Traceback" not in result.output
    assert run("deals", "close", "7").exit_code == 1


def test_residents_import_reports_bad_rows(run, community, tmp_path):
    path = tmp_path / "residents.csv"
    path.write_bytes(
        "phone,name,building,unit,room,language,landline\n"
        "13800138001,王芳,3,2,401,,否\n"
        "999,坏号,1,1,1,,\n".encode("gbk")
    )
    result = run("residents", "import", str(path))
    assert result.exit_code == 0
    assert "line 3: Invalid phone number: 999" in result.output
    assert "1 added, 0 updated, 1 rows with errors" in result.output


def test_staff_create_from_stdin(run, community):
    result = run(
        "staff",
        "create",
        "xiaoli",
        "--role",
        "staff",
        "--password-stdin",
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    again = run(
        "staff",
        "create",
        "xiaoli",
        "--role",
        "staff",
        "--password-stdin",
        input="a-long-password\n",
    )
    assert again.exit_code == 1 and "exists already" in again.output


def test_demo_seed_is_idempotent(run):
    assert run("db", "upgrade").exit_code == 0
    first = run("demo", "seed")
    assert first.exit_code == 0, first.output
    assert "20 residents, 5 deals" in first.output
    assert "already" in run("demo", "seed").output
    assert "赵县雪花梨" in run("deals", "list").output


def test_commands_need_a_community_when_there_are_none(run):
    run("db", "upgrade")
    result = run("deals", "list")
    assert result.exit_code == 1 and "community create" in result.output


@pytest.fixture
def two_communities(run, community):  # type: ignore[no-untyped-def]
    result = run("community", "create", "--name", "和平里", "--phone", "+8631188887777")
    assert result.exit_code == 0, result.output
    return community, "+8631188887777"


def _roles(app, username):  # type: ignore[no-untyped-def]
    from core.accounts.acting import staff_user
    from core.accounts.models import StaffUser

    core = app.extensions["mianhua"].core
    with core.db.transaction() as session:
        user_id = session.scalar(select(StaffUser.id).where(StaffUser.username == username))
    return staff_user(core, user_id) if user_id else None


def test_staff_create_in_named_communities(run, two_communities, app):
    first, second = two_communities
    password = "a-long-password\n"
    unnamed = run(
        "staff", "create", "xiaoli", "--role", "staff", "--password-stdin", input=password
    )
    assert unnamed.exit_code == 1 and "--community" in unnamed.output
    made = run(
        "staff",
        "create",
        "xiaoli",
        "--role",
        "admin",
        "--community",
        first,
        "--community",
        second,
        "--password-stdin",
        input=password,
    )
    assert made.exit_code == 0, made.output
    assert sorted(_roles(app, "xiaoli").roles.values()) == ["admin", "admin"]
    unknown = run(
        "staff", "create", "laowang", "--role", "staff", "--community", "+8610000000000",
        "--password-stdin", input=password,
    )  # fmt: skip
    assert unknown.exit_code == 1 and "no community" in unknown.output
    assert _roles(app, "laowang") is None


def test_staff_create_superuser_and_grant(run, two_communities, app):
    first, second = two_communities
    made = run(
        "staff", "create", "jiedao", "--role", "admin", "--superuser", "--password-stdin",
        input="street-office-pass\n",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    view = _roles(app, "jiedao")
    assert view.is_superuser and view.roles == {}
    run(
        "staff", "create", "xiaoli", "--role", "staff", "--community", first, "--password-stdin",
        input="a-long-password\n",
    )  # fmt: skip
    granted = run("staff", "grant", "xiaoli", "--role", "admin", "--community", second)
    assert granted.exit_code == 0, granted.output
    assert sorted(_roles(app, "xiaoli").roles.values()) == ["admin", "staff"]
    assert run("staff", "grant", "nobody", "--community", second).exit_code == 1
    assert run("staff", "grant", "xiaoli").exit_code == 2  # nothing to grant
