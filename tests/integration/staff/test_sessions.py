"""Sessions that end (finding 6 of issue 10): logging out, a new password, disabling
an account and "log out everywhere" make every older cookie open nothing."""

from __future__ import annotations

from typing import Any

from core.accounts.acting import staff_user
from tests.integration.staff.conftest import Console


def cookie(console: Console) -> str:
    found = console.client.get_cookie("session")
    assert found is not None
    return found.value  # type: ignore[no-any-return]


def replay(console: Console, value: str) -> None:
    """What an attacker does with a copied cookie: present it again."""
    console.client.set_cookie("session", value)


def second_browser(app: Any, username: str, password: str | None = None) -> Console:
    other = Console(app.test_client())
    assert other.login(username, password).status_code == 302
    return other


def logged_out(console: Console) -> bool:
    response = console.get("/staff/residents")
    return response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_after_logout_the_old_cookie_opens_nothing(staff):
    copied = cookie(staff)
    assert staff.get("/staff/residents").status_code == 200
    assert staff.post("/staff/logout").status_code == 302
    replay(staff, copied)
    assert logged_out(staff)


def test_logging_out_ends_the_login_s_other_sessions_too(app, staff):
    phone = second_browser(app, "xiaoli")
    staff.post("/staff/logout")
    assert logged_out(phone)


def test_a_password_reset_by_an_admin_ends_the_old_sessions(app, admin, app_world):
    xiaoli = second_browser(app, "xiaoli")
    copied = cookie(xiaoli)
    admin.post(
        "/staff/accounts/2/password", {"password": "brand-new-pass"}, form_on="/staff/accounts"
    )
    assert logged_out(xiaoli)
    replay(xiaoli, copied)
    assert logged_out(xiaoli)
    assert xiaoli.login("xiaoli", "staff-password-1").status_code == 401
    assert xiaoli.login("xiaoli", "brand-new-pass").status_code == 302
    assert admin.get("/staff/accounts").status_code == 200  # the admin's own session goes on


def test_an_admin_who_resets_their_own_password_stays_logged_in_here_only(app, admin):
    elsewhere = second_browser(app, "admin")
    admin.post(
        "/staff/accounts/1/password", {"password": "admin-new-pass"}, form_on="/staff/accounts"
    )
    assert admin.get("/staff/accounts").status_code == 200
    assert logged_out(elsewhere)


def test_changing_my_own_password_keeps_this_session_and_ends_the_others(app, staff):
    elsewhere = second_browser(app, "xiaoli")
    wrong = staff.post("/staff/me", {"current": "not-it", "password": "my-new-password"})
    assert wrong.status_code == 422 and "现在的密码不对" in wrong.get_data(as_text=True)
    changed = staff.post(
        "/staff/me", {"current": "staff-password-1", "password": "my-new-password"}
    )
    assert changed.status_code == 302
    assert "密码已修改" in staff.page("/staff/me")
    assert logged_out(elsewhere)
    assert elsewhere.login("xiaoli", "my-new-password").status_code == 302


def test_an_admin_can_disable_and_enable_an_account(app, admin, app_world):
    xiaoli = second_browser(app, "xiaoli")
    assert admin.post("/staff/accounts/2/disable", form_on="/staff/accounts").status_code == 302
    assert "已停用" in admin.page("/staff/accounts")
    assert logged_out(xiaoli)
    refused = xiaoli.login("xiaoli")
    assert refused.status_code == 403
    assert "这个账号已停用" in refused.get_data(as_text=True)
    assert xiaoli.login("xiaoli", "wrong-guess").status_code == 401  # says nothing more
    admin.post("/staff/accounts/2/enable", form_on="/staff/accounts")
    assert xiaoli.login("xiaoli").status_code == 302


def test_an_admin_cannot_disable_themself(admin, app):
    admin.post("/staff/accounts/1/disable", form_on="/staff/accounts")
    assert "不能停用自己的账号" in admin.page("/staff/accounts")
    view = staff_user(app.extensions["mianhua"].core, 1)
    assert view is not None and not view.disabled


def test_log_out_everywhere_for_myself(app, staff):
    elsewhere = second_browser(app, "xiaoli")
    copied = cookie(staff)
    page = staff.page("/staff/me")
    assert "在所有设备上退出" in page
    ended = staff.post("/staff/me/sessions/end", form_on="/staff/me")
    assert ended.status_code == 302 and ended.headers["Location"] == "/staff/login"
    assert logged_out(staff) and logged_out(elsewhere)
    replay(staff, copied)
    assert logged_out(staff)


def test_log_out_everywhere_by_an_admin_for_an_account(app, admin):
    xiaoli = second_browser(app, "xiaoli")
    ended = admin.post("/staff/accounts/2/sessions/end", form_on="/staff/accounts")
    assert ended.status_code == 302
    assert logged_out(xiaoli)
    assert admin.get("/staff/accounts").status_code == 200


def test_a_staff_member_cannot_end_someone_else_s_sessions(app, staff):
    boss = second_browser(app, "admin")
    assert staff.post("/staff/accounts/1/sessions/end").status_code == 403
    assert not logged_out(boss)


def test_a_cookie_from_before_session_versions_is_logged_out(app, staff):
    """Cookies made before the upgrade hold a bare user id; they need a fresh login."""
    with app.test_request_context():
        from flask import session

        serializer = app.session_interface.get_signing_serializer(app)
        session["_user_id"] = "2"
        session["_fresh"] = True
        old = serializer.dumps(dict(session))
    replay(staff, old)
    assert logged_out(staff)
