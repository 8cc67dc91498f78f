"""The price survey team texts what they saw at the market, and is answered with what was kept."""

from __future__ import annotations

from core.prices.membership import add_survey_member
from core.prices.queries import recent_observations


def _on_the_team(app_world, name="李秀英"):  # type: ignore[no-untyped-def]
    resident = app_world.resident(name)
    with app_world.core.db.transaction() as session:
        add_survey_member(session, community_id=app_world.community_id, resident_id=resident.id)
    return resident


def test_a_member_records_a_price_and_hears_it_back(sms, app_world) -> None:  # type: ignore[no-untyped-def]
    app_world.deal("井陉小米5斤", unit="袋", price_fen=2800, market_price_fen=None)
    surveyor = _on_the_team(app_world)

    reply = sms.reply(surveyor.phone, "价格 小米 5斤 30 菜市场")
    assert reply.startswith("已记下：小米每5斤30元，菜市场，")
    assert sms.reply(surveyor.phone, "價 梨 ２２ 北國超市").startswith("已记下：梨22元，北国超市，")

    seen = recent_observations(app_world.core, community_id=app_world.community_id)
    assert [(o.product, o.place, o.price_fen, o.amount, o.unit) for o in seen] == [
        ("梨", "北国超市", 2200, 1, ""),
        ("小米", "菜市场", 3000, 5, "斤"),
    ]
    assert all(o.recorded_by == "李秀英" for o in seen)


def test_the_same_text_retried_by_twilio_is_kept_once(sms, app_world) -> None:  # type: ignore[no-untyped-def]
    surveyor = _on_the_team(app_world)
    sms.send(surveyor.phone, "价 梨 22 北国超市", sid="SM" + "7" * 32)
    sms.send(surveyor.phone, "价 梨 22 北国超市", sid="SM" + "7" * 32)
    assert len(recent_observations(app_world.core, community_id=app_world.community_id)) == 1


def test_a_non_member_is_answered_politely_and_nothing_is_kept(sms, app_world) -> None:  # type: ignore[no-untyped-def]
    neighbour = app_world.resident("张伟")
    reply = sms.reply(neighbour.phone, "价 梨 22 北国超市")
    assert "还不是成员" in reply and "加入" in reply
    assert recent_observations(app_world.core, community_id=app_world.community_id) == []


def test_a_muddled_survey_text_shows_the_form_in_the_members_language(sms, app_world) -> None:  # type: ignore[no-untyped-def]
    surveyor = app_world.resident("Anna", language="en")
    with app_world.core.db.transaction() as session:
        add_survey_member(session, community_id=app_world.community_id, resident_id=surveyor.id)
    assert sms.reply(surveyor.phone, "价 梨 22 30 超市").startswith("To record a price, write:")
    assert sms.reply(surveyor.phone, "价 梨 22 北国超市").startswith("Recorded: 梨 ")


def test_an_impossible_price_is_refused_with_the_form(sms, app_world) -> None:  # type: ignore[no-untyped-def]
    surveyor = _on_the_team(app_world)
    assert "这个价格好像不对" in sms.reply(surveyor.phone, "价 梨 99999 超市")
