"""Downloads that Excel cannot be tricked by: no live formulas, phones as residents dial them,
and an XLSX beside every CSV (issue 10, finding 3)."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from core.deals.models import Deal
from core.orders.services import place_order
from core.residents.models import Resident

#: What an attacker would put in a name (OWASP's examples and finding 3's).
FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


def _resident_from_before_the_fix(world, name: str, phone: str, building: str = "3") -> None:  # type: ignore[no-untyped-def]
    """Rows stored before names were checked: exports must be safe whatever the table holds."""
    with world.core.db.transaction() as session:
        session.add(
            Resident(
                community_id=world.community_id,
                phone=phone,
                name=name,
                building=building,
                unit="2",
                room="401",
                language="zh",
            )
        )


@pytest.fixture
def poisoned(app_world):  # type: ignore[no-untyped-def]
    deal = app_world.deal()
    for index, name in enumerate(FORMULAS):
        phone = f"+861380013800{index}"
        _resident_from_before_the_fix(
            app_world, name, phone, building="=1+1" if index == 0 else "3"
        )
        placed = place_order(
            app_world.core,
            community_id=app_world.community_id,
            phone=phone,
            deal_number=deal.number,
            quantity=1,
            channel="sms",
        )
        assert placed
    with app_world.core.db.transaction() as session:
        session.get_one(Deal, deal.id).title_zh = '=WEBSERVICE("http://x")'
    landline = app_world.resident("郭奶奶", phone="0311-8888-6666", landline=True)
    place_order(
        app_world.core,
        community_id=app_world.community_id,
        phone=landline.phone,
        deal_number=deal.number,
        quantity=2,
        channel="voice",
    )
    return deal


def _cells(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _no_live_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row


def test_the_pickup_list_csv_holds_no_formula_and_phones_as_dialled(staff, poisoned):
    rows = _cells(staff.get(f"/staff/deals/{poisoned.id}/pickup-list.csv").data)
    _no_live_formula(rows)
    names = {row[3] for row in rows[1:]}
    assert '\'=HYPERLINK("http://x","y")' in names and "'@SUM(1+1)" in names
    assert "'+cmd|' /C calc'!A0" in names and "'\t=1+1" in names
    assert "'=1+1" in {row[0] for row in rows[1:]}  # the building too
    phones = {row[4] for row in rows[1:]}
    assert "138 0013 8000" in phones and "0311-8888 6666" in phones
    assert not any("E+" in phone or phone.startswith("+86") for phone in phones)


def test_the_residents_and_supplier_csvs_hold_no_formula(staff, poisoned):
    residents = _cells(staff.get("/staff/residents.csv").data)
    assert residents[0] == ["phone", "name", "building", "unit", "room", "language", "landline"]
    _no_live_formula(residents)
    assert ["0311-8888 6666", "郭奶奶"] in [row[:2] for row in residents]
    sheet = _cells(staff.get(f"/staff/deals/{poisoned.id}/supplier-sheet.csv").data)
    _no_live_formula(sheet)
    assert sheet[1][1] == '\'=WEBSERVICE("http://x")'


def test_an_exported_residents_csv_imports_back(staff, poisoned, app_world):
    from core.residents.importing import import_residents

    with app_world.core.db.transaction() as session:  # a line break in a name: see below
        session.execute(update(Resident).where(Resident.name == "\r=1+1").values(name="李明"))
    exported = staff.get("/staff/residents.csv").data
    report = import_residents(app_world.core, community_id=app_world.community_id, data=exported)
    # Phones read back from their dialled form; the export's quote guard is taken off
    # again, so the formula-looking names are refused by the import's own name check.
    assert (report.created, report.updated) == (0, 2)
    reasons = Counter(e.reason for e in report.errors)
    assert reasons == {"import.error.unsafe": 4, "import.error.control": 1}  # and the tab


def test_a_name_with_a_line_break_makes_the_export_unimportable_not_wrong(staff, poisoned, app):
    """A quoted line break is exactly what a quote left open looks like: the file is refused."""
    from core.residents.importing import ImportFileError, import_residents

    exported = staff.get("/staff/residents.csv").data
    with pytest.raises(ImportFileError) as refused:
        import_residents(app.extensions["mianhua"].core, community_id=1, data=exported)
    assert refused.value.key == "import.error.quoting"


def _workbook(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(data)).active


@pytest.mark.parametrize(
    ("path", "phone_column"),
    [("/staff/deals/{n}/pickup-list.xlsx", 5), ("/staff/residents.xlsx", 1)],
)
def test_xlsx_downloads_have_chinese_headers_text_phones_and_widths(
    staff, poisoned, path, phone_column
):
    response = staff.get(path.format(n=poisoned.id))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"].endswith(".xlsx")
    page = _workbook(response.data)
    header = [cell.value for cell in page[1]]
    assert "姓名" in header and "电话" in header
    for row in page.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
        if row[header.index("姓名")].value is None:
            continue  # the pickup list's page subtotals and total, under the orders
        phone = row[phone_column - 1]
        assert phone.data_type == "s" and phone.number_format == "@"
        assert " " in phone.value and not phone.value.startswith("+86")
    names = {row[header.index("姓名")].value for row in page.iter_rows(min_row=2)}
    assert '=HYPERLINK("http://x","y")' in names  # kept exactly, but as text
    letter = "ABCDEFGHIJ"[phone_column - 1]
    assert 14 <= page.column_dimensions[letter].width <= 50


def test_the_supplier_sheet_xlsx_is_offered_beside_its_csv(staff, poisoned):
    page = staff.page(f"/staff/deals/{poisoned.id}/orders")
    for link in (
        "pickup-list.csv",
        "pickup-list.xlsx",
        "supplier-sheet.csv",
        "supplier-sheet.xlsx",
    ):
        assert f"/staff/deals/{poisoned.id}/{link}" in page
    assert "/staff/residents.xlsx" in staff.page("/staff/residents")
    book = _workbook(staff.get(f"/staff/deals/{poisoned.id}/supplier-sheet.xlsx").data)
    assert book["B2"].value == '=WEBSERVICE("http://x")' and book["B2"].data_type == "s"
    assert book["A1"].value == "编号"


def test_the_printed_pickup_list_and_resident_list_show_phones_as_dialled(staff, poisoned):
    printed = staff.page(f"/staff/deals/{poisoned.id}/pickup-list/print")
    assert "0311-8888 6666" in printed and "+8631188886666</td>" not in printed
    assert "0311-8888 6666" in staff.page("/staff/residents")
