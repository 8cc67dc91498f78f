"""The front page: how each open deal stands, what waits for pickup, the month so far."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, session, url_for

from bootstrap import mianhua
from core.bounded import bounded_int
from core.deals.queries import dashboard as dashboard_figures
from core.helpdesk.queries import waiting_count
from staff.console import actor, bp, communities, community, core


@bp.get("/")
def dashboard() -> Any:
    figures = dashboard_figures(core(), actor=actor())
    help_count = waiting_count(core(), actor=actor())
    return render_template(
        "staff/dashboard.html", board=figures, community=community(), help_count=help_count
    )


@bp.post("/community")
def choose_community() -> Any:
    """Switch the community being run, among the ones this login runs."""
    wanted = bounded_int(request.form.get("community_id"))
    if not any(c.id == wanted for c in communities()):
        abort(404)  # not one of this login's: as if there were no such community
    session["community_id"] = wanted
    return redirect(url_for("staff.dashboard"))


# --- what came through the spool, for staff/_spooled.html on the front page ---------------


@bp.app_template_global("spooled_lately")
def _spooled_lately() -> Any:
    """Texts and call-back requests of this community that waited in the spool lately."""
    from core.spooled.queries import spooled_lately

    return spooled_lately(core(), actor=actor())


@bp.app_template_global("spool_state")
def _spool_state() -> Any:
    """How many files wait on this web host's disk, or were set aside (no contents)."""
    return mianhua().spool.state()
