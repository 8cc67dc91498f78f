"""Who may do what: logins, CSRF, roles, and names shown as text, never as markup."""

from __future__ import annotations

import re

import pytest

from core.orders.services import place_order

#: A value for every URL parameter, so each route can be requested.
SAMPLE_ARGS = {
    "callback_id": 1,
    "number": 1,
    "deal_id": 1,
    "order_id": 1,
    "resident_id": 1,
    "import_id": 1,
    "user_id": 1,
    "item_id": 1,
    "supplier_id": 1,
    "batch_id": "0" * 32,
    "filename": "staff.css",
    "kind": "tasting",
}


def staff_routes(app):  # type: ignore[no-untyped-def]
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff.") and rule.endpoint not in (
            "staff.login",
            "staff.static",
        ):
            path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(SAMPLE_ARGS[m.group(1)]), rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, path


def test_every_console_page_and_action_needs_a_login(app, browser):
    routes = list(staff_routes(app))
    assert len(routes) > 25
    for method, path in routes:
        response = browser.client.open(path, method=method)
        if path.endswith(".json"):
            assert response.status_code == 401, (method, path)
        else:
            assert response.status_code == 302, (method, path, response.status_code)
            assert response.headers["Location"].startswith("/staff/login"), (method, path)


def test_the_login_page_sends_staff_back_where_they_were_going(browser):
    assert (
        browser.get("/staff/messages").headers["Location"] == "/staff/login?next=/staff/messages?"
    )
    token = browser.token()
    response = browser.client.post(
        "/staff/login?next=/staff/messages",
        data={"username": "xiaoli", "password": "staff-password-1", "csrf_token": token},
    )
    assert response.headers["Location"] == "/staff/messages"


def test_login_never_redirects_to_another_site(browser):
    response = browser.client.post(
        "/staff/login?next=//evil.example/x",
        data={"username": "xiaoli", "password": "staff-password-1", "csrf_token": browser.token()},
    )
    assert response.headers["Location"] == "/staff/"


def test_wrong_passwords_are_told_politely_then_slowed_not_locked(browser, clock):
    wrong = browser.login("xiaoli", "not-it")
    assert wrong.status_code == 401
    assert "用户名或密码不对" in wrong.get_data(as_text=True)
    for _ in range(2):
        browser.login("xiaoli", "not-it")
    slowed = browser.login("xiaoli")
    assert slowed.status_code == 429
    assert "刚才密码错了好几次，请等5秒再试" in slowed.get_data(as_text=True)
    clock.advance(seconds=5)
    assert browser.login("xiaoli").status_code == 302


def test_a_stranger_s_failures_do_not_keep_the_admin_out(app, browser, clock):
    """Finding 5: a stranger's wrong passwords used to lock every account, admin included."""

    def attempt(password: str, address: str):  # type: ignore[no-untyped-def]
        return browser.client.post(
            "/staff/login",
            data={"username": "admin", "password": password, "csrf_token": browser.token()},
            environ_base={"REMOTE_ADDR": address},
        )

    assert attempt("admin-password-1", "10.0.0.8").status_code == 302  # the office PC
    browser.client.post("/staff/logout", data={"csrf_token": browser.token("/staff/")})
    for _ in range(12):
        clock.advance(minutes=15)
        assert attempt("guess", "203.0.113.9").status_code == 401
    assert attempt("guess", "203.0.113.9").status_code == 429
    assert attempt("admin-password-1", "10.0.0.8").status_code == 302


def test_forms_without_a_csrf_token_are_refused(staff, app_world):
    deal = app_world.deal()
    refused = staff.client.post(f"/staff/deals/{deal.id}/close")
    assert refused.status_code == 400
    assert "页面已过期" in refused.get_data(as_text=True)
    forged = staff.client.post(f"/staff/deals/{deal.id}/close", data={"csrf_token": "x"})
    assert forged.status_code == 400
    assert staff.client.post("/staff/logout").status_code == 400
    assert (
        staff.client.post("/staff/login", data={"username": "a", "password": "b"}).status_code
        == 400
    )


def test_a_login_form_without_a_token_is_refused_too(browser):
    response = browser.client.post(
        "/staff/login", data={"username": "xiaoli", "password": "staff-password-1"}
    )
    assert response.status_code == 400
    assert browser.get("/staff/").status_code == 302  # still logged out


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/staff/accounts"),
        ("POST", "/staff/accounts"),
        ("POST", "/staff/accounts/1/role"),
        ("POST", "/staff/accounts/1/password"),
        ("GET", "/staff/audit"),
        ("POST", "/staff/deals/1/call-off"),
    ],
)
def test_staff_cannot_reach_admin_only_actions(staff, app_world, method, path):
    app_world.deal()
    if method == "GET":
        response = staff.get(path)
    else:
        response = staff.post(path, {"role": "admin", "password": "new-password-1"})
    assert response.status_code == 403
    assert "只有管理员" in response.get_data(as_text=True)


def test_a_staff_member_cannot_make_themself_admin(staff, app, app_world):
    staff.post("/staff/accounts/2/role", {"role": "admin"})
    from core.accounts.acting import staff_user

    assert staff_user(app.extensions["mianhua"].core, 2).role_in(app_world.community_id) == "staff"


def test_admins_reach_them(admin, app_world):
    assert admin.get("/staff/accounts").status_code == 200
    assert admin.get("/staff/audit").status_code == 200


def test_logging_out_ends_the_session(staff):
    assert staff.post("/staff/logout").status_code == 302
    assert staff.get("/staff/").status_code == 302


SCRIPT = '<script>alert("x")</script>'


def test_resident_names_are_escaped_everywhere_staff_see_them(staff, app_world):
    deal = app_world.deal()
    person = app_world.resident(SCRIPT, building="<b>1</b>")
    placed = place_order(
        app_world.core,
        community_id=app_world.community_id,
        phone=person.phone,
        deal_number=deal.number,
        quantity=1,
        channel="sms",
    )
    assert placed
    pages = [
        f"/staff/residents?q={person.phone[-4:]}",
        f"/staff/residents/{person.id}",
        f"/staff/residents/{person.id}/card",
        f"/staff/deals/{deal.id}/orders",
        f"/staff/deals/{deal.id}/pickup-list/print",
        f"/staff/messages?phone={person.phone}",
    ]
    for path in pages:
        html = staff.page(path)
        assert SCRIPT not in html and "<b>1</b>" not in html, path
        assert "&lt;script&gt;alert(" in html, path
