"""Deals in the console: create with clear validation messages, edit, open, close, call off."""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import AuditLog
from core.deals.services import list_deals
from core.orders.services import place_order

GOOD = {
    "title_zh": "赵县雪花梨",
    "title_en": "Snow pears",
    "unit": "箱",
    "price": "35",
    "market_price": "58",
    "min_units": "30",
    "stock_cap": "80",
    "limit": "3",
    "opens_at": "",
    "closes_at": "2026-11-26T20:00",
    "pickup_start": "2026-11-28T09:00",
    "pickup_end": "2026-11-28T11:00",
    "pickup_place": "社区服务站",
    "supplier": "赵县梨园合作社",
    "if_short": "extend",
    "extend_hours": "24",
}


def test_staff_create_and_open_a_deal(staff, app_world):
    response = staff.post("/staff/deals/new", {**GOOD, "open_now": "y"}, form_on="/staff/deals/new")
    assert response.status_code == 302
    [deal] = list_deals(app_world.core, community_id=app_world.community_id)
    assert (deal.title_zh, deal.price_fen, deal.stock_cap, deal.status) == (
        "赵县雪花梨",
        3500,
        80,
        "open",
    )
    assert deal.closes_at == app_world.local(3, 20)  # 26 Nov 20:00 Shanghai time
    page = staff.page(response.headers["Location"])
    assert "已建好1号团购：赵县雪花梨" in page
    assert "还差30箱成团" in page


def test_a_draft_is_opened_with_its_button(staff, app_world):
    staff.post("/staff/deals/new", GOOD, form_on="/staff/deals/new")
    draft = list_deals(app_world.core, community_id=app_world.community_id)[0]
    assert draft.status == "draft"
    staff.post(f"/staff/deals/{draft.id}/open")
    assert list_deals(app_world.core, community_id=app_world.community_id)[0].status == "open"


def problems(staff, **changes):  # type: ignore[no-untyped-def]
    response = staff.post("/staff/deals/new", {**GOOD, **changes}, form_on="/staff/deals/new")
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_validation_speaks_plainly(staff, app_world):
    assert "请填写团购价" in problems(staff, price="")
    assert "价格请写成数字" in problems(staff, price="三十五")
    assert "截止时间：截止时间必须晚于开始时间" in problems(staff, opens_at="2026-11-27T08:00")
    assert "取货开始：取货时间必须在截止之后" in problems(staff, pickup_start="2026-11-26T09:00")
    assert "截止时间已经过了" in problems(staff, closes_at="2026-11-20 20:00")
    assert "时间格式不对" in problems(staff, closes_at="下周三")
    assert list_deals(app_world.core, community_id=app_world.community_id) == []


def test_edit_keeps_the_number_and_is_audited(staff, app_world):
    deal = app_world.deal(stock_cap=20)
    form = staff.page(f"/staff/deals/{deal.id}/edit")
    assert 'value="35"' in form and 'value="2026-11-26T20:00"' in form
    changed = {**GOOD, "title_zh": "雪花梨（大果）", "stock_cap": "50", "if_short": "cancel"}
    response = staff.post(f"/staff/deals/{deal.id}/edit", changed, form_on="/staff/deals")
    assert response.status_code == 302
    [after] = list_deals(app_world.core, community_id=app_world.community_id)
    assert (after.number, after.title_zh, after.stock_cap) == (deal.number, "雪花梨（大果）", 50)
    with app_world.core.db.transaction() as session:
        assert session.scalar(select(AuditLog.actor).where(AuditLog.action == "deal.edit")) == (
            "xiaoli"
        )


def test_closing_tells_the_outcome(staff, app_world):
    deal = app_world.deal(min_units=1)
    place_order(
        app_world.core,
        community_id=app_world.community_id,
        phone=app_world.resident().phone,
        deal_number=deal.number,
        quantity=2,
        channel="sms",
    )
    response = staff.post(f"/staff/deals/{deal.id}/close")
    assert "已截止并成团，已通知1户" in staff.page(response.headers["Location"])


def test_an_admin_calls_a_deal_off(admin, app_world):
    deal = app_world.deal()
    response = admin.post(f"/staff/deals/{deal.id}/call-off")
    assert "团购已取消，已通知0户" in admin.page(response.headers["Location"])
    assert list_deals(app_world.core, community_id=app_world.community_id) == []


def test_an_unknown_deal_is_a_polite_404(staff, app_world):
    response = staff.get("/staff/deals/42")
    assert response.status_code == 404
    assert "找不到" in response.get_data(as_text=True)
