"""A flood held back by the SMS rules, as the staff see it and lift it."""

from __future__ import annotations

from sqlalchemy import select

from core.conversations.holds import hold_for
from core.conversations.services import FLOOD_LIMIT
from core.helpdesk.models import HelpReason, HelpRequest
from tests.integration.staff.conftest import Console
from tests.support.phone import Sms


def help_items(world):  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        return [(i.phone, i.reason) for i in session.scalars(select(HelpRequest))]


def test_a_flood_is_told_once_shown_to_staff_and_lifted_from_the_console(
    app, app_world, clock, staff: Console
):
    sms = Sms(app.test_client(), app_world.core)
    app_world.deal("赵县雪花梨", unit="份", price_fen=1500)
    wang = app_world.resident("王芳")
    for n in range(FLOOD_LIMIT + 1):
        sms.send(wang.phone, f"test {n}")
    replies = sms.new_replies(wang.phone)
    assert sum(r.startswith("您的短信太多太快") for r in replies) == 1
    assert (wang.phone, HelpReason.FLOOD) in help_items(app_world)
    page = staff.page(f"/staff/residents/{wang.id}")
    assert "暂停到" in page
    staff.post("/staff/holds/lift", {"phone": wang.phone, "back": f"/staff/residents/{wang.id}"})
    assert hold_for(app_world.core, community_id=app_world.community_id, phone=wang.phone) is None
    clock.advance(seconds=5)
    assert sms.reply(wang.phone, "我的").startswith("您")
