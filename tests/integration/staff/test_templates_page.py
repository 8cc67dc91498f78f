"""The console's template catalogue, the texts the daily cap held or merged, and the
message forms of a community that texts through Aliyun."""

from __future__ import annotations

import pytest

from core.carriers.services import set_account
from core.community.models import Community
from core.messages.models import MessageKind, MessageStatus
from core.messages.outbox import queue_message
from core.residents.models import Resident
from tests.integration.staff.conftest import Console

REMINDER = "取货提醒：您订的${deal}共${amount}，请于${pickup}到${place}取。"


@pytest.fixture
def app(app_factory, sqlite_url):  # type: ignore[no-untyped-def]
    return app_factory(
        sqlite_url,
        SMS_SENDER="aliyun",
        ALIYUN_ACCESS_KEY_ID="LTAI-test",
        ALIYUN_ACCESS_KEY_SECRET="secret",
        ALIYUN_SMS_ENDPOINT="127.0.0.1:9",
    )


@pytest.fixture
def signed(app_world):  # type: ignore[no-untyped-def]
    assert set_account(
        app_world.core,
        community_id=app_world.community_id,
        provider="aliyun",
        sign_name="幸福里社区",
    )
    return app_world


def file(console: Console, key: str, code: str, text: str, variables: str):  # type: ignore[no-untyped-def]
    return console.post(
        "/staff/templates",
        {"provider": "aliyun", "key": key, "code": code, "text": text, "variables": variables},
        form_on="/staff/templates",
    )


def test_the_catalogue_suggests_what_to_file_and_checks_what_was_filed(admin: Console, signed):
    page = admin.page("/staff/templates")
    assert (
        "阿里云短信" in page and "签名：【幸福里社区】" in page and "每位居民每天最多50条" in page
    )
    assert "未报备" in page and "取货提醒：${items}，请于${pickup}到${place}取。" in page

    assert (
        file(admin, "reminder", "SMS_300", REMINDER, "deal，amount, pickup,place").status_code
        == 302
    )
    page = admin.page("/staff/templates")
    row = page[page.index('id="aliyun-reminder"') :].split("</tr>")[0]
    assert "SMS_300" in row and "符合规则" in row and "商品名" in row
    longest = len("【幸福里社区】") + len("取货提醒：您订的共，请于到取。") + 12 + 8 + 20 + 20
    assert f"{longest}字（2条）" in row

    assert file(admin, "broadcast", "SMS_301", "团购消息：${content}", "content").status_code == 302
    page = admin.page("/staff/templates")
    row = page[page.index('id="aliyun-broadcast"') :].split("</tr>")[0]
    assert "不符合规则" in row and "回T退订" in row


def test_bad_input_is_answered_on_the_page_and_staff_cannot_file(browser: Console, signed):
    browser.login("admin")
    refused = file(browser, "nonsense", "SMS_1", REMINDER, "deal")
    assert refused.status_code == 422 and "请选择平台和用途" in refused.get_data(as_text=True)
    unknown = file(browser, "reminder", "SMS_1", REMINDER, "deal,phone")
    assert unknown.status_code == 422 and "变量不对" in unknown.get_data(as_text=True)
    browser.post("/staff/logout")
    browser.login("xiaoli")
    assert file(browser, "reminder", "SMS_1", REMINDER, "deal").status_code == 403


def test_the_held_page_says_who_waits_for_the_morning_and_who_got_a_digest(staff: Console, signed):
    world = signed
    wang = world.resident("王芳")
    with world.core.db.transaction() as session:
        community = session.get_one(Community, world.community_id)
        resident = session.get_one(Resident, wang.id)
        held, merged = (
            queue_message(
                session,
                community=community,
                resident=resident,
                body=body,
                kind=kind,
                now=world.core.now(),
            )
            for body, kind in (
                ("小米明早到", MessageKind.BROADCAST),
                ("明天取梨", MessageKind.REMINDER),
            )
        )
        session.flush()
        held.error_code, held.not_before = "cn_held", world.local(1, 8)
        merged.status, merged.error_code, merged.error_detail = (
            MessageStatus.SUPPRESSED,
            "merged",
            "digest:42",
        )
    page = staff.page("/staff/templates/held")
    assert "王芳" in page and "小米明早到" in page and "已到今天上限，推迟到" in page
    assert "合并到第42号短信" in page


def test_a_bulk_reminder_form_says_the_words_go_through_the_free_variable(admin: Console, signed):
    deal = signed.deal()
    page = admin.page(f"/staff/deals/{deal.id}/remind")
    assert "还没有报备“broadcast”用的模板" in page
    assert (
        file(admin, "broadcast", "SMS_301", "团购消息：${content}。回T退订", "content").status_code
        == 302
    )
    page = admin.page(f"/staff/deals/{deal.id}/remind")
    assert "放进模板SMS_301的变量里发出，每条最多35字" in page
    assert 'data-count-limit="35"' in page and "已写{n}字" in page
