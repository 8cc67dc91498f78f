"""Residents: search, add, edit (opt-out, language, landline), the printable keypad
card, the CSV export and the CSV import with its progress."""

from __future__ import annotations

import threading
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for

from core.orders.services import resident_orders
from core.residents.importing import COLUMNS
from core.residents.services import ResidentError
from core.staffing.imports import import_run, recent_imports, run_import, start_import
from core.staffing.messages import conversation
from core.staffing.residents import (
    ResidentEdit,
    all_residents,
    resident_detail,
    save_resident,
    search_residents,
)
from staff.auth import username
from staff.console import bp, community, core, csv_download, page_number, text
from staff.forms import ImportForm, ResidentForm

#: Bigger than any committee's spreadsheet; a larger upload is a mistake, not a list.
MAX_IMPORT_BYTES = 5 * 1024 * 1024


@bp.get("/residents")
def residents() -> Any:
    query = request.args.get("q", "")
    found = search_residents(core(), community_id=community().id, query=query, page=page_number())
    return render_template("staff/residents.html", found=found, query=query)


def _edit_from(form: ResidentForm) -> ResidentEdit:
    return ResidentEdit(
        phone=form.phone.data or "",
        name=form.name.data or "",
        building=form.building.data or "",
        unit=form.unit.data or "",
        room=form.room.data or "",
        language=form.language.data or "",
        landline=bool(form.landline.data),
        opted_out=bool(form.opted_out.data),
        notes=form.notes.data or "",
        voice_pace=form.voice_pace.data or "normal",
    )


@bp.route("/residents/new", methods=["GET", "POST"])
def resident_new() -> Any:
    form = ResidentForm()
    problem = None
    if request.method == "GET":  # "register this caller" from the help inbox names the phone
        form.phone.data = request.args.get("phone", "")
    if request.method == "POST":
        try:
            saved = save_resident(
                core(), community_id=community().id, edit=_edit_from(form), by=username()
            )
        except ResidentError as exc:
            problem = text(str(exc))
        else:
            flash(text("staff.resident.added", name=saved.name))
            return redirect(url_for("staff.resident", resident_id=saved.id))
    return render_template("staff/resident_form.html", form=form, problem=problem, detail=None), (
        422 if problem else 200
    )


def _detail(resident_id: int):  # type: ignore[no-untyped-def]
    detail = resident_detail(core(), community_id=community().id, resident_id=resident_id)
    if detail is None:
        abort(404)
    return detail


@bp.route("/residents/<int:resident_id>", methods=["GET", "POST"])
def resident(resident_id: int) -> Any:
    detail = _detail(resident_id)
    form = ResidentForm()
    problem = None
    if request.method == "GET":
        person = detail.resident
        for name in (
            "phone",
            "name",
            "building",
            "unit",
            "room",
            "language",
            "landline",
            "opted_out",
            "voice_pace",
            "notes",
        ):
            getattr(form, name).data = getattr(person, name)
    else:
        try:
            save_resident(
                core(),
                community_id=community().id,
                edit=_edit_from(form),
                by=username(),
                resident_id=resident_id,
            )
        except ResidentError as exc:
            problem = text(str(exc))
        else:
            flash(text("staff.resident.saved", name=form.name.data))
            return redirect(url_for("staff.resident", resident_id=resident_id))
    orders = resident_orders(core(), community_id=community().id, phone=detail.resident.phone)
    messages = conversation(core(), community_id=community().id, phone=detail.resident.phone)
    return render_template(
        "staff/resident_form.html",
        form=form,
        problem=problem,
        detail=detail,
        orders=orders if isinstance(orders, list) else [],
        messages=list(reversed(messages))[:20],
    ), (422 if problem else 200)


@bp.get("/residents/<int:resident_id>/card")
def resident_card(resident_id: int) -> Any:
    detail = _detail(resident_id)
    return render_template("staff/keypad_card.html", person=detail.resident, community=community())


@bp.get("/residents.csv")
def residents_csv() -> Any:
    rows = [
        [r.phone, r.name, r.building, r.unit, r.room, r.language, "yes" if r.landline else "no"]
        for r in all_residents(core(), community_id=community().id)
    ]
    # The import's own column names, so an exported file can be edited and imported back.
    return csv_download("residents.csv", list(COLUMNS), rows)


@bp.route("/residents/import", methods=["GET", "POST"])
def residents_import() -> Any:
    form = ImportForm()
    problem = None
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read(MAX_IMPORT_BYTES + 1) if upload else b""
        if not upload or not upload.filename or not data:
            problem = text("staff.import.no_file")
        elif len(data) > MAX_IMPORT_BYTES:
            problem = text("staff.import.too_big")
        else:
            run_id = start_import(
                core(), community_id=community().id, filename=upload.filename, by=username()
            )
            _run_in_background(run_id, data)
            return redirect(url_for("staff.import_progress", import_id=run_id))
    runs = recent_imports(core(), community_id=community().id)
    return render_template(
        "staff/import.html", form=form, problem=problem, runs=runs, columns=COLUMNS
    ), (422 if problem else 200)


def _run_in_background(run_id: int, data: bytes) -> None:
    """The page answers at once; the import writes its progress to its row as it goes."""
    the_core = core()
    threading.Thread(
        target=run_import,
        kwargs={"core": the_core, "import_id": run_id, "data": data},
        name=f"resident-import-{run_id}",
        daemon=True,
    ).start()


def _run(import_id: int):  # type: ignore[no-untyped-def]
    run = import_run(core(), community_id=community().id, import_id=import_id)
    if run is None:
        abort(404)
    return run


@bp.get("/residents/import/<int:import_id>")
def import_progress(import_id: int) -> Any:
    return render_template("staff/import_progress.html", run=_run(import_id))


@bp.get("/residents/import/<int:import_id>.json")
def import_progress_json(import_id: int) -> Any:
    run = _run(import_id)
    return jsonify(
        status=run.status,
        status_text=text(f"staff.import.status.{run.status}"),
        finished=run.finished,
        percent=run.percent,
        rows_done=run.rows_done,
        rows_total=run.rows_total,
        created=run.created,
        updated=run.updated,
        errors=[
            {
                "line": e["line"],
                "text": text(str(e["reason"]), value=e.get("value", "")),
                "line_text": text(
                    "staff.import.line",
                    line=e["line"],
                    problem=text(str(e["reason"]), value=e.get("value", "")),
                ),
            }
            for e in run.errors
        ],
        file_error=text(run.file_error, detail=run.file_error_detail) if run.file_error else None,
    )
