"""Money, phone numbers, times and settings: the values at the edges."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from core.formatting import money, span, when
from core.money import InvalidPrice, format_yuan, parse_yuan
from core.phones import InvalidPhone, normalize_phone
from core.settings import QuietHours, SettingsError, load_settings


@pytest.mark.parametrize(
    ("text", "fen"), [("15", 1500), ("15.5", 1550), ("15.50", 1550), ("0.05", 5), ("¥3.5", 350)]
)
def test_parse_yuan(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "15.555", "-3", "1,5"])
def test_parse_yuan_refuses(text):
    with pytest.raises(InvalidPrice):
        parse_yuan(text)


def test_format_yuan_reads_as_people_say_prices():
    assert [format_yuan(f) for f in (1500, 1550, 1505, 5)] == ["15", "15.5", "15.05", "0.05"]
    assert money(1550, "zh") == "15.5元" and money(1550, "en") == "15.5 yuan"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("13800138001", "+8613800138001"),
        ("+86 138-0013-8001", "+8613800138001"),
        ("0311-8566-2001", "+8631185662001"),
        ("+1 415 867 5309", "+14158675309"),
    ],
)
def test_normalize_phone(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "anonymous", "12345", "+86 138"])
def test_invalid_phones(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_times_are_shown_in_the_community_zone():
    moment = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    assert when(moment, "Asia/Shanghai", "zh") == "11月28日周六 9:00"
    assert when(moment, "Asia/Shanghai", "en") == "Sat 28 Nov 9:00"
    end = datetime(2026, 11, 28, 3, 30, tzinfo=UTC)
    assert span(moment, end, "Asia/Shanghai", "zh") == "11月28日周六 9:00-11:30"


def test_quiet_hours_cross_midnight():
    quiet = QuietHours.parse("21:00-08:00")
    assert quiet.contains(time(23, 0)) and quiet.contains(time(7, 59))
    assert not quiet.contains(time(8, 0)) and not quiet.contains(time(20, 59))


def test_settings_defaults_and_refusals():
    settings = load_settings({})
    assert settings.database_url == "sqlite:///var/mianhua.db"
    assert settings.sms_sender == "console" and settings.validate_signatures
    with_twilio = load_settings(
        {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "MIANHUA_ENV": "development"}
    )
    assert with_twilio.sms_sender == "twilio"
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings({"MIANHUA_ENV": "production"})
    with pytest.raises(SettingsError, match="refused in production"):
        load_settings(
            {
                "MIANHUA_ENV": "production",
                "SECRET_KEY": "k" * 32,
                "TWILIO_VALIDATE_SIGNATURES": "0",
            }
        )
    with pytest.raises(SettingsError, match="QUIET_HOURS"):
        load_settings({"QUIET_HOURS": "late"})
