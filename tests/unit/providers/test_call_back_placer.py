"""A mainland service's phone menu stays on Twilio: its call backs are placed there."""

from __future__ import annotations

import pytest

from bootstrap import bootstrap
from core.settings import load_settings
from providers.console.calls import ConsoleCallPlacer
from providers.twilio.calls import TwilioCallPlacer

ALIYUN = {
    "SMS_SENDER": "aliyun",
    "ALIYUN_ACCESS_KEY_ID": "id",
    "ALIYUN_ACCESS_KEY_SECRET": "secret",
    "DATABASE_URL": "sqlite:///:memory:",
    "SECRET_KEY": "test",
    "MIANHUA_ENV": "test",
}
TWILIO = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "token"}


@pytest.mark.parametrize(
    ("env", "placer"),
    [
        ({**ALIYUN, **TWILIO}, TwilioCallPlacer),  # the menu's number is Twilio's
        (ALIYUN, ConsoleCallPlacer),  # no Twilio: nobody can be rung back, it is recorded
        ({**ALIYUN, **TWILIO, "SMS_SENDER": "console"}, ConsoleCallPlacer),
    ],
)
def test_call_backs_go_where_the_phone_menu_is(env: dict[str, str], placer: type) -> None:
    root = bootstrap(load_settings(env))
    try:
        assert isinstance(root.calls, placer)
    finally:
        root.close()
