"""What every console page shares: the blueprint, the community being run, the
console's language, and how money, times and CSV files are shown."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, abort, g, request, session
from flask_login import current_user
from sqlalchemy import select

from bootstrap import mianhua
from core import formatting
from core.accounts.acting import Actor, communities_for
from core.books.notes import read_note
from core.bounded import bounded_int
from core.community.models import Community
from core.context import Core
from core.deals.models import DealStatus
from core.i18n import LANGUAGES, t
from core.messages.models import MessageChannel, MessageStatus
from core.money import format_yuan
from core.orders.models import OrderStatus
from core.residents.addresses import display_flat, is_numbered, parse_flat
from core.spreadsheets import Sheet, to_csv, to_xlsx

bp = Blueprint(
    "staff",
    __name__,
    url_prefix="/staff",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

#: Console language: Chinese first; an `?lang=en` on any page switches for the session.
DEFAULT_LANGUAGE = "zh"


def core() -> Core:
    return mianhua().core


def language() -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    lang = session.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def text(key: str, /, **params: object) -> str:
    """A console text in the staff member's language."""
    return t(language(), key, **params)


def both(key: str, /, **params: object) -> tuple[str, str]:
    """The text in Chinese and English, for headings shown with an English subtitle."""
    return t("zh", key, **params), t("en", key, **params)


def communities() -> list[Community]:
    """The communities the logged-in staff member runs: what the switcher offers."""
    if "communities" not in g:
        g.communities = (
            communities_for(core(), current_user.id) if current_user.is_authenticated else []
        )
    return g.communities  # type: ignore[no-any-return]


def community() -> Community:
    """The community being run: the one chosen in this session, else the login's first.

    With no community at all there is nothing to run; the page says how to make one,
    or, for a login that runs none, whom to ask.
    """
    known = communities()
    if not known:
        with core().db.transaction() as db:
            any_community = db.scalar(select(Community.id).limit(1))
        abort(409, description="staff.no_membership" if any_community else "staff.no_community")
    chosen = session.get("community_id")
    for item in known:
        if item.id == chosen:
            return item
    return known[0]


def community_id_or_none() -> int | None:
    """The community being run, where a page can do without one (the header, logout)."""
    known = communities()
    if not known:
        return None
    chosen = session.get("community_id")
    return chosen if any(item.id == chosen for item in known) else known[0].id


def actor() -> Actor:
    """Who is acting, and where: what every console call into the core is given."""
    return Actor(
        user_id=int(current_user.id),
        username=str(current_user.username),
        community_id=community().id,
    )


def money(fen: int | None) -> str:
    if fen is None:
        return "—"
    return formatting.money(fen, language())


def yuan(fen: int | None) -> str:
    """A price as typed in a form: 35, 12.5."""
    return "" if fen is None else format_yuan(fen)


def when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return formatting.when(moment, community().zone, language())


def local_input(moment: datetime | None) -> str:
    """The value of a datetime-local input, in the community's zone."""
    if moment is None:
        return ""
    return moment.astimezone(community().zone).strftime("%Y-%m-%dT%H:%M")


def time_left(left: timedelta) -> str:
    """还剩2天3小时 / 2 d 3 h left; 已截止 once it is over."""
    minutes = int(left.total_seconds() // 60)
    if minutes <= 0:
        return text("staff.time_left.over")
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return text("staff.time_left.days", days=days, hours=hours)
    if hours:
        return text("staff.time_left.hours", hours=hours, minutes=mins)
    return text("staff.time_left.minutes", minutes=mins)


#: The downloads the console offers beside each other: CSV for any program, XLSX for Excel.
DOWNLOAD_FORMATS = ("csv", "xlsx")
_MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def spreadsheet_download(stem: str, sheet: Sheet, fmt: str) -> Response:
    """The sheet as `stem.csv` or `stem.xlsx`, every cell neutralised (core.spreadsheets)."""
    data = to_xlsx(sheet) if fmt == "xlsx" else to_csv(sheet)
    response = Response(data, mimetype=_MIMETYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = _MIMETYPES[fmt]
    response.headers["Content-Disposition"] = f"attachment; filename={stem}.{fmt}"
    return response


def dialled(e164: str) -> str:
    """A phone as the community's residents dial it: 138 0013 8000."""
    return formatting.dial_form(e164, community().region)


def address(building: str, unit: str, room: str) -> str:
    """3号楼2单元401室 / Bldg 3, Unit 2, Room 401; a part that is no number (A座) as written."""
    if language() == "zh":
        return display_flat(building, unit, room)
    parts = [
        text(f"staff.flat.{part}", **{part: value}) if is_numbered(value) else value
        for part, value in (("building", building), ("unit", unit), ("room", room))
        if value
    ]
    return ", ".join(parts)


def address_of(written: str) -> str:
    """An address kept as residents write it (3-2-401) in the page's words: 3号楼2单元401室;
    one that reads as no address is shown as written."""
    found = parse_flat(written)
    return address(found.building, found.unit, found.room) if found else written


def ledger_note(note: str, unit: str) -> str:
    """A ledger entry's note: the books' own in the reader's words (and the deal's unit),
    a person's as typed."""
    own = read_note(note)
    return text(own[0], unit=unit, **own[1]) if own else note


def building_heading(building: str) -> str:
    """The pickup list's heading for a building: 3号楼, or a name such as A座 as written."""
    return address(building, "", "") or "?"


def card_lines(lang: str, key: str) -> list[str]:
    """A catalog text cut into its sentences, one per line on a printed card."""
    whole = t(lang, key)
    return [part.strip() for part in re.split(r"(?<=[。！.!])\s*|\n", whole) if part.strip()]


def page_number() -> int:
    """`?page=`: the first page for anything that is not a page number."""
    return bounded_int(request.args.get("page"), low=1, high=100_000) or 1


@bp.app_template_global("_")
def _template_text(key: str, /, **params: object) -> str:
    return text(key, **params)


@bp.app_context_processor
def _console_helpers() -> dict[str, Any]:
    return {
        "both": both,
        "money": money,
        "yuan": yuan,
        "when": when,
        "time_left": time_left,
        "lang": language,
        "t": t,
        "card_lines": card_lines,
        "console_communities": communities,
        "console_community_id": community_id_or_none,
        "dialled": dialled,
        "address": address,
        "address_of": address_of,
        "ledger_note": ledger_note,
        "building_heading": building_heading,
        # Statuses compared in templates by name, never as bare strings.
        "DealStatus": DealStatus,
        "OrderStatus": OrderStatus,
        "MessageStatus": MessageStatus,
        "MessageChannel": MessageChannel,
    }
