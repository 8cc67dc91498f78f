"""Importing residents from the committee's spreadsheets (CSV from Chinese Excel).

Files come as UTF-8, UTF-8 with a BOM, or GBK. The whole file is read and every row
checked before anything is written: a file that cannot be read as a whole (a quote
left open, a binary file, a field bigger than any CSV should hold) changes nothing and
says why; otherwise every good row is imported and every bad one reported by its line
number and reason. A row is checked against its columns (length, control characters,
a name no spreadsheet would run as a formula) and its meaning (a phone of the
community's own country unless the operator allows others, no phone twice in a file).
A second import of the same file updates the residents it names instead of adding
them again.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from core.community.models import Community
from core.context import Core
from core.i18n import LANGUAGES
from core.phones import InvalidPhone, normalize_phone, region_of
from core.residents.addresses import normalise_flat
from core.residents.fields import field_problem
from core.residents.models import Resident
from core.spreadsheets import FORMULA_TRIGGERS

log = logging.getLogger(__name__)

COLUMNS = ("phone", "name", "building", "unit", "room", "language", "landline")
_YES = {"yes", "y", "1", "true", "是", "有"}
_NO = {"", "no", "n", "0", "false", "否", "无", "没有"}
BATCH = 500
#: Files that are spreadsheets or archives, not CSV: Excel's .xlsx (a zip), old .xls.
_BINARY_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x1f\x8b")
#: Longer than the `value` shown with a row's problem is cut, so the page stays readable.
_SHOWN_CHARS = 40
#: What row problems say instead of the field-level catalog keys of `core.residents.fields`.
_IMPORT_REASON = {
    "resident.error.control": "import.error.control",
    "resident.error.too_long": "import.error.too_long",
    "resident.error.formula": "import.error.unsafe",
}

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
    """The file as a whole cannot be read (encoding, quoting, columns); a catalog key."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail


