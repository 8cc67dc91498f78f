"""Importing residents from the committee's spreadsheets (CSV from Chinese Excel).

Files come as UTF-8, UTF-8 with a BOM, or GBK. Every bad row is reported by its
line number and reason; the good rows are imported; a second import of the same
file updates the residents it names instead of adding them again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from core.community.models import Community
from core.context import Core
from core.i18n import LANGUAGES
from core.phones import InvalidPhone, normalize_phone
from core.residents.models import Resident

COLUMNS = ("phone", "name", "building", "unit", "room", "language", "landline")
_YES = {"yes", "y", "1", "true", "是", "有"}
_NO = {"", "no", "n", "0", "false", "否", "无", "没有"}
BATCH = 500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str  # a catalog key, e.g. import.error.phone
    value: str = ""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, missing columns); a catalog key."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail


def decode_spreadsheet(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; GBK (as GB18030, its superset) otherwise."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("import.error.encoding")


@dataclass(frozen=True)
class _Row:
    line: int
    phone: str
    name: str
    building: str
    unit: str
    room: str
    language: str | None
    landline: bool


def _read_rows(text: str) -> tuple[list[_Row], list[RowError]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("phone", "name") if c not in header]
    if missing:
        raise ImportFileError("import.error.columns", ", ".join(missing))
    reader.fieldnames = header
    rows: list[_Row] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in record.items() if k}
        if not any(values.values()):
            continue  # blank lines in spreadsheets are common and mean nothing
        try:
            phone = normalize_phone(values.get("phone", ""))
        except InvalidPhone:
            errors.append(RowError(line, "import.error.phone", values.get("phone", "")))
            continue
        if not values.get("name"):
            errors.append(RowError(line, "import.error.name"))
            continue
        language = values.get("language", "").lower() or None
        if language in ("中文", "chinese"):
            language = "zh"
        elif language in ("英文", "english"):
            language = "en"
        if language is not None and language not in LANGUAGES:
            errors.append(RowError(line, "import.error.language", values.get("language", "")))
            continue
        landline_text = values.get("landline", "").lower()
        if landline_text not in _YES | _NO:
            errors.append(RowError(line, "import.error.landline", values.get("landline", "")))
            continue
        if phone in seen:
            errors.append(RowError(line, "import.error.duplicate", str(seen[phone])))
            continue
        seen[phone] = line
        rows.append(
            _Row(
                line,
                phone,
                values["name"],
                values.get("building", ""),
                values.get("unit", ""),
                values.get("room", ""),
                language,
                landline_text in _YES,
            )
        )
    return rows, errors


def import_residents(
    core: Core, *, community_id: int, data: bytes, progress: Progress | None = None
) -> ImportReport:
    rows, errors = _read_rows(decode_spreadsheet(data))
    report = ImportReport(errors=errors)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        with core.db.transaction() as session:
            community = session.get_one(Community, community_id)
            existing = {
                r.phone: r
                for r in session.scalars(
                    select(Resident).where(
                        Resident.community_id == community_id,
                        Resident.phone.in_([row.phone for row in batch]),
                    )
                )
            }
            for row in batch:
                resident = existing.get(row.phone)
                if resident is None:
                    resident = Resident(community_id=community_id, phone=row.phone)
                    session.add(resident)
                    report.created += 1
                else:
                    report.updated += 1
                resident.name = row.name
                resident.building, resident.unit, resident.room = row.building, row.unit, row.room
                resident.language = row.language or resident.language or community.language
                resident.landline = row.landline
        if progress is not None:
            progress(min(start + BATCH, len(rows)), len(rows))
    report.errors.sort(key=lambda e: e.line)
    return report
