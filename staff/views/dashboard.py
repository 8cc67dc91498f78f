"""The front page: how each open deal stands, what waits for pickup, the month so far."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for

from core.staffing.dashboard import dashboard as dashboard_figures
from staff.console import bp, communities, community, core


@bp.get("/")
def dashboard() -> Any:
    figures = dashboard_figures(core(), community_id=community().id)
    return render_template("staff/dashboard.html", board=figures, community=community())


@bp.post("/community")
def choose_community() -> Any:
    """Switch the community being run (only where one server serves several)."""
    wanted = request.form.get("community_id", type=int)
    if any(c.id == wanted for c in communities()):
        session["community_id"] = wanted
    return redirect(url_for("staff.dashboard"))
