"""The staff console: server-rendered pages for the residents' committee (`/staff/`).

Flask is imported where the console is mounted, not here: workers import this package
for `staff.jobs` (resident imports) and need no web framework in their memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_console(app: Flask) -> None:
    """Register the console's blueprint, logins and CSRF on `app`."""
    from flask import redirect, url_for

    from staff import auth
    from staff.console import bp
    from staff.views import (
        accounts,
        callbacks,
        catalogue,
        community_settings,
        dashboard,
        deals,
        desk,
        inbox,
        ledger,
        messages,
        orders,
        reminders,
        residents,
        savings,
        suppliers,
        teams,
    )

    # imported for their routes
    del accounts, callbacks, dashboard, deals, inbox, messages, orders, reminders, residents
    del catalogue
    del community_settings
    del desk, ledger, savings, suppliers, teams
    from staff.views import history

    del history
    auth.init_auth(app)
    app.register_blueprint(bp)
    app.add_url_rule("/", "home", lambda: redirect(url_for("staff.dashboard")))
