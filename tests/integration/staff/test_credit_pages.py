"""A resident's credit on the console: taken off the amount to pay on the orders page,
the printed list and the desk, spent when she collects, and her balance on her page."""

from __future__ import annotations

from tests.unit.core.books.helpers import credited_and_buying_again


def test_the_credit_shows_where_the_next_order_is_paid_and_on_her_page(staff, app_world):
    resident, _millet, pears, order_id = credited_and_buying_again(
        app_world, bad_units=1, credit_fen=1500
    )
    orders = f"/staff/deals/{pears.id}/orders"
    row = staff.page(orders).split(f'id="order-{order_id}"')[1].split("</tr>")[0]
    assert 'value="10"' in row and "含抵用款15元" in row  # 25 yuan less the 15 credited
    printed = staff.page(f"/staff/deals/{pears.id}/pickup-list/print")
    assert "合计：1箱，应收10元" in printed and "含抵用款15元" in printed
    person = f"/staff/residents/{resident.id}"
    assert "抵用款：共记15元，已用0元，余15元" in staff.page(person)

    desk = staff.page(f"/staff/desk?q={resident.phone[-4:]}")
    assert "<strong>10元</strong>" in desk and "已扣抵用款15元" in desk
    tap = staff.post(
        f"/staff/desk/households/{resident.id}/pick-up",
        {"order": str(order_id), "method": "cash"},
        form_on="/staff/desk",
    )
    assert "收10元（现金）。另用抵用款15元。" in staff.page(tap.headers["Location"])
    assert "抵用款：共记15元，已用15元，余0元" in staff.page(person)
    ledger = staff.page(f"/staff/deals/{pears.id}/ledger")
    assert 'id="credit-spent"' in ledger and "账目平衡" in ledger
