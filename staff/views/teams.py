"""The residents' teams in the console: members and leader, team messages, bargaining
notes, tastings; and who hears of new deals.

Every rule is in core/teams, core/tastings and core/announcements; these views scope
each call to the community being run and turn a refusal into a polite flash.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.announcements.services import WEEKLY_CAP, set_subscription, subscribers
from core.money import InvalidPrice, parse_yuan
from core.phones import try_normalize_phone
from core.residents.services import find_resident
from core.tastings.queries import RatingSummary, ratings_of_deal
from core.tastings.services import (
    TastingRefusal,
    TastingStarted,
    pickup_question_on,
    set_ask_after_pickup,
    start_tasting,
)
from core.teams.access import my_teams
from core.teams.leaders import LeaderLoginMade, make_leader_login
from core.teams.models import TeamKind
from core.teams.queries import team_page, teams_overview
from core.teams.services import (
    MAX_MESSAGE_SEGMENTS,
    TeamChange,
    TeamMessageSent,
    add_member,
    record_bargain,
    remove_member,
    send_team_message,
    set_leader,
)
from staff.auth import admin_required
from staff.console import actor, bp, community, core, text


@bp.app_context_processor
def _rating_helpers() -> dict[str, Any]:
    def deal_scores(deal_id: int) -> dict[str, RatingSummary]:
        """Asked by the deal page: its tasting's and its pickup scores."""
        return ratings_of_deal(core(), actor=actor(), deal_id=deal_id)

    return {"deal_scores": deal_scores}


def _kind(kind: str) -> TeamKind:
    try:
        return TeamKind(kind)
    except ValueError:
        abort(404)


def _resident_by_phone(raw: str) -> int | None:
    phone = try_normalize_phone(raw.strip(), community().region)
    if phone is None:
        return None
    found = find_resident(core(), community_id=community().id, phone=phone)
    return found.id if found else None


def _int(name: str) -> int | None:
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        return None


@bp.get("/teams")
def teams() -> Any:
    return render_template("staff/teams.html", teams=teams_overview(core(), actor=actor()))


@bp.get("/teams/<kind>")
def team(kind: str) -> Any:
    page = team_page(core(), actor=actor(), team=_kind(kind))
    return render_template(
        "staff/team.html",
        page=page,
        token=uuid.uuid4().hex,
        max_segments=MAX_MESSAGE_SEGMENTS,
    )


@bp.get("/my-team")
def my_team() -> Any:
    """Where a team leader's login lands: its team's page (staff go to the teams)."""
    if not current_user.is_leader:
        return redirect(url_for("staff.teams"))
    led = my_teams(core(), actor=actor())
    if len(led) == 1:
        return redirect(url_for("staff.team", kind=led[0].value))
    return render_template("staff/my_team.html", teams=led)


@bp.post("/teams/<kind>/leader-login")
@admin_required
def team_leader_login(kind: str) -> Any:
    """An admin gives the team's leader a console login for this team's page."""
    made = make_leader_login(
        core(),
        actor=actor(),
        team=_kind(kind),
        username=request.form.get("username", ""),
        password=request.form.get("password", ""),
    )
    if isinstance(made, LeaderLoginMade):
        flash(text("staff.teams.leader_login.made", username=made.username, name=made.leader))
    else:
        flash(text(f"staff.teams.leader_login.refused.{made.value}"))
    return redirect(url_for("staff.team", kind=kind))


@bp.post("/teams/<kind>/members")
def team_add(kind: str) -> Any:
    team_kind = _kind(kind)
    resident_id = _resident_by_phone(request.form.get("phone", ""))
    if resident_id is None:
        flash(text("staff.teams.no_such_resident"))
    else:
        result = add_member(core(), actor=actor(), team=team_kind, resident_id=resident_id)
        changed = isinstance(result, TeamChange) and result.changed
        flash(text("staff.teams.added" if changed else "staff.teams.already_member"))
    return redirect(url_for("staff.team", kind=kind))


