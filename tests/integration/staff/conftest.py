"""Console fixtures: a staff browser session that logs in and carries its CSRF token."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.accounts.services import create_staff_user

PASSWORDS = {"admin": "admin-password-1", "xiaoli": "staff-password-1"}
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Console:
    """A logged-in (or not) browser on the console, reading like the staff member's clicks."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def token(self, path: str = "/staff/login") -> str:
        page = self.client.get(path).get_data(as_text=True)
        found = _TOKEN.search(page)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def login(self, username: str, password: str | None = None) -> Any:
        return self.client.post(
            "/staff/login",
            data={
                "username": username,
                "password": password if password is not None else PASSWORDS[username],
                "csrf_token": self.token(),
            },
        )

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        form_on: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Submit like a browser: with the CSRF token from a console page."""
        payload = {"csrf_token": self.token(form_on or "/staff/"), **(data or {})}
        return self.client.post(path, data=payload, **kwargs)


@pytest.fixture
def staff_users(app):  # type: ignore[no-untyped-def]
    core = app.extensions["mianhua"].core
    create_staff_user(core, "admin", PASSWORDS["admin"], "admin")
    create_staff_user(core, "xiaoli", PASSWORDS["xiaoli"], "staff")


@pytest.fixture
def browser(app, app_world, staff_users) -> Console:  # type: ignore[no-untyped-def]
    """Not logged in yet; the test community exists."""
    return Console(app.test_client())


@pytest.fixture
def admin(browser: Console) -> Console:
    assert browser.login("admin").status_code == 302
    return browser


@pytest.fixture
def staff(browser: Console) -> Console:
    assert browser.login("xiaoli").status_code == 302
    return browser
