"""Numbers in the deal form that no deal can have are named at their field (finding 8)."""

from __future__ import annotations

import pytest

from tests.integration.staff.test_deals import GOOD


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("extend_hours", "2147483647", "延长时间为1到744小时"),
        ("min_units", "99999999999999999999", "请填写整数"),
        ("stock_cap", "²", "请填写整数"),
        ("limit", "-1", "请填写整数"),
        ("price", "99999999999", "价格"),
    ],
)
def test_a_deal_form_with_an_impossible_number_says_which_field(staff, field, value, says):
    response = staff.post("/staff/deals/new", {**GOOD, field: value}, form_on="/staff/deals/new")
    assert response.status_code == 422
    assert says in response.get_data(as_text=True)
