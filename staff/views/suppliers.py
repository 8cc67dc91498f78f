"""The supplier directory: farm bases, wholesalers and brands, and the inspection visits."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from core.community.models import SUPPLIER_KINDS
from core.suppliers.models import Verdict
from core.suppliers.queries import supplier_directory, supplier_page
from core.suppliers.services import (
    SupplierEntry,
    SupplierRefusal,
    VisitEntry,
    add_supplier,
    record_visit,
)
from staff.console import actor, bp, community, core, text


def _field(name: str, limit: int) -> str:
    return request.form.get(name, "").strip()[:limit]


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        return None


@bp.route("/suppliers", methods=["GET", "POST"])
def suppliers() -> Any:
    problem = None
    if request.method == "POST":
        result = add_supplier(
            core(),
            actor=actor(),
            entry=SupplierEntry(
                name=_field("name", 100),
                kind=_field("kind", 20),
                county=_field("county", 50),
                contact=_field("contact", 100),
                products=_field("products", 200),
            ),
        )
        if isinstance(result, SupplierRefusal):
            problem = text(f"staff.suppliers.refusal.{result.value}")
        else:
            flash(text("staff.suppliers.added", name=_field("name", 100)))
            return redirect(url_for("staff.supplier", supplier_id=result))
    directory = supplier_directory(core(), actor=actor())
    status = 422 if problem else 200
    page = render_template(
        "staff/suppliers.html",
        directory=directory,
        kinds=SUPPLIER_KINDS,
        problem=problem,
        form=request.form,
    )
    return page, status


@bp.get("/suppliers/<int:supplier_id>")
def supplier(supplier_id: int, problem: str | None = None, status: int = 200) -> Any:
    found = supplier_page(core(), actor=actor(), supplier_id=supplier_id)
    if found is None:
        abort(404)
    page = render_template(
        "staff/supplier.html",
        page=found,
        verdicts=list(Verdict),
        problem=problem,
        form=request.form,
        today=core().now().astimezone(community().zone).date().isoformat(),
    )
    return page, status


@bp.post("/suppliers/<int:supplier_id>/visits")
def supplier_visit(supplier_id: int) -> Any:
    visited_on = _day("visited_on")
    if visited_on is None:
        return supplier(supplier_id, text("staff.suppliers.refusal.bad_date"), 422)
    due_text = request.form.get("next_due", "").strip()
    next_due = _day("next_due") if due_text else None
    if due_text and next_due is None:
        return supplier(supplier_id, text("staff.suppliers.refusal.bad_date"), 422)
    result = record_visit(
        core(),
        actor=actor(),
        supplier_id=supplier_id,
        visit=VisitEntry(
            visited_on=visited_on,
            visitors=_field("visitors", 200),
            findings=_field("findings", 1000),
            verdict=_field("verdict", 20),
            next_due=next_due,
        ),
    )
    if result == SupplierRefusal.UNKNOWN_SUPPLIER:
        abort(404)
    if isinstance(result, SupplierRefusal):
        return supplier(supplier_id, text(f"staff.suppliers.refusal.{result.value}"), 422)
    flash(text("staff.suppliers.visit_recorded"))
    return redirect(url_for("staff.supplier", supplier_id=supplier_id))
