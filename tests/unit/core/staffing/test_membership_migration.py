"""Upgrading a deployment that had logins without communities: every login keeps
working, as a member of every existing community with the role it had."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from core.accounts.acting import communities_for, staff_user
from core.accounts.login_guard import attempt_login
from core.context import Core
from core.db import Database
from core.migrate import upgrade_database

BEFORE = "5a7f0c1e2d3b"  # the staff console's tables, before memberships


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def fresh(request, tmp_path):  # type: ignore[no-untyped-def]
    """An empty database of each kind the service runs on."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    server.create_database("membership_upgrade")
    yield server.url("membership_upgrade")
    server.drop_database("membership_upgrade")


def test_existing_logins_become_members_of_every_community(fresh, clock):
    upgrade_database(fresh, BEFORE)
    engine = create_engine(fresh)
    with engine.begin() as connection:
        for number, phone in ((1, "+8631188886666"), (2, "+8631188887777")):
            connection.execute(
                text(
                    "INSERT INTO communities (id, name, phone, timezone, language, pickup_place,"
                    " staff_phones, allow_self_registration, staff_hours, voice_rate,"
                    " callback_enabled, reminder_evening_time, reminder_hours_before, created_at)"
                    " VALUES (:id, :name, :phone, 'Asia/Shanghai', 'zh', '', '[]', false,"
                    " '08:30-17:30', 'slow', false, '19:00', 2, CURRENT_TIMESTAMP)"
                ),
                {"id": number, "name": f"社区{number}", "phone": phone},
            )
        for number, (username, role) in enumerate((("admin", "admin"), ("xiaoli", "staff")), 1):
            connection.execute(
                text(
                    "INSERT INTO staff_users (id, username, password_hash, role, created_at)"
                    " VALUES (:id, :username, :hash, :role, CURRENT_TIMESTAMP)"
                ),
                {
                    "id": number,
                    "username": username,
                    "hash": generate_password_hash(f"{username}-password"),
                    "role": role,
                },
            )
    engine.dispose()
    upgrade_database(fresh)
    database = Database(fresh)
    core = Core(db=database, clock=clock)
    try:
        admin, xiaoli = staff_user(core, 1), staff_user(core, 2)
        assert admin is not None and admin.roles == {1: "admin", 2: "admin"}
        assert xiaoli is not None and xiaoli.roles == {1: "staff", 2: "staff"}
        assert not admin.is_superuser and not admin.disabled
        assert [c.id for c in communities_for(core, 2)] == [1, 2]
        logged_in = attempt_login(
            core, username="xiaoli", password="xiaoli-password", address="10.0.0.1"
        )
        assert logged_in == staff_user(core, 2)
    finally:
        database.dispose()
