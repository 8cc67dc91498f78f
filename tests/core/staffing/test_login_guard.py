"""The login limit: five wrong passwords lock a username for a while; the database keeps count."""

from __future__ import annotations

from core.accounts.services import create_staff_user
from core.staffing.login_guard import (
    MAX_FAILURES_PER_USER,
    LoginLocked,
    LoginWrong,
    StaffView,
    attempt_login,
)


def login(core, username="xiaoli", password="right-password", address="10.0.0.1"):  # type: ignore[no-untyped-def]
    return attempt_login(core, username=username, password=password, address=address)


def test_the_right_password_logs_in(core):
    create_staff_user(core, "xiaoli", "right-password", "staff")
    result = login(core)
    assert isinstance(result, StaffView)
    assert (result.username, result.role, result.is_admin) == ("xiaoli", "staff", False)


def test_wrong_passwords_count_down_then_lock_even_the_right_one(core, clock):
    create_staff_user(core, "xiaoli", "right-password", "staff")
    for left in range(MAX_FAILURES_PER_USER - 1, -1, -1):
        assert login(core, password="guess") == LoginWrong(failures_left=left)
    locked = login(core)
    assert isinstance(locked, LoginLocked) and locked.minutes == 15
    clock.advance(minutes=10)
    assert login(core) == LoginLocked(minutes=5)
    clock.advance(minutes=5, seconds=1)
    assert isinstance(login(core), StaffView)


def test_a_success_clears_the_count(core):
    create_staff_user(core, "xiaoli", "right-password", "staff")
    for _ in range(MAX_FAILURES_PER_USER - 1):
        login(core, password="typo")
    assert isinstance(login(core), StaffView)
    assert login(core, password="typo") == LoginWrong(failures_left=MAX_FAILURES_PER_USER - 1)


def test_one_locked_username_does_not_lock_another(core):
    create_staff_user(core, "xiaoli", "right-password", "staff")
    create_staff_user(core, "laowang", "other-password", "staff")
    for _ in range(MAX_FAILURES_PER_USER):
        login(core, password="guess")
    assert isinstance(login(core), LoginLocked)
    assert isinstance(login(core, "laowang", "other-password"), StaffView)


def test_one_address_guessing_many_usernames_is_locked(core):
    create_staff_user(core, "xiaoli", "right-password", "staff")
    for n in range(20):
        login(core, username=f"user{n}", password="guess", address="203.0.113.9")
    assert isinstance(login(core, address="203.0.113.9"), LoginLocked)
    assert isinstance(login(core, address="10.0.0.2"), StaffView)


def test_unknown_users_and_empty_passwords_are_just_wrong(core):
    assert isinstance(login(core, username="nobody"), LoginWrong)
    assert isinstance(login(core, password=""), LoginWrong)
