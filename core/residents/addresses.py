"""A flat's address as residents write it, stored one way and shown one way.

Residents and staff write the same flat as `3/2/401`, `3-2-401`, `三号楼二单元401`,
`3号楼/二单元/401室` or `3栋2单元401`. Each is stored as building `3`, unit `2`, room
`401` (the words 号楼, 单元, 室 are the display's, never the data's: stored words once
printed as `3号楼号楼`), shown as `3号楼2单元401室`, and sorted naturally, so
`2-1-101` comes before `10-1-201`. A part that is not a number (`A座`, `东区`) is kept
as written, trimmed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import cn2an

_CN_DIGITS = "零〇一二两三四五六七八九十百"
#: What people write after each part; stripped on input, added back on display.
_BUILDING_WORDS = ("号楼", "号", "栋", "幢", "楼", "座")
_UNIT_WORDS = ("单元", "门", "单")
_ROOM_WORDS = ("室", "号", "户")
#: A part shown with its word: digits, optionally one letter (`3A`, `12B`).
_NUMBERED = re.compile(r"^\d+[A-Za-z]?$")
#: A whole address written with separators: 3/2/401, 3-2-401, 3 2 401, 3、2、401.
_SEPARATED = re.compile(
    r"^\s*([^/\-—－_、,，\s]+)\s*[/\-—－_、,，\s]\s*([^/\-—－_、,，\s]+)"
    r"\s*[/\-—－_、,，\s]\s*([^/\-—－_、,，\s]+)\s*$"
)
#: A whole address written with its words: 3号楼2单元401室, 三号楼二单元401.
_WORDED = re.compile(
    r"^\s*(?P<b>[^/\s]+?)\s*(?:号楼|栋|幢|号|楼|座)\s*[/\s]*"
    r"(?P<u>[^/\s]+?)\s*(?:单元|门|单)\s*[/\s]*"
    r"(?P<r>[^/\s]+?)\s*(?:室|号|户)?\s*$"
)


@dataclass(frozen=True)
class Flat:
    building: str
    unit: str
    room: str


def _numerals(text: str) -> str:
    """Full-width digits and Chinese numerals as Arabic digits: 三 -> 3, 四零一 -> 401."""
    text = unicodedata.normalize("NFKC", text).strip()
    if text and all(ch in _CN_DIGITS for ch in text):
        try:
            return str(cn2an.cn2an(text.replace("〇", "零"), "smart"))
        except (ValueError, KeyError):
            return text
    return text


def _part(raw: str, words: tuple[str, ...]) -> str:
    """One part of an address without its word, its numerals in digits."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    for word in words:
        if text.endswith(word) and len(text) > len(word):
            candidate = _numerals(text[: -len(word)])
            if _NUMBERED.match(candidate):
                return candidate
    number = _numerals(text)
    return number if _NUMBERED.match(number) else text


def is_numbered(part: str) -> bool:
    """Whether a stored part is a number (3, 12B) that its word (号楼, 单元, 室) follows."""
    return bool(_NUMBERED.match(part or ""))


def parse_flat(text: str) -> Flat | None:
    """A whole address in one string (3/2/401, 三号楼二单元401), or None if it is not one."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    for pattern in (_WORDED, _SEPARATED):
        match = pattern.match(cleaned)
        if match:
            b, u, r = match.groups()
            return Flat(_part(b, _BUILDING_WORDS), _part(u, _UNIT_WORDS), _part(r, _ROOM_WORDS))
    return None


def normalise_flat(building: str, unit: str = "", room: str = "") -> Flat:
    """The stored form of an address however it came: in three fields, or all in the first.

    `building="3号楼/二单元/401室"` with the others empty is read as one address; three
    fields (`三号楼`, `二单元`, `401室`) are each trimmed of their word.
    """
    building, unit, room = (building or "").strip(), (unit or "").strip(), (room or "").strip()
    if building and not unit and not room:
        whole = parse_flat(building)
        if whole is not None:
            return whole
    return Flat(
        _part(building, _BUILDING_WORDS), _part(unit, _UNIT_WORDS), _part(room, _ROOM_WORDS)
    )


def display_flat(building: str, unit: str, room: str, language: str = "zh") -> str:
    """3号楼2单元401室 (zh) or 3-2-401 (en); a part that is not a number is shown as written.

    The console's English pages word it from their catalog (Bldg 3, Unit 2, Room 401).
    """
    if language != "zh":
        return "-".join(part for part in (building, unit, room) if part)
    shown = []
    for part, word in ((building, "号楼"), (unit, "单元"), (room, "室")):
        if part:
            shown.append(f"{part}{word}" if _NUMBERED.match(part) else part)
    return "".join(shown)


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    return tuple(
        (0, int(piece)) if piece.isdigit() else (1, piece)
        for piece in re.findall(r"\d+|\D+", text or "")
    )


def room_sort_key(building: str, unit: str, room: str) -> tuple[object, ...]:
    """Natural order of flats: 2-1-101 before 10-1-201, 3A after 3."""
    return (_natural(building), _natural(unit), _natural(room))
