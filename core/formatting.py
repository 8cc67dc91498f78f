"""How money and times read to a resident, in their language and the community's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime

from core.i18n import t
from core.money import format_yuan
from core.phones import display_phone

_BABEL_LOCALE = {"zh": Locale.parse("zh_CN"), "en": Locale.parse("en_GB")}
_PATTERNS = {"zh": "M月d日EEE H:mm", "en": "EEE d MMM H:mm"}
_DAY_PATTERNS = {"zh": "M月d日EEE", "en": "EEE d MMM"}


def money(fen: int, language: str) -> str:
    """15.5元 / 15.5 yuan."""
    return t(language, "money", amount=format_yuan(fen))


def when(moment: datetime, zone: ZoneInfo | str, language: str) -> str:
    """11月28日周六 9:00 / Sat 28 Nov 9:00, in the community's zone."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    lang = language if language in _PATTERNS else "zh"
    return format_datetime(moment.astimezone(tz), _PATTERNS[lang], locale=_BABEL_LOCALE[lang])


def span(start: datetime, end: datetime, zone: ZoneInfo | str, language: str) -> str:
    """A pickup window: 11月28日周六 9:00-11:00 (the end's date only when it differs)."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if local_start.date() == local_end.date():
        return f"{when(start, tz, language)}-{local_end.hour}:{local_end.minute:02d}"
    return f"{when(start, tz, language)} - {when(end, tz, language)}"


def dial_form(e164: str, region: str = "CN") -> str:
    """A phone as residents dial it: 0311-8888 6666, 138 0013 8000 (see `display_phone`)."""
    return display_phone(e164, region)
