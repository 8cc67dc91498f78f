"""Who may use the console: Flask-Login sessions, roles, CSRF on every form.

Passwords are checked and attempts limited in the core (`core.staffing.login_guard`),
so the limit holds across web workers and with Redis down. Every console route needs
a login; admin-only ones also need the admin role.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from core.staffing.login_guard import LoginLocked, StaffView, attempt_login, staff_user
from staff.console import bp, core, text
from staff.forms import ActionForm, LoginForm

login_manager = LoginManager()
csrf = CSRFProtect()

#: Endpoints reachable without a login.
PUBLIC_ENDPOINTS = frozenset({"staff.login", "staff.static"})


class ConsoleUser(UserMixin):
    def __init__(self, view: StaffView) -> None:
        self.view = view
        self.id = view.id
        self.username = view.username
        self.role = view.role

    @property
    def is_admin(self) -> bool:
        return self.view.is_admin


@login_manager.user_loader
def _load_user(user_id: str) -> ConsoleUser | None:
    try:
        view = staff_user(core(), int(user_id))
    except ValueError:
        return None
    return ConsoleUser(view) if view else None


@login_manager.unauthorized_handler
def _unauthorized() -> Response:
    if _wants_json():
        return Response('{"error": "login required"}', 401, mimetype="application/json")
    return redirect(url_for("staff.login", next=request.full_path))  # type: ignore[return-value]


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


@bp.before_request
def _guard() -> Response | None:
    """A login on everything but the login page itself, then CSRF on every POST."""
    if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if request.method == "POST":
        csrf.protect()
    return None


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Admin-only actions: staff logins, the audit log, calling a deal off."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or not current_user.is_admin:
            return render_template("staff/error.html", message=text("staff.error.admin_only")), 403
        return view(*args, **kwargs)

    return checked


def username() -> str:
    """Who is acting, for the audit log."""
    return str(current_user.username)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a login link must not bounce staff to another site.

    No control characters (a CR/LF in a Location header was a 500) and no backslash,
    which browsers read as a slash (`/\\evil.example` is another site).
    """
    if target and any(ord(ch) < 32 or ch in "\x7f\\" for ch in target):
        return url_for("staff.dashboard")
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("staff.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    message = None
    if request.method == "POST":
        result = attempt_login(
            core(),
            username=form.username.data or "",
            password=form.password.data or "",
            address=request.remote_addr or "unknown",
        )
        if isinstance(result, StaffView):
            login_user(ConsoleUser(result))
            return redirect(_safe_next(request.args.get("next")))
        if isinstance(result, LoginLocked):
            message = text("staff.login.locked", minutes=result.minutes)
            status = 429
        else:
            message = text("staff.login.wrong")
            status = 401
        return render_template("staff/login.html", form=form, message=message), status
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    return render_template("staff/login.html", form=form, message=message)


@bp.post("/logout")
def logout() -> Any:
    logout_user()
    flash(text("staff.login.bye"))
    return redirect(url_for("staff.login"))


def _csrf_refused(error: CSRFError) -> tuple[str, int]:
    return render_template("staff/error.html", message=text("staff.error.csrf")), 400


def init_auth(app: Flask) -> None:
    # CSRF is checked where the console asks for it (`_guard`), not app-wide: Twilio's
    # webhooks post without a token and prove themselves by signature instead. Cookie
    # flags and the token's 8-hour life are set for the whole app (web_security.harden).
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    app.register_error_handler(CSRFError, _csrf_refused)
    app.jinja_env.globals["action_form"] = ActionForm


@bp.errorhandler(409)
def _no_community(error: HTTPException) -> tuple[str, int]:
    return render_template("staff/error.html", message=text(str(error.description))), 409


@bp.errorhandler(404)
def _not_found(error: HTTPException) -> tuple[str, int]:
    return render_template("staff/error.html", message=text("staff.error.not_found")), 404
