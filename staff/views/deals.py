"""Deals: the list, create, edit, open, close, call off, and pickup over."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from core.deals.editing import call_off_deal, deal_detail, edit_deal
from core.deals.models import DealStatus
from core.deals.pickup_over import PickupNotStarted, fulfil_deal, fulfil_deal_early
from core.deals.queries import dashboard as dashboard_figures
from core.deals.services import (
    DealInvalid,
    DealNotFound,
    close_deal,
    create_deal,
    list_deals,
    open_deal,
)
from core.deals.sheets import supplier_sheet
from core.results import DealView
from staff.auth import admin_required
from staff.console import actor, bp, community, core, local_input, text, when
from staff.deal_form import fill_form, spec_from_form
from staff.forms import DealForm


def _detail(deal_id: int):  # type: ignore[no-untyped-def]
    try:
        return deal_detail(core(), actor=actor(), deal_id=deal_id)
    except DealNotFound:
        abort(404)


@bp.get("/deals")
def deals() -> Any:
    show_finished = request.args.get("finished") == "1"
    listed = list_deals(core(), actor=actor(), include_finished=show_finished)
    progress = {p.deal.id: p for p in _progress()}
    return render_template(
        "staff/deals.html", deals=listed, progress=progress, show_finished=show_finished
    )


def _progress():  # type: ignore[no-untyped-def]
    board = dashboard_figures(core(), actor=actor())
    return board.open_deals + board.awaiting_pickup


@bp.route("/deals/new", methods=["GET", "POST"])
def deal_new() -> Any:
    form = DealForm()
    errors: dict[str, str] = {}
    if request.method == "GET":
        _suggest_times(form)
    else:
        spec, errors = spec_from_form(form, community().zone)
        if spec is not None:
            try:
                deal = create_deal(
                    core(),
                    actor=actor(),
                    spec=spec,
                    open_now=bool(form.open_now.data),
                )
            except DealInvalid as exc:
                errors = exc.errors
            else:
                flash(text("staff.deal.created", number=deal.number, title=deal.title_zh))
                return redirect(url_for("staff.deal", deal_id=deal.id))
    status = 422 if errors else 200
    return render_template("staff/deal_form.html", form=form, errors=errors, detail=None), status


def _suggest_times(form: DealForm) -> None:
    """Sensible defaults: orders close in three days at 20:00, pickup two days later 9-11."""
    local = core().now().astimezone(community().zone)
    closes = (local + timedelta(days=3)).replace(hour=20, minute=0, second=0, microsecond=0)
    pickup = (closes + timedelta(days=2)).replace(hour=9)
    form.closes_at.data = local_input(closes)
    form.pickup_start.data = local_input(pickup)
    form.pickup_end.data = local_input(pickup + timedelta(hours=2))
    form.pickup_place.data = community().pickup_place
    form.min_units.data = "10"


@bp.get("/deals/<int:deal_id>")
def deal(deal_id: int) -> Any:
    detail = _detail(deal_id)
    sheet = supplier_sheet(core(), actor=actor(), deal_id=deal_id)
    progress = next((p for p in _progress() if p.deal.id == detail.deal.id), None)
    return render_template("staff/deal.html", detail=detail, sheet=sheet, progress=progress)


@bp.route("/deals/<int:deal_id>/edit", methods=["GET", "POST"])
def deal_edit(deal_id: int) -> Any:
    detail = _detail(deal_id)
    form = DealForm()
    errors: dict[str, str] = {}
    if not detail.editable:
        flash(text("staff.deal.error.not_editable"))
        return redirect(url_for("staff.deal", deal_id=deal_id))
    if request.method == "GET":
        fill_form(form, detail)
    else:
        spec, errors = spec_from_form(form, community().zone)
        if spec is not None:
            try:
                edit_deal(core(), actor=actor(), deal_id=deal_id, spec=spec)
            except DealInvalid as exc:
                errors = exc.errors
            else:
                flash(text("staff.deal.saved", number=detail.deal.number))
                return redirect(url_for("staff.deal", deal_id=deal_id))
    status = 422 if errors else 200
    return render_template("staff/deal_form.html", form=form, errors=errors, detail=detail), status


@bp.post("/deals/<int:deal_id>/open")
def deal_open(deal_id: int) -> Any:
    try:
        opened = open_deal(core(), actor=actor(), deal_id=deal_id)
    except DealNotFound:
        abort(404)
    except DealInvalid as exc:
        flash(text(next(iter(exc.errors.values()))))
    else:
        flash(text("staff.deal.opened", number=opened.number))
    return redirect(url_for("staff.deal", deal_id=deal_id))


@bp.post("/deals/<int:deal_id>/close")
def deal_close(deal_id: int) -> Any:
    try:
        outcome = close_deal(core(), actor=actor(), deal_id=deal_id)
    except DealNotFound:
        abort(404)
    flash(
        text(
            f"staff.deal.outcome.{outcome.outcome}",
            number=outcome.deal.number,
            residents=outcome.residents_told,
        )
    )
    return redirect(url_for("staff.deal", deal_id=deal_id))


@bp.post("/deals/<int:deal_id>/call-off")
@admin_required
def deal_call_off(deal_id: int) -> Any:
    try:
        outcome = call_off_deal(core(), actor=actor(), deal_id=deal_id)
    except DealNotFound:
        abort(404)
    flash(
        text(
            "staff.deal.outcome.called_off",
            number=outcome.deal.number,
            residents=outcome.residents_told,
        )
    )
    return redirect(url_for("staff.deal", deal_id=deal_id))


@bp.post("/deals/<int:deal_id>/fulfil")
def deal_fulfil(deal_id: int) -> Any:
    try:
        done = fulfil_deal(core(), actor=actor(), deal_id=deal_id)
    except DealNotFound:
        abort(404)
    return _fulfilled(deal_id, done)


@bp.post("/deals/<int:deal_id>/fulfil-early")
@admin_required
def deal_fulfil_early(deal_id: int) -> Any:
    reason = (request.form.get("reason") or "").strip()
    try:
        done = fulfil_deal_early(core(), actor=actor(), deal_id=deal_id, reason=reason)
    except DealNotFound:
        abort(404)
    return _fulfilled(deal_id, done)


def _fulfilled(deal_id: int, done: DealView | PickupNotStarted) -> Any:
    """Say why "pickup over" was refused, or that it is done."""
    if isinstance(done, PickupNotStarted):
        key = (
            "staff.deal.error.reason_needed"
            if done.needs_reason
            else ("staff.deal.error.pickup_not_started")
        )
        flash(text(key, number=done.deal.number, start=when(done.deal.pickup_start)))
        return redirect(url_for("staff.deal", deal_id=deal_id))
    if done.status != DealStatus.FULFILLED:
        flash(text("staff.deal.error.not_confirmed", number=done.number))
        return redirect(url_for("staff.deal", deal_id=deal_id))
    flash(text("staff.deal.fulfilled", number=done.number))
    return redirect(url_for("staff.deal", deal_id=deal_id))
