"""Residents: search, add, edit (opt-out, language, landline), the printable keypad
card, the CSV export and the CSV import with its progress."""

from __future__ import annotations

import logging
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for

from bootstrap import mianhua
from core.books.credits import resident_credit
from core.books.history import resident_history
from core.conversations.holds import hold_for
from core.helpdesk.queries import open_item_for
from core.i18n import t
from core.messages.queries import conversation
from core.ports.jobs import JobsUnavailable
from core.residents.import_runs import start_import
from core.residents.importing import COLUMNS
from core.residents.queries import (
    all_residents,
    import_run,
    recent_imports,
    resident_detail,
    search_residents,
)
from core.residents.services import ResidentEdit, ResidentError, save_resident
from core.settings import Settings
from core.spreadsheets import Sheet
from staff.console import (
    actor,
    bp,
    community,
    core,
    dialled,
    page_number,
    spreadsheet_download,
    text,
)
from staff.forms import ImportForm, ResidentForm
from staff.jobs import enqueue_import
from web_security import forget_body

log = logging.getLogger(__name__)


@bp.get("/residents")
def residents() -> Any:
    query = request.args.get("q", "")
    found = search_residents(core(), actor=actor(), query=query, page=page_number())
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
            saved = save_resident(core(), actor=actor(), edit=_edit_from(form))
        except ResidentError as exc:
            problem = text(str(exc))
        else:
            flash(text("staff.resident.added", name=saved.name))
            return redirect(url_for("staff.resident", resident_id=saved.id))
    return render_template("staff/resident_form.html", form=form, problem=problem, detail=None), (
        422 if problem else 200
    )


def _detail(resident_id: int):  # type: ignore[no-untyped-def]
    detail = resident_detail(core(), actor=actor(), resident_id=resident_id)
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
                actor=actor(),
                edit=_edit_from(form),
                resident_id=resident_id,
            )
        except ResidentError as exc:
            problem = text(str(exc))
        else:
            flash(text("staff.resident.saved", name=form.name.data))
            return redirect(url_for("staff.resident", resident_id=resident_id))
    orders = resident_history(core(), actor=actor(), resident_id=resident_id)
    credit = resident_credit(core(), actor=actor(), resident_id=resident_id)
    messages = conversation(core(), actor=actor(), phone=detail.resident.phone)
    hold = hold_for(core(), actor=actor(), phone=detail.resident.phone)
    help_wanted = open_item_for(core(), actor=actor(), phone=detail.resident.phone)
    return render_template(
        "staff/resident_form.html",
        form=form,
        problem=problem,
        detail=detail,
        orders=orders,
        credit=credit,
        messages=list(reversed(messages))[:20],
        hold=hold,
        help_wanted=help_wanted,
    ), (422 if problem else 200)


@bp.get("/residents/<int:resident_id>/card")
def resident_card(resident_id: int) -> Any:
    detail = _detail(resident_id)
    return render_template("staff/keypad_card.html", person=detail.resident, community=community())


@bp.get("/residents.csv", defaults={"fmt": "csv"}, endpoint="residents_csv")
@bp.get("/residents.xlsx", defaults={"fmt": "xlsx"}, endpoint="residents_xlsx")
def residents_download(fmt: str) -> Any:
    rows = [
        [
            dialled(r.phone),
            r.name,
            r.building,
            r.unit,
            r.room,
            r.language,
            "yes" if r.landline else "no",
        ]
        for r in all_residents(core(), actor=actor())
    ]
    # CSV keeps the import's own column names, so an exported file can be edited and
    # imported back; the XLSX is for reading, with Chinese headers.
    header = [t("zh", f"staff.csv.{c}") for c in COLUMNS] if fmt == "xlsx" else list(COLUMNS)
    sheet = Sheet(
        title=text("staff.residents.title"),
        header=header,
        rows=rows,
        text_columns=frozenset({0, 2, 3, 4}),
    )
    return spreadsheet_download("residents", sheet, fmt)


@bp.route("/residents/import", methods=["GET", "POST"])
def residents_import() -> Any:
    form = ImportForm()
    problem = None
    if request.method == "POST":
        upload = request.files.get("file")
        # MAX_IMPORT_BYTES: bigger than any committee's spreadsheet; a larger upload is a
        # mistake, not a list (and a far larger request never gets here: 413).
        largest = _settings().max_import_bytes
        data = upload.read(largest + 1) if upload else b""
        if not upload or not upload.filename or not data:
            problem = text("staff.import.no_file")
        elif len(data) > largest:
            problem = text("staff.import.too_big", mb=round(largest / 2**20, 1))
        else:
            run_id = start_import(
                core(),
                actor=actor(),
                filename=upload.filename,
                data=data,
                allow_other_countries=bool(form.allow_other_countries.data),
                hand_over=_hand_to_worker,
            )
            return redirect(url_for("staff.import_progress", import_id=run_id))
    runs = recent_imports(core(), actor=actor())
    return render_template(
        "staff/import.html", form=form, problem=problem, runs=runs, columns=COLUMNS
    ), (422 if problem else 200)


def _settings() -> Settings:
    return mianhua().settings


def _hand_to_worker(run_id: int) -> bool:
    """Queue the run's job (a worker imports it and writes its progress); False when
    the queue cannot take it."""
    try:
        enqueue_import(mianhua().jobs, run_id)
    except JobsUnavailable:
        log.warning("resident import %s: Redis unreachable, not queued", run_id)
        return False
    return True


def _run(import_id: int):  # type: ignore[no-untyped-def]
    run = import_run(core(), actor=actor(), import_id=import_id)
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


@bp.errorhandler(413)
def _too_large(error: Exception) -> Any:
    """An upload past the limit: said on a console page, with the limit, not in plain text."""
    forget_body()
    if request.endpoint == "staff.residents_import":
        message = text("staff.import.too_big", mb=round(_settings().max_import_bytes / 2**20, 1))
    else:
        message = text("web.error.too_large")
    return render_template("staff/error.html", message=message), 413
