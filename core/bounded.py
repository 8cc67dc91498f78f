"""Whole numbers read from requests, within what the database can hold.

`str.isdigit()` says yes to `²` (and then `int()` raises), `int()` takes `١٢` and
numbers of any length, and PostgreSQL's integer columns stop at 2**31 - 1: each of
those was a 500. Every number a request carries (an id in a URL, `?page=`, `?m=`, a
form field) is read here: ASCII digits (full-width ones from a Chinese keyboard
count), within bounds, or None, which the channel turns into a polite 400 or 404.
"""

from __future__ import annotations

#: The largest id or count any table holds (PostgreSQL `integer`).
MAX_INT = 2**31 - 1
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def bounded_int(text: str | None, *, low: int = 0, high: int = MAX_INT) -> int | None:
    """`text` as a whole number in [low, high], or None when it is anything else."""
    if text is None:
        return None
    digits = text.strip().translate(_FULL_WIDTH)
    if not digits or len(digits) > len(str(high)) or not (digits.isascii() and digits.isdigit()):
        return None
    number = int(digits)
    return number if low <= number <= high else None
