"""Cutting a text into pieces that each fit one template variable.

Mainland variables are short (Aliyun 35 characters, Tencent 20), while a reply or a
list of deals is written for one or two SMS. The text is cut at the natural breaks a
reader pauses at (。；，、 a new line), never inside a number or a Latin word, so each
piece reads on its own; a piece is one more text to the resident.
"""

from __future__ import annotations

import re

#: Where a piece may end, best first: a sentence, a clause, a list item, a space.
BREAKS = ("\n", "。", "！", "？", "；", "：", "，", "、", " ")
_RUN = re.compile(r"[0-9A-Za-z.:%/-]+")


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of `text`, in order, each at most `limit` characters and none empty."""
    if limit < 1:
        raise ValueError("a variable holds at least one character")
    rest = text.strip()
    pieces: list[str] = []
    while rest:
        if len(rest) <= limit:
            pieces.append(rest)
            break
        cut = _cut(rest, limit)
        piece, rest = rest[:cut].strip(), rest[cut:].strip()
        if piece:
            pieces.append(piece)
    return pieces


def _cut(text: str, limit: int) -> int:
    """How many characters the next piece takes: after the best break in the window's
    second half, else before a number or word the window would cut in two."""
    window = text[:limit]
    for mark in BREAKS:
        at = window.rfind(mark)
        if at >= limit // 2:
            return at + 1
    for run in _RUN.finditer(text):
        if run.start() < limit < run.end() and run.start() > 0:
            return run.start()
    return limit
