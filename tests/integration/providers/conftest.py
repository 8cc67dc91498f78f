"""Mainland senders under test: in-process worker roots whose SDKs talk to the stand-ins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bootstrap import Mianhua, bootstrap, install
from core.carriers.services import set_account, set_template
from core.context import FrozenClock
from core.settings import load_settings
from tests.builders import World
from tests.support.fake_aliyun_sms import FakeAliyunSms
from tests.support.fake_aliyun_vms import FakeAliyunVms
from tests.support.fake_tencent_sms import FakeTencentSms
from tests.support.fake_tencent_vms import FakeTencentVms

ALIYUN_KEY_ID, ALIYUN_SECRET = "LTAI-test-key", "aliyun-test-secret"
TENCENT_ID, TENCENT_KEY, TENCENT_APP = "AKID-test", "tencent-test-key", "1400000001"
SIGN = "幸福里社区"


@pytest.fixture
def fake_aliyun() -> Iterator[FakeAliyunSms]:
    with FakeAliyunSms(
        access_key_id=ALIYUN_KEY_ID,
        access_key_secret=ALIYUN_SECRET,
        templates={"SMS_100": "${content}", "SMS_200": "${community}提醒您：${content}"},
    ) as fake:
        fake.late_seconds = 3
        yield fake


@pytest.fixture
def fake_tencent() -> Iterator[FakeTencentSms]:
    with FakeTencentSms(
        secret_id=TENCENT_ID,
        secret_key=TENCENT_KEY,
        sdk_app_id=TENCENT_APP,
        templates={"1001": "{1}", "1002": "{1}提醒您：{2}"},
    ) as fake:
        fake.late_seconds = 3
        yield fake


def _settings(database_url: str, redis_url: str, **env: str):  # type: ignore[no-untyped-def]
    return load_settings(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "MIANHUA_ENV": "test",
            "SECRET_KEY": "test-secret",
            "SEND_RATE_PER_SECOND": "0",
            "SEND_RETRY_DELAYS": "60,300,900",
            "SEND_STUCK_AFTER_SECONDS": "3",
            **env,
        }
    )


@pytest.fixture
def make_root(redis_url: str, clock: FrozenClock):  # type: ignore[no-untyped-def]
    made: list[Mianhua] = []

    def make(database_url: str, **env: str) -> Mianhua:
        root = bootstrap(_settings(database_url, redis_url, **env))
        root.core.clock = clock
        made.append(install(root))
        return root

    yield make
    for root in made:
        root.close()


@pytest.fixture
def aliyun_rt(make_root, sqlite_url: str, fake_aliyun: FakeAliyunSms) -> Mianhua:  # type: ignore[no-untyped-def]
    return make_root(  # type: ignore[no-any-return]
        sqlite_url,
        SMS_SENDER="aliyun",
        ALIYUN_ACCESS_KEY_ID=ALIYUN_KEY_ID,
        ALIYUN_ACCESS_KEY_SECRET=ALIYUN_SECRET,
        ALIYUN_SMS_ENDPOINT=fake_aliyun.endpoint,
    )


@pytest.fixture
def tencent_rt(make_root, sqlite_url: str, fake_tencent: FakeTencentSms) -> Mianhua:  # type: ignore[no-untyped-def]
    return make_root(  # type: ignore[no-any-return]
        sqlite_url,
        SMS_SENDER="tencent",
        TENCENT_SECRET_ID=TENCENT_ID,
        TENCENT_SECRET_KEY=TENCENT_KEY,
        TENCENT_SMS_SDK_APP_ID=TENCENT_APP,
        TENCENT_SMS_ENDPOINT=fake_tencent.endpoint,
    )


def filed(
    rt: Mianhua, clock: FrozenClock, provider: str, templates: dict[str, tuple[str, list[str]]]
) -> World:
    """A community with its signature and these kinds' templates filed with `provider`."""
    world = World(rt.core, clock)
    assert set_account(rt.core, community_id=world.community_id, provider=provider, sign_name=SIGN)
    for kind, (code, variables) in templates.items():
        assert set_template(
            rt.core,
            community_id=world.community_id,
            provider=provider,
            kind=kind,
            template_code=code,
            variables=variables,
        )
    return world


TENCENT_VOICE_APP = "1400000002"
TTS_ALIYUN = {"TTS_300": "${community}提醒您：${content}"}
TTS_TENCENT = {"3001": "{1}提醒您：{2}"}


@pytest.fixture
def fake_aliyun_vms() -> Iterator[FakeAliyunVms]:
    with FakeAliyunVms(
        access_key_id=ALIYUN_KEY_ID, access_key_secret=ALIYUN_SECRET, templates=TTS_ALIYUN
    ) as fake:
        yield fake


@pytest.fixture
def fake_tencent_vms() -> Iterator[FakeTencentVms]:
    with FakeTencentVms(
        secret_id=TENCENT_ID,
        secret_key=TENCENT_KEY,
        voice_sdk_app_id=TENCENT_VOICE_APP,
        templates=TTS_TENCENT,
    ) as fake:
        yield fake


def mainland_env(
    fake_aliyun: FakeAliyunSms,
    fake_aliyun_vms: FakeAliyunVms,
    fake_tencent: FakeTencentSms,
    fake_tencent_vms: FakeTencentVms,
) -> dict[str, str]:
    """Both providers set up, each SDK pointed at its stand-in; SMS_SENDER stays the
    default, so only a community's own choice sends anything through them."""
    return {
        "ALIYUN_ACCESS_KEY_ID": ALIYUN_KEY_ID,
        "ALIYUN_ACCESS_KEY_SECRET": ALIYUN_SECRET,
        "ALIYUN_SMS_ENDPOINT": fake_aliyun.endpoint,
        "ALIYUN_VOICE_ENDPOINT": fake_aliyun_vms.endpoint,
        "TENCENT_SECRET_ID": TENCENT_ID,
        "TENCENT_SECRET_KEY": TENCENT_KEY,
        "TENCENT_SMS_SDK_APP_ID": TENCENT_APP,
        "TENCENT_SMS_ENDPOINT": fake_tencent.endpoint,
        "TENCENT_VOICE_SDK_APP_ID": TENCENT_VOICE_APP,
        "TENCENT_VOICE_ENDPOINT": fake_tencent_vms.endpoint,
        "SEND_RATE_PER_SECOND": "0",
    }