@bp.post("/teams/<kind>/members/<int:resident_id>/remove")
def team_remove(kind: str, resident_id: int) -> Any:
    removed = remove_member(core(), actor=actor(), team=_kind(kind), resident_id=resident_id)
    if not isinstance(removed, TeamChange):
        abort(404)  # no resident of this community
    flash(text("staff.teams.removed"))
    return redirect(url_for("staff.team", kind=kind))


@bp.post("/teams/<kind>/leader")
def team_leader(kind: str) -> Any:
    result = set_leader(core(), actor=actor(), team=_kind(kind), resident_id=_int("resident_id"))
    flash(
        text(
            "staff.teams.leader_set"
            if isinstance(result, TeamChange)
            else "staff.teams.leader_not_member"
        )
    )
    return redirect(url_for("staff.team", kind=kind))


@bp.post("/teams/<kind>/message")
def team_message(kind: str) -> Any:
    result = send_team_message(
        core(),
        actor=actor(),
        team=_kind(kind),
        body=request.form.get("body", ""),
        token=(request.form.get("token") or uuid.uuid4().hex)[:40],
    )
    if isinstance(result, TeamMessageSent):
        flash(text("staff.teams.message_sent", count=result.recipients))
    else:
        flash(text(f"staff.teams.refused.{result.value}", segments=MAX_MESSAGE_SEGMENTS))
    return redirect(url_for("staff.team", kind=kind))


@bp.post("/teams/bargaining/notes")
def team_bargain() -> Any:
    deal_id = _int("deal_id")
    try:
        asked = parse_yuan(request.form.get("asked", ""))
        agreed = parse_yuan(request.form.get("agreed", ""))
    except InvalidPrice:
        asked = agreed = 0
    if deal_id is None:
        flash(text("staff.teams.refused.not_found"))
        return redirect(url_for("staff.team", kind=TeamKind.BARGAINING.value))
    result = record_bargain(
        core(),
        actor=actor(),
        deal_id=deal_id,
        asked_fen=asked,
        agreed_fen=agreed,
        note=request.form.get("note", ""),
    )
    key = (
        "staff.teams.bargain_saved" if isinstance(result, int) else f"staff.teams.refused.{result}"
    )
    flash(text(key, segments=MAX_MESSAGE_SEGMENTS))
    return redirect(url_for("staff.team", kind=TeamKind.BARGAINING.value))


@bp.post("/teams/tasting/start")
def tasting_start() -> Any:
    deal_id = _int("deal_id")
    chosen = [int(v) for v in request.form.getlist("resident_id") if v.isdigit()]
    result: TastingStarted | TastingRefusal = (
        start_tasting(core(), actor=actor(), deal_id=deal_id, resident_ids=chosen)
        if deal_id is not None
        else TastingRefusal.NOT_FOUND
    )
    if isinstance(result, TastingStarted):
        flash(text("staff.tastings.started", count=result.asked))
    else:
        flash(text(f"staff.tastings.refused.{result.value}"))
    return redirect(url_for("staff.team", kind=TeamKind.TASTING.value))


@bp.get("/announcements")
def announcements() -> Any:
    asking = pickup_question_on(core(), actor=actor())
    return render_template(
        "staff/announcements.html",
        subscribers=subscribers(core(), actor=actor()),
        weekly_cap=WEEKLY_CAP,
        asking=asking,
        is_admin=current_user.is_admin,
    )


@bp.post("/announcements")
def announcements_set() -> Any:
    on = request.form.get("on") == "1"
    resident_id = _int("resident_id") or _resident_by_phone(request.form.get("phone", ""))
    if resident_id is None:
        flash(text("staff.teams.no_such_resident"))
    else:
        result = set_subscription(core(), actor=actor(), resident_id=resident_id, on=on)
        flash(text("staff.announce.set_on" if on else "staff.announce.set_off") if result
              else text("staff.teams.no_such_resident"))  # fmt: skip
    return redirect(url_for("staff.announcements"))


@bp.post("/announcements/pickup-question")
def pickup_question() -> Any:
    on = request.form.get("on") == "1"
    set_ask_after_pickup(core(), actor=actor(), on=on)
    flash(text("staff.announce.pickup_on" if on else "staff.announce.pickup_off"))
    return redirect(url_for("staff.announcements"))
