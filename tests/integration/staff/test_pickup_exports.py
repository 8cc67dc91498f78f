"""The pickup list's CSV and XLSX carry what each household still has to pay (after
credits and what was taken) and the printed list's page subtotals and total."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from core.books.cash import collect_at_pickup
from core.books.models import EntryKind, PayMethod
from core.books.quality import make_good
from core.orders.services import place_order
from tests.unit.core.books.helpers import gone_ahead, ordered


def _pickup_day(world):  # type: ignore[no-untyped-def]
    """24 households order pears at 15 yuan (one of them 2); 住户1 has 10 yuan of credit
    from bad millet, 住户2 has paid already."""
    millet = world.deal("沁州黄小米", price_fen=2500, unit="袋", min_units=1)
    pears = world.deal("赵县雪花梨", price_fen=1500, unit="份", min_units=1)
    households = ordered(world, pears, *([1] * 23), 2)
    (first, _), (_, second_order) = households[0], households[1]
    millet_order = place_order(
        world.core,
        community_id=world.community_id,
        phone=first.phone,
        deal_number=millet.number,
        quantity=1,
        channel="sms",
    ).order.id
    gone_ahead(world, millet)
    gone_ahead(world, pears)
    for order_id, amount in ((millet_order, 2500), (second_order, 1500)):
        collect_at_pickup(
            world.core,
            community_id=world.community_id,
            order_id=order_id,
            amount_fen=amount,
            method=PayMethod.CASH,
            by="张阿姨",
        )
    make_good(
        world.core,
        community_id=world.community_id,
        order_id=millet_order,
        kind=EntryKind.CREDITED,
        amount_fen=1000,
        form_token="millet",
        by="李会计",
    )
    return pears


#: (label, units, to pay) under the list: 22 rows a page, as printed.
TOTALS = [("第1/2页小计", "22", "305"), ("第2/2页小计", "3", "45"), ("合计", "25", "350")]


def test_the_csv_has_a_to_pay_column_and_the_printed_totals(staff, app_world):
    pears = _pickup_day(app_world)
    data = staff.get(f"/staff/deals/{pears.id}/pickup-list.csv").data
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    pay, units = header.index("应付（元）"), header.index("数量")
    by_name = {row[3]: row for row in rows if row[3]}
    assert len(by_name) == 24
    assert by_name["住户1"][pay] == "5"  # 15 less the 10 of credit
    assert by_name["住户2"][pay] == "0"  # paid already
    assert (by_name["住户3"][pay], by_name["住户24"][pay]) == ("15", "30")
    assert [(row[0], row[units], row[pay]) for row in rows if not row[3]] == TOTALS
    printed = staff.page(f"/staff/deals/{pears.id}/pickup-list/print")
    assert "合计：25份，应收350元" in printed  # the same figure on paper


def test_the_xlsx_has_the_same_column_and_totals_in_chinese(staff, app_world):
    pears = _pickup_day(app_world)
    data = staff.get(f"/staff/deals/{pears.id}/pickup-list.xlsx").data
    sheet = load_workbook(io.BytesIO(data)).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    pay, units, name = header.index("应付（元）"), header.index("数量"), header.index("姓名")
    by_name = {row[name]: row for row in rows if row[name]}
    assert (by_name["住户1"][pay], by_name["住户2"][pay], by_name["住户24"][pay]) == (
        "5",
        "0",
        "30",
    )
    totals = [(row[0], str(row[units]), row[pay]) for row in rows if not row[name]]
    assert totals == TOTALS
