"""The mainland template catalogue (per provider: code, variables, check, longest text),
filing a template from the console, and the texts the daily cap held or merged.

The rules live in core/carriers; this page shows `catalogue`, files through
`file_template` (admins), and lists `held_and_merged`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from core.accounts.acting import AdminOnly
from core.carriers.catalogue import (
    SENDING_WINDOW,
    FreeText,
    catalogue,
    file_template,
    free_text_route,
    held_and_merged,
)
from core.carriers.keys import TEMPLATE_KEYS
from core.carriers.models import Carrier
from core.carriers.services import CatalogueProblem
from core.carriers.variables import VARIABLES
from staff.console import actor, bp, community_id_or_none, core, text

#: The longest template text the form takes (the providers' 500, signature included).
MAX_TEMPLATE_TEXT = 500


@bp.route("/templates", methods=["GET", "POST"])
def templates() -> Any:
    problem = None
    if request.method == "POST":
        provider = request.form.get("provider", "")
        key = request.form.get("key", "")
        words = request.form.get("text", "")
        if provider not in Carrier.__members__.values() or key not in TEMPLATE_KEYS:
            problem = text("staff.templates.bad_key")
        elif len(words) > MAX_TEMPLATE_TEXT:
            problem = text("staff.templates.too_long", limit=MAX_TEMPLATE_TEXT)
        else:
            try:
                filed = file_template(
                    core(),
                    actor=actor(),
                    provider=provider,
                    key=key,
                    template_code=request.form.get("code", ""),
                    template_text=words,
                    variables=request.form.get("variables", "").replace("，", ",").split(","),
                )
            except AdminOnly:
                abort(403)
            if isinstance(filed, CatalogueProblem):
                problem = text(f"staff.templates.problem.{filed.field}", detail=filed.detail)
            else:
                flash(text("staff.templates.saved", key=key, code=filed.template_code))
                return redirect(url_for("staff.templates", _anchor=f"{provider}-{key}"))
    return render_template(
        "staff/templates.html",
        catalogue=catalogue(core(), actor=actor()),
        problem=problem,
        form=request.form if problem else {},
        variables=VARIABLES,
        window=SENDING_WINDOW,
    ), (422 if problem else 200)


@bp.get("/templates/held")
def held_texts() -> Any:
    """Who the daily cap held to the next morning, and who got a digest instead."""
    return render_template(
        "staff/held_texts.html", held=held_and_merged(core(), actor=actor()), window=SENDING_WINDOW
    )


@bp.app_template_global("free_text_route")
def _free_text_route(key: str) -> FreeText | None:
    """For the message forms: how staff's words reach a mainland resident (None: freely)."""
    if community_id_or_none() is None:
        return None
    return free_text_route(core(), actor=actor(), key=key)  # type: ignore[no-any-return]


@bp.app_template_global("template_keys")
def _template_keys() -> list[str]:
    return list(TEMPLATE_KEYS)
