"""What a resident's name and flat may hold: the checks every way in shares.

The console form, the CSV import and SMS self-registration all write the same
columns, so they check them the same way: within the column's length (PostgreSQL
refuses a longer value, and refusing it mid-import once lost the rest of a file), no
control characters (a NUL, a line break, a right-to-left override), and no name that
a spreadsheet would run as a formula (`=HYPERLINK(...)`). Each check answers a
catalog key, so the channel can say what is wrong in the reader's language.
"""

from __future__ import annotations

import unicodedata

from core.residents.models import Resident
from core.spreadsheets import FORMULA_TRIGGERS

#: A resident's free-text columns, in the order people write them.
TEXT_FIELDS = ("name", "building", "unit", "room")
#: Column lengths, read from the model so a migration that widens one widens the check.
MAX_LENGTH = {name: Resident.__table__.c[name].type.length for name in TEXT_FIELDS}


def has_control_characters(text: str) -> bool:
    """NUL, line breaks, tabs, escapes, and invisible format marks such as U+202E."""
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def looks_like_formula(text: str) -> bool:
    """What Excel or WPS would evaluate if the text opened a cell."""
    return text.startswith(FORMULA_TRIGGERS)


def field_problem(column: str, value: str) -> str | None:
    """Why `value` cannot be stored in `column` (a catalog key), or None when it can."""
    if has_control_characters(value):
        return "resident.error.control"
    if len(value) > MAX_LENGTH[column]:
        return "resident.error.too_long"
    if column == "name" and looks_like_formula(value):
        return "resident.error.formula"
    return None
