"""The Flask app factory: `flask --app app run`, `flask --app app <group> <command>`."""

from __future__ import annotations

from flask import Flask, current_app, jsonify
from sqlalchemy import text

from bootstrap import bootstrap, mianhua
from core.settings import Settings, SettingsError, load_settings
from spool.health import spool_report
from web_security import harden


def create_app(settings: Settings | None = None) -> Flask:
    if settings is None:
        try:
            settings = load_settings()
        except SettingsError as exc:
            # One line an operator can act on, not a traceback through Flask's loader.
            raise SystemExit(f"Mianhua cannot start: {exc}") from None
    root = bootstrap(settings)
    app = Flask(__name__)
    app.config["SECRET_KEY"] = root.settings.secret_key
    app.config["TESTING"] = root.settings.env == "test"
    app.extensions["mianhua"] = root  # what `bootstrap.mianhua()` answers inside this app
    harden(app, root.settings)  # before any route: bounded converters, limits, headers
    app.add_url_rule("/healthz", "healthz", healthz)

    from staff import init_console
    from staff.cli import register_commands

    register_commands(app)
    from staff.templates_cli import register as register_templates

    register_templates(app)
    from workers.cli import register as register_workers

    register_workers(app)
    init_console(app)
    from providers.registry import register_routes

    register_routes(app)  # each provider's webhooks, in its own wire format
    from spool.cli import register as register_spool

    register_spool(app)
    app.before_request(_take_in_what_was_left)
    from simulator import init_simulator

    init_simulator(app, root)
    return app


def _take_in_what_was_left() -> None:
    """At a web process's first request: files left in the spool from before a restart
    are taken in by this process's drainer (workers and commands never start one)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.extensions.get("spool_checked"):
        app.extensions["spool_checked"] = True
        mianhua().spool_drainer.start_if_needed()


def healthz():  # type: ignore[no-untyped-def]
    """Each part's state; 503 naming what is down, so a monitor can tell which."""
    root = mianhua()
    report: dict[str, str] = {}
    try:
        with root.core.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        report["db"] = "ok"
    except Exception as exc:  # any failure to reach the database means "down"
        report["db"] = f"down: {type(exc).__name__}"
    try:
        root.redis.ping()
        report["redis"] = "ok"
    except Exception as exc:  # a refused or timed-out connection alike
        report["redis"] = f"down: {type(exc).__name__}"
    spool = spool_report(root.spool)  # what waits on this host's disk, and can it take more
    report["spool"] = str(spool["status"])
    healthy = all(value == "ok" for value in report.values())
    details = {f"spool_{name}": spool[name] for name in ("depth", "oldest", "set_aside")}
    return jsonify({**report, **details}), 200 if healthy else 503