def decode_spreadsheet(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; GBK (as GB18030, its superset) otherwise.

    GB18030 decodes almost any bytes, so a binary file is recognised first, by its
    magic number or by being full of NULs and control bytes.
    """
    if data.startswith(_BINARY_MAGIC):
        raise ImportFileError("import.error.binary")
    if not data.strip():
        raise ImportFileError("import.error.empty")
    sample = data[:4096]
    control = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    if control > max(4, len(sample) // 100):
        raise ImportFileError("import.error.binary")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("import.error.encoding")


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on; the whole file fails on bad quoting.

    No field of a residents' list holds a line break, so a record spanning lines is a
    quote left open that swallowed the rows after it, not a name.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            key = "import.error.field_size" if "field limit" in str(exc) else "import.error.quoting"
            raise ImportFileError(key, str(start)) from exc
        if reader.line_num > start and any("\n" in v or "\r" in v for v in record):
            raise ImportFileError("import.error.quoting", str(start))
        yield start, record
        start = reader.line_num + 1


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


def _shown(value: str) -> str:
    """A bad value as the error line shows it: control characters visible, kept short."""
    visible = "".join("�" if ord(ch) < 32 or ch == "\x7f" else ch for ch in value)
    return visible if len(visible) <= _SHOWN_CHARS else visible[: _SHOWN_CHARS - 1] + "…"


def _unquoted(value: str) -> str:
    """Undo the export's formula guard (`'=...`), so an exported file reads back as it was."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


class _Checker:
    """Checks one file's rows in order, remembering the phones it has seen."""

    def __init__(self, region: str, allow_other_countries: bool) -> None:
        self.region = region
        self.allow_other_countries = allow_other_countries
        self.seen: dict[str, int] = {}

    def check(self, line: int, values: dict[str, str]) -> _Row | RowError:
        raw_phone = values.get("phone", "")
        try:
            phone = normalize_phone(raw_phone, self.region)
        except InvalidPhone:
            return RowError(line, "import.error.phone", _shown(raw_phone))
        if region_of(phone) != self.region and not self.allow_other_countries:
            return RowError(line, "import.error.phone_country", _shown(raw_phone))
        if not values.get("name"):
            return RowError(line, "import.error.name")
        flat = normalise_flat(
            values.get("building", ""), values.get("unit", ""), values.get("room", "")
        )
        values = {**values, "building": flat.building, "unit": flat.unit, "room": flat.room}
        for column in ("name", "building", "unit", "room"):
            problem = field_problem(column, values.get(column, ""))
            if problem is not None:
                return RowError(line, _IMPORT_REASON[problem], _shown(values[column]))
        language = values.get("language", "").lower() or None
        if language in ("中文", "chinese"):
            language = "zh"
        elif language in ("英文", "english"):
            language = "en"
        if language is not None and language not in LANGUAGES:
            return RowError(line, "import.error.language", _shown(values.get("language", "")))
        landline_text = values.get("landline", "").lower()
        if landline_text not in _YES | _NO:
            return RowError(line, "import.error.landline", _shown(values.get("landline", "")))
        if phone in self.seen:
            return RowError(line, "import.error.duplicate", str(self.seen[phone]))
        self.seen[phone] = line
        return _Row(
            line,
            phone,
            values["name"],
            values.get("building", ""),
            values.get("unit", ""),
            values.get("room", ""),
            language,
            landline_text in _YES,
        )


def read_rows(
    text: str, *, region: str = "CN", allow_other_countries: bool = False
) -> tuple[list[_Row], list[RowError]]:
    """Every row of the file, checked; raises ImportFileError before returning any."""
    records = _records(text)
    first = next(records, None)
    if first is None:
        raise ImportFileError("import.error.empty")
    header = [(h or "").strip().lower() for h in first[1]]
    missing = [c for c in ("phone", "name") if c not in header]
    if missing:
        raise ImportFileError("import.error.columns", ", ".join(missing))
    checker = _Checker(region, allow_other_countries)
    rows: list[_Row] = []
    errors: list[RowError] = []
    for line, record in records:
        if not any(v.strip() for v in record):
            continue  # blank lines in spreadsheets are common and mean nothing
        if len(record) > len(header) and any(v.strip() for v in record[len(header) :]):
            errors.append(RowError(line, "import.error.extra_columns"))
            continue
        values = {
            name: _unquoted(value.strip())
            for name, value in zip(header, record, strict=False)
            if name in COLUMNS
        }
        checked = checker.check(line, values)
        if isinstance(checked, RowError):
            errors.append(checked)
        else:
            rows.append(checked)
    return rows, errors


def import_residents(
    core: Core,
    *,
    community_id: int,
    data: bytes,
    progress: Progress | None = None,
    allow_other_countries: bool = False,
) -> ImportReport:
    """Check the whole file, then write the good rows in batches; never raises for a row."""
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        region, default_language = community.region, community.language
    rows, errors = read_rows(
        decode_spreadsheet(data), region=region, allow_other_countries=allow_other_countries
    )
    report = ImportReport(errors=errors)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        try:
            _write(core, community_id, default_language, batch, report)
        except SQLAlchemyError:
            # Something the checks could not foresee (a resident added meanwhile): the
            # batch was rolled back whole, so take its rows one by one and name the few.
            log.warning("resident import: batch at row %s refused; retrying by row", start)
            for row in batch:
                try:
                    _write(core, community_id, default_language, [row], report)
                except SQLAlchemyError:
                    log.exception("resident import: line %s not saved", row.line)
                    report.errors.append(RowError(row.line, "import.error.not_saved"))
        if progress is not None:
            progress(min(start + BATCH, len(rows)), len(rows))
    report.errors.sort(key=lambda e: e.line)
    return report


def _write(
    core: Core, community_id: int, default_language: str, rows: list[_Row], report: ImportReport
) -> None:
    """One transaction: the counts move only once it commits."""
    created = updated = 0
    with core.db.transaction() as session:
        existing = {
            r.phone: r
            for r in session.scalars(
                select(Resident).where(
                    Resident.community_id == community_id,
                    Resident.phone.in_([row.phone for row in rows]),
                )
            )
        }
        for row in rows:
            resident = existing.get(row.phone)
            if resident is None:
                resident = Resident(community_id=community_id, phone=row.phone)
                session.add(resident)
                created += 1
            else:
                updated += 1
            resident.name = row.name
            resident.building, resident.unit, resident.room = row.building, row.unit, row.room
            resident.language = row.language or resident.language or default_language
            resident.landline = row.landline
    report.created += created
    report.updated += updated
