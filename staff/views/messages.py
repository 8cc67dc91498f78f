"""The message log: every text in and out, with delivery states and error reasons."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from core.conversations.holds import current_holds
from core.i18n import catalog
from core.messages.models import MessageKind, MessageStatus
from core.messages.queries import message_log
from staff.console import actor, bp, core, language, page_number


def error_reason(code: str | None, detail: str | None) -> str:
    """A carrier error code in words; the raw detail when we have no words for it."""
    if not code:
        return detail or ""
    key = f"staff.carrier_error.{code}"
    if key in catalog(language()):
        return f"{catalog(language())[key]} ({code})"
    return f"{code} {detail or ''}".strip()


@bp.get("/messages")
def messages() -> Any:
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    phone = request.args.get("phone", "")
    if status not in ("", "problems", *MessageStatus):
        status = ""
    if kind not in ("", *MessageKind):
        kind = ""
    log = message_log(
        core(),
        actor=actor(),
        status=status,
        kind=kind,
        phone=phone,
        page=page_number(),
    )
    holds = current_holds(core(), actor=actor())
    return render_template(
        "staff/messages.html",
        holds=holds,
        held_phones={h.phone for h in holds},
        log=log,
        status=status,
        kind=kind,
        phone=phone,
        statuses=list(MessageStatus),
        kinds=list(MessageKind),
        error_reason=error_reason,
    )
