"""The dashboard, the message log and the bulk reminder as staff see them."""

from __future__ import annotations

import json

from sqlalchemy import select

from core.accounts.models import AuditLog
from core.messages.models import Message
from core.messages.services import apply_status_callback
from core.orders.services import place_order


def buy(world, name, deal, quantity, channel="sms", **resident):  # type: ignore[no-untyped-def]
    person = world.resident(name, **resident)
    placed = place_order(
        world.core,
        community_id=world.community_id,
        phone=person.phone,
        deal_number=deal.number,
        quantity=quantity,
        channel=channel,
        placed_by="xiaoli" if channel == "staff" else None,
    )
    assert placed
    return person


def test_the_dashboard_says_in_words_how_each_deal_stands(staff, app_world):
    pears = app_world.deal("赵县雪花梨", min_units=30, stock_cap=80)
    buy(app_world, "王芳", pears, 3)
    buy(app_world, "李秀英", pears, 2, channel="voice")
    app_world.deal("加碘食盐", min_units=2, unit="袋", price_fen=250, market_price_fen=350)
    buy(app_world, "张伟", app_world.deal("小米", min_units=1, unit="袋"), 1, channel="staff")
    page = staff.page("/staff/")
    assert "还差25箱成团（已订5，要30）" in page
    assert "库存还剩75箱（共80）" in page
    assert "还剩3天10小时" in page
    assert "短信 1 · 电话 1 · 代订 0" in page
    assert "还差2袋成团" in page
    assert "已够成团 ✓ 已订1袋" in page
    assert 'id="saved">138元<' in page  # 6 units bought, each 23 yuan under the market price


def test_the_message_log_shows_states_and_carrier_reasons(staff, app_world):
    deal = app_world.deal()
    buy(app_world, "王芳", deal, 1)
    with app_world.core.db.transaction() as session:
        message_id = session.scalar(select(Message.id))
    apply_status_callback(
        app_world.core, status="undelivered", message_id=message_id, error_code="30003"
    )
    page = staff.page("/staff/messages")
    assert "订单确认" in page and "未送达" in page and "手机关机或不在服务区 (30003)" in page
    assert "王芳" in staff.page("/staff/messages?status=problems")
    assert "没有短信" in staff.page("/staff/messages?status=delivered")
    assert staff.get("/staff/messages?status=nonsense&page=x").status_code == 200


def test_a_bulk_reminder_is_previewed_sent_once_and_followed(staff, app_world):
    deal = app_world.deal()
    buy(app_world, "王芳", deal, 1)
    buy(app_world, "Anna", deal, 2, language="en")
    buy(app_world, "郭奶奶", deal, 1, phone="0311-8566-2001", landline=True)
    path = f"/staff/deals/{deal.id}/remind"
    preview = staff.page(path)
    assert 'id="recipients">3<' in preview  # two texts, one call
    assert 'id="segments-each">' in preview and "Snow pears" in preview
    batch = preview.split('name="batch" type="hidden" value="')[1].split('"')[0]
    send = {"confirmed": "yes", "batch": batch, "text": ""}
    first = staff.post(path, send, form_on=path)
    assert "提醒已开始发送给3位居民" in staff.page(f"/staff/reminders/{batch}")
    again = staff.post(path, send, form_on=path)  # a double click
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"] == f"/staff/reminders/{batch}"
    progress = json.loads(staff.get(f"/staff/reminders/{batch}.json").data)
    assert progress["total"] == 3 and progress["done"] is False
    with app_world.core.db.transaction() as session:
        audits = session.scalars(select(AuditLog).where(AuditLog.action == "reminder.bulk")).all()
        assert [a.actor for a in audits] == ["xiaoli"]
    assert staff.get("/staff/reminders/not-a-batch").status_code == 404


def test_a_reminder_of_a_deal_nobody_ordered_is_refused_in_words(staff, app_world):
    deal = app_world.deal()
    path = f"/staff/deals/{deal.id}/remind"
    batch = staff.page(path).split('name="batch" type="hidden" value="')[1].split('"')[0]
    refused = staff.post(path, {"confirmed": "yes", "batch": batch, "text": ""}, form_on=path)
    assert refused.status_code == 422
    assert "没有要提醒的居民。" in refused.get_data(as_text=True)
    with app_world.core.db.transaction() as session:
        assert session.scalar(select(AuditLog.id).where(AuditLog.action == "reminder.bulk")) is None


def test_a_custom_reminder_text_is_previewed_and_bad_text_explained(staff, app_world):
    deal = app_world.deal()
    buy(app_world, "王芳", deal, 1)
    path = f"/staff/deals/{deal.id}/remind"
    custom = staff.post(path, {"text": "明早9点带袋子来取梨"}, form_on=path)
    assert custom.status_code == 200 and "明早9点带袋子来取梨" in custom.get_data(as_text=True)
    too_long = staff.post(path, {"text": "梨" * 1700}, form_on=path)
    assert too_long.status_code == 422
