"""Who may use the console: Flask-Login sessions, roles, CSRF on every form.

Passwords are checked and attempts slowed in the core (`core.accounts.login_guard`),
so the waits hold across web workers and with Redis down. Every console route needs
a login; admin-only ones also need the admin role in the community acted in. The
session cookie carries the login's session version (`get_id` is `"<id>:<version>"`):
logging out, a new password or disabling the account bumps the version in the
database, and every cookie still carrying the old one is logged out on its next
request. Reads and actions for a community the login does not run are refused in the
core (`OutsideCommunity`), and answered here as 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from core.accounts.acting import AdminOnly, NotForLeaders, OutsideCommunity, StaffView, staff_user
from core.accounts.login_guard import LoginDisabled, LoginThrottled, attempt_login
from core.accounts.models import Role
from core.accounts.services import end_my_sessions
from staff.console import bp, community_id_or_none, core, text
from staff.forms import ActionForm, LoginForm

login_manager = LoginManager()
csrf = CSRFProtect()

#: Endpoints reachable without a login.
PUBLIC_ENDPOINTS = frozenset({"staff.login", "staff.static"})
#: What a team leader's login opens: its team's page and message, its own password,
#: logging out. Anything else leads it back to its team (the core refuses it anyway).
LEADER_ENDPOINTS = PUBLIC_ENDPOINTS | {
    "staff.my_team",
    "staff.team",
    "staff.team_message",
    "staff.my_account",
    "staff.my_sessions_end",
    "staff.logout",
}


class ConsoleUser(UserMixin):
    def __init__(self, view: StaffView) -> None:
        self.view = view
        self.id = view.id
        self.username = view.username

    def get_id(self) -> str:
        """What the session cookie holds: the login and the session version it was given."""
        return f"{self.view.id}:{self.view.session_version}"

    @property
    def is_superuser(self) -> bool:
        return self.view.is_superuser

    @property
    def role(self) -> str:
        """The role in the community being run (admin for a superuser)."""
        here = community_id_or_none()
        return (self.view.role_in(here) if here is not None else None) or "staff"

    @property
    def is_admin(self) -> bool:
        here = community_id_or_none()
        return here is not None and self.view.is_admin_in(here)

    @property
    def is_leader(self) -> bool:
        """A team leader's login (a resident's), limited to its team's page."""
        here = community_id_or_none()
        return here is not None and self.view.role_in(here) == Role.LEADER


@login_manager.user_loader
def _load_user(session_id: str) -> ConsoleUser | None:
    """The cookie's login, unless it is disabled or its sessions were ended since."""
    user_id, _, version = session_id.partition(":")
    try:
        view = staff_user(core(), int(user_id))
        wanted = int(version)
    except ValueError:
        return None
    if view is None or view.disabled or view.session_version != wanted:
        return None
    return ConsoleUser(view)


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
    if request.endpoint not in LEADER_ENDPOINTS and current_user.is_leader:
        return redirect(url_for("staff.my_team"))  # type: ignore[return-value]
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
            session.pop("community_id", None)  # another login's choice does not carry over
            login_user(ConsoleUser(result))
            return redirect(_safe_next(request.args.get("next")))
        if isinstance(result, LoginThrottled):
            message = (
                text("staff.login.wait_seconds", seconds=result.seconds)
                if result.seconds < 120
                else text("staff.login.wait_minutes", minutes=result.minutes)
            )
            status = 429
        elif isinstance(result, LoginDisabled):
            message = text("staff.login.disabled")
            status = 403
        else:
            message = text("staff.login.wrong")
            status = 401
        return render_template("staff/login.html", form=form, message=message), status
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    return render_template("staff/login.html", form=form, message=message)


@bp.post("/logout")
def logout() -> Any:
    """Logging out ends this login's sessions everywhere: a copied cookie opens nothing."""
    end_my_sessions(core(), user_id=current_user.id, community_id=community_id_or_none())
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
def _not_found(error: HTTPException | OutsideCommunity) -> Any:
    if _wants_json():
        return Response('{"error": "not found"}', 404, mimetype="application/json")
    return render_template("staff/error.html", message=text("staff.error.not_found")), 404


@bp.errorhandler(OutsideCommunity)
def _outside_community(error: OutsideCommunity) -> Any:
    """Another community's rows: as if they did not exist, never "you may not"."""
    return _not_found(error)


@bp.errorhandler(AdminOnly)
def _admin_only(error: AdminOnly) -> tuple[str, int]:
    return render_template("staff/error.html", message=text("staff.error.admin_only")), 403


@bp.errorhandler(NotForLeaders)
def _not_for_leaders(error: NotForLeaders) -> tuple[str, int]:
    return render_template("staff/error.html", message=text("staff.error.leader_only")), 403
