"""The notes the books write on their own entries, and how a page words them.

Staff type notes of their own (a supplier payment's "现金，含运费"); the books also note
where an entry came from (the desk, an undo, a short delivery). Those are kept in one
fixed form, written and read only here, so every page words them in its reader's
language from the catalog instead of showing the stored English.
"""

from __future__ import annotations

import re

DESK = "desk"
DESK_UNDO = "desk undo"
UNDO = "undo"
_SHORTFALL = re.compile(r"short delivery: (\d+) -> (\d+)")


def shortfall_note(ordered: int, given: int) -> str:
    """An order cut by a short delivery, from `ordered` to `given` units."""
    return f"short delivery: {ordered} -> {given}"


def read_note(note: str) -> tuple[str, dict[str, int]] | None:
    """The catalog key and values of a note the books wrote; None for a person's own."""
    fixed = {DESK: "staff.ledger.note.desk", DESK_UNDO: "staff.ledger.note.desk_undo",
             UNDO: "staff.ledger.note.undo"}  # fmt: skip
    if note in fixed:
        return fixed[note], {}
    found = _SHORTFALL.fullmatch(note)
    if found:
        return "staff.ledger.note.shortfall", {
            "ordered": int(found.group(1)),
            "given": int(found.group(2)),
        }
    return None
