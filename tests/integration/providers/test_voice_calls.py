"""Landline reminder calls through Aliyun voice notification and Tencent VMS: the real
SDKs against their stand-ins, the call receipts pushed back to the real routes."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bootstrap import install
from core.carriers.services import set_account
from core.carriers.voice import set_voice_template
from core.community.models import Community
from core.community.updates import update_community
from core.messages.models import Message, MessageChannel, MessageKind, MessageStatus
from core.messages.outbox import queue_message
from core.residents.models import Resident
from tests.builders import World
from tests.integration.providers.conftest import SIGN, mainland_env
from workers.delivery import deliver

LANDLINE = "+8631188886601"  # 0311 8888 6601, as Aliyun dials it
REMINDER = "明早9点取梨"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def china_app(  # type: ignore[no-untyped-def]
    app_factory, sqlite_url, fake_aliyun, fake_aliyun_vms, fake_tencent, fake_tencent_vms
):
    env = mainland_env(fake_aliyun, fake_aliyun_vms, fake_tencent, fake_tencent_vms)
    return app_factory(sqlite_url, **env)


def on_provider(app, clock, provider: str, *, tts: bool = True):  # type: ignore[no-untyped-def]
    """A community that places its calls through `provider`, its TTS template filed."""
    core = app.extensions["mianhua"].core
    world = World(core, clock)
    update_community(core, community_id=world.community_id, voice_provider=provider)
    account = set_account(core, community_id=world.community_id, provider=provider, sign_name=SIGN)
    if tts:
        code = "TTS_300" if provider == "aliyun" else "3001"
        assert set_voice_template(
            core,
            community_id=world.community_id,
            provider=provider,
            template_code=code,
            variables=["community", "content"],
        )
    return world, account.push_key


def reminder_call(core, world: World, phone: str = LANDLINE) -> int:  # type: ignore[no-untyped-def]
    li = world.resident("李伯", phone=phone, landline=True)
    with core.db.transaction() as session:
        message = queue_message(
            session,
            community=session.get_one(Community, world.community_id),
            resident=session.get_one(Resident, li.id),
            body=REMINDER,
            kind=MessageKind.REMINDER,
            now=core.now(),
        )
        assert message.channel == MessageChannel.VOICE
        return message.id


def row(core, message_id: int) -> Message:  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        return session.get_one(Message, message_id)


def post(client, provider: str, key: str, payload: object):  # type: ignore[no-untyped-def]
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False)
    return client.post(
        f"/voice/{provider}/report?key={key}", data=body, content_type="application/json"
    )


def test_an_aliyun_reminder_call_speaks_the_tts_template_and_its_receipt_delivers_it(
    china_app, clock, fake_aliyun_vms
):
    mianhua = china_app.extensions["mianhua"]
    world, key = on_provider(china_app, clock, "aliyun")
    message_id = reminder_call(mianhua.core, world)
    rt = install(mianhua)

    assert deliver(rt, message_id).startswith("sent")
    [call] = fake_aliyun_vms.calls_to("031188886601")
    assert call.tts_code == "TTS_300" and call.out_id == str(message_id)
    assert call.params == {"community": "幸福里社区", "content": REMINDER}
    assert call.play_times == 2 and call.speed is not None and call.speed < 0  # slow, twice
    assert row(mianhua.core, message_id).provider_sid == call.call_id

    client = china_app.test_client()
    report = [fake_aliyun_vms.report(call.call_id, "200000")]
    answer = post(client, "aliyun", key, report)
    assert answer.status_code == 200 and answer.get_json() == {"code": 0, "msg": "接收成功"}
    assert row(mianhua.core, message_id).status == MessageStatus.DELIVERED
    assert post(client, "aliyun", key, report).status_code == 200  # repeated: no change
    assert row(mianhua.core, message_id).status == MessageStatus.DELIVERED


def test_a_call_nobody_answered_is_tried_once_more_and_a_repeat_changes_nothing(
    china_app, clock, fake_tencent_vms
):
    mianhua = china_app.extensions["mianhua"]
    world, key = on_provider(china_app, clock, "tencent")
    message_id = reminder_call(mianhua.core, world)
    rt = install(mianhua)

    assert deliver(rt, message_id).startswith("sent")
    [call] = fake_tencent_vms.calls_to(LANDLINE)
    assert call.template_id == "3001" and call.params == ("幸福里社区", REMINDER)
    assert call.session_context == str(message_id) and call.play_times == 2

    client = china_app.test_client()
    unanswered = fake_tencent_vms.callback(call.call_id, "1")
    answer = post(client, "tencent", key, unanswered)
    assert answer.status_code == 200 and answer.get_json() == {"result": 0, "errmsg": "OK"}
    again = row(mianhua.core, message_id)
    assert again.status == MessageStatus.PENDING and again.not_before is not None
    assert post(client, "tencent", key, unanswered).status_code == 200
    assert row(mianhua.core, message_id).attempts == 1  # the repeat scheduled nothing more


def test_a_wrong_key_is_refused_and_moves_nothing(china_app, clock, fake_aliyun_vms):
    mianhua = china_app.extensions["mianhua"]
    world, key = on_provider(china_app, clock, "aliyun")
    message_id = reminder_call(mianhua.core, world)
    assert deliver(install(mianhua), message_id).startswith("sent")
    [call] = fake_aliyun_vms.calls_to("031188886601")
    client = china_app.test_client()
    report = [fake_aliyun_vms.report(call.call_id)]

    assert post(client, "aliyun", "not-the-key", report).status_code == 403
    assert client.post("/voice/aliyun/report", json=report).status_code == 403
    assert post(client, "tencent", key, report).status_code == 403  # aliyun's key, not tencent's
    assert post(client, "aliyun", key, b"{not json").status_code == 400
    assert post(client, "aliyun", key, [{"call_id": "x"}]).status_code == 400
    assert row(mianhua.core, message_id).status == MessageStatus.SENT


def test_one_call_receipt_url_serves_every_community_on_the_provider(
    china_app, clock, fake_aliyun_vms
):
    """The provider's console takes one receipt URL per account: the other community's
    key takes this community's call receipt too (a street office's many communities)."""
    mianhua = china_app.extensions["mianhua"]
    world, _ = on_provider(china_app, clock, "aliyun")
    message_id = reminder_call(mianhua.core, world)
    assert deliver(install(mianhua), message_id).startswith("sent")
    other = World(mianhua.core, clock, phone="+8631188887777", name="和平里社区")
    theirs = set_account(
        mianhua.core, community_id=other.community_id, provider="aliyun", sign_name="和平里社区"
    )
    [call] = fake_aliyun_vms.calls_to("031188886601")
    client = china_app.test_client()
    assert (
        post(client, "aliyun", theirs.push_key, [fake_aliyun_vms.report(call.call_id)]).status_code
        == 200
    )
    assert row(mianhua.core, message_id).status == MessageStatus.DELIVERED


@pytest.mark.parametrize(
    ("provider", "script", "outcome"),
    [
        ("aliyun", "Throttling.User", "retry at"),
        ("aliyun", "isv.TTS_TEMPLATE_ILLEGAL", "failed (cn_tmpl)"),
        ("aliyun", "isv.BUSINESS_LIMIT_CONTROL", "retry at"),  # a minute's limit passes
        ("tencent", "RequestLimitExceeded", "retry at"),
        ("tencent", "InvalidParameterValue.CalledNumberVerifyFail", "failed (cn_number)"),
        ("tencent", "FailedOperation.TemplateIncorrectOrUnapproved", "failed (cn_tmpl)"),
    ],
)
def test_refusals_are_permanent_or_passing_as_the_provider_means_them(  # type: ignore[no-untyped-def]
    china_app, clock, fake_aliyun_vms, fake_tencent_vms, provider, script, outcome
):
    mianhua = china_app.extensions["mianhua"]
    world, _ = on_provider(china_app, clock, provider)
    message_id = reminder_call(mianhua.core, world)
    (fake_aliyun_vms if provider == "aliyun" else fake_tencent_vms).queue(script)
    assert deliver(install(mianhua), message_id).startswith(outcome)
    assert script in (row(mianhua.core, message_id).error_detail or "")


def test_a_call_with_no_tts_template_filed_fails_plainly_and_rings_nobody(
    china_app, clock, fake_aliyun_vms
):
    mianhua = china_app.extensions["mianhua"]
    world, _ = on_provider(china_app, clock, "aliyun", tts=False)
    message_id = reminder_call(mianhua.core, world)
    assert deliver(install(mianhua), message_id) == "failed (cn_tmpl)"
    assert fake_aliyun_vms.requests == []


def test_a_voice_provider_without_credentials_fails_saying_which(app_factory, sqlite_url, clock):
    app = app_factory(sqlite_url)  # no Tencent settings at all
    mianhua = app.extensions["mianhua"]
    world, _ = on_provider(app, clock, "tencent")
    message_id = reminder_call(mianhua.core, world)
    assert deliver(install(mianhua), message_id) == "failed (cn_auth)"
    assert "TENCENT_SECRET_ID" in (row(mianhua.core, message_id).error_detail or "")


def test_a_community_that_names_no_provider_keeps_the_services_sender(
    china_app, clock, fake_aliyun_vms, capsys
):
    mianhua = china_app.extensions["mianhua"]
    world = World(mianhua.core, clock)  # SMS_SENDER is the console here
    message_id = reminder_call(mianhua.core, world)
    assert deliver(install(mianhua), message_id) == f"sent (CONSOLE-{message_id})"
    assert fake_aliyun_vms.requests == []
    with mianhua.core.db.transaction() as session:
        assert session.scalar(select(Community.voice_provider)) is None


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_mainland_reminder_call_waits_for_the_daytime_whatever_quiet_hours_say(  # type: ignore[no-untyped-def]
    app_factory,
    sqlite_url,
    clock,
    provider,
    fake_aliyun,
    fake_aliyun_vms,
    fake_tencent,
    fake_tencent_vms,
):
    """08:00-21:00 holds calls too: a reminder call is never a direct reply."""
    env = mainland_env(fake_aliyun, fake_aliyun_vms, fake_tencent, fake_tencent_vms)
    app = app_factory(sqlite_url, QUIET_HOURS="23:30-06:00", **env)
    mianhua = app.extensions["mianhua"]
    vms = fake_aliyun_vms if provider == "aliyun" else fake_tencent_vms
    clock.set(datetime(2026, 11, 27, 21, 30, tzinfo=SHANGHAI))  # not quiet for QUIET_HOURS
    world, _ = on_provider(app, clock, provider)
    message_id = reminder_call(mianhua.core, world)
    rt = install(mianhua)
    assert deliver(rt, message_id) == "not before 2026-11-28T08:00:00+08:00"
    assert vms.calls == []
    clock.set(datetime(2026, 11, 28, 8, 1, tzinfo=SHANGHAI))
    assert deliver(rt, message_id).startswith("sent")
    assert len(vms.calls) == 1
