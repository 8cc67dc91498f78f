"""Spreadsheets the committee downloads: CSV for any program, XLSX for Excel and WPS.

Whatever a resident typed may end up in a cell (a name texted in as `=HYPERLINK(...)`),
so every cell is neutralised the way OWASP's CSV injection guidance asks: text that
begins with `= + - @`, a tab or a carriage return gets a leading single quote, and in
XLSX every text cell is typed as text, so no spreadsheet ever runs it as a formula.
Phone columns are written as text in the form residents dial them (`core.formatting.
dial_form`), never as a figure that Excel turns into 8.6138E+12.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

#: What makes Excel, LibreOffice or WPS read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 6, 50

Cell = str | int | None


def neutralise(value: Cell) -> Cell:
    """The cell as a spreadsheet may safely show it: `=1+1` becomes `'=1+1`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Sheet:
    """One table to download: its title (the XLSX tab), header and rows.

    `text_columns` are the indices written as text whatever they hold (phones, flats).
    """

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    text_columns: frozenset[int] = field(default_factory=frozenset)


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a BOM and CRLF lines, so Chinese Excel opens it without garbling."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in sheet.header])
    for row in sheet.rows:
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheet: Sheet) -> bytes:
    """An Excel workbook: bold header, text columns typed as text, widths that fit.

    openpyxl is imported here, not with the module: the resident fields import this
    module for FORMULA_TRIGGERS, and every worker would carry its 175 modules."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    page = book.active
    page.title = _tab_title(sheet.title)
    page.append([_xml_safe(str(cell)) for cell in sheet.header])
    for cell in page[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    for row in sheet.rows:
        page.append([_xml_safe(value) if isinstance(value, str) else value for value in row])
        for index, cell in enumerate(page[page.max_row]):
            if isinstance(cell.value, str) or index in sheet.text_columns:
                if cell.value is not None:
                    cell.value = str(cell.value)
                # Typed text is never a formula; the quote prefix keeps it so after an edit.
                cell.data_type = "s"
                cell.quotePrefix = bool(cell.value and cell.value.startswith(FORMULA_TRIGGERS))
            if index in sheet.text_columns:
                cell.number_format = "@"
                cell.alignment = Alignment(horizontal="left")
    for index in range(len(sheet.header)):
        column = [sheet.header[index], *(r[index] if index < len(r) else "" for r in sheet.rows)]
        width = max((_display_width(value) for value in column), default=MIN_WIDTH)
        page.column_dimensions[get_column_letter(index + 1)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width + 2)
        )
    page.freeze_panes = "A2"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _xml_safe(text: str) -> str:
    """XLSX cannot hold control characters (a NUL from an old import); drop them."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _display_width(value: Cell) -> int:
    """Columns a value takes on screen: a Chinese character is two."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _tab_title(title: str) -> str:
    """Excel's rules for a tab: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return (cleaned or "Sheet")[:31]
