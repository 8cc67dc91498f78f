"""社区设置: an admin chooses who sends the community's texts and places its calls."""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import AuditLog
from core.carriers.services import set_account
from core.carriers.voice import set_voice_template
from core.community.models import Community

PAGE = "/staff/settings"


def providers(world) -> tuple[str | None, str | None]:  # type: ignore[no-untyped-def]
    with world.core.db.transaction() as session:
        community = session.get_one(Community, world.community_id)
        return community.sms_provider, community.voice_provider


def test_an_admin_moves_the_community_to_aliyun_and_sees_what_is_filed(admin, app_world):  # type: ignore[no-untyped-def]
    page = admin.page(PAGE)
    assert "短信服务商" in page and "现在使用：不发送（只记录）" in page
    assert page.count("未备案") == 4  # no signature, no TTS template with either provider
    set_account(
        app_world.core,
        community_id=app_world.community_id,
        provider="aliyun",
        sign_name="幸福里社区",
    )
    set_voice_template(
        app_world.core,
        community_id=app_world.community_id,
        provider="aliyun",
        template_code="TTS_300",
        variables=["content"],
    )

    choice = {"sms_provider": "aliyun", "voice_provider": ""}
    saved = admin.post(PAGE, choice, form_on=PAGE)
    assert saved.status_code == 302
    assert providers(app_world) == ("aliyun", None)
    page = admin.page(PAGE)
    assert "【幸福里社区】" in page and "TTS_300" in page
    assert '<option value="aliyun" selected>' in page
    assert page.count("现在使用：阿里云") == 2  # its calls follow its texts
    with app_world.core.db.transaction() as session:
        [entry] = session.scalars(
            select(AuditLog).where(AuditLog.action == "community.providers")
        ).all()
        assert entry.actor == "admin" and entry.detail["sms_provider"] == "aliyun"


def test_a_provider_not_on_the_list_is_refused_politely(admin, app_world):  # type: ignore[no-untyped-def]
    bad = admin.post(PAGE, {"sms_provider": "wechat", "voice_provider": ""}, form_on=PAGE)
    assert bad.status_code == 422 and "请从列表中选择服务商" in bad.get_data(as_text=True)
    assert providers(app_world) == (None, None)


def test_staff_who_are_not_admins_cannot_change_it(staff, app_world):  # type: ignore[no-untyped-def]
    refused = staff.post(PAGE, {"sms_provider": "tencent", "voice_provider": ""}, form_on="/staff/")
    assert refused.status_code == 403
    assert providers(app_world) == (None, None)


def test_the_page_names_the_extension_code_under_a_shared_signature(admin, app_world):  # type: ignore[no-untyped-def]
    set_account(
        app_world.core,
        community_id=app_world.community_id,
        provider="tencent",
        sign_name="幸福街道",
        extend_code="03",
    )
    page = admin.page(PAGE)
    assert "【幸福街道】 扩展码 03" in page
