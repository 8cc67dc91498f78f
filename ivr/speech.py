"""Prices, counts and times as a caller should hear them.

A text says "15.5元" and "11月28日周六 9:00"; a voice should say 十五元五角 and
周六上午9点, or "15 yuan 5 jiao" and "Saturday at 9 am". The words come from the
catalogs (`ivr.money.*`, `ivr.clock.*`, `ivr.when.*`); this module only decides
which words, in which order.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date

from core.i18n import t
from ivr import numbers_zh

_BABEL_LOCALE = {"zh": "zh_CN", "en": "en_GB"}

#: Chinese measure words and how an English caller hears them (catalog keys).
ENGLISH_UNITS = {
    "箱": "box",
    "盒": "box",
    "斤": "jin",
    "公斤": "kilo",
    "千克": "kilo",
    "袋": "bag",
    "包": "pack",
    "提": "pack",
    "份": "portion",
    "个": "piece",
    "只": "piece",
    "条": "piece",
    "件": "piece",
    "瓶": "bottle",
    "桶": "tub",
    "串": "bunch",
    "把": "bunch",
    "捆": "bunch",
    "板": "tray",
    "盘": "tray",
}


def _number(n: int, language: str) -> str:
    return numbers_zh.spell(n) if language == "zh" else str(n)


def money(fen: int, language: str) -> str:
    """1550 -> 十五元五角 / 15 yuan 5 jiao; 1505 -> 十五元零五分; 5 -> 五分."""
    yuan, rest = divmod(max(fen, 0), 100)
    jiao, fen_left = divmod(rest, 10)
    parts = []
    if yuan or not rest:
        parts.append(t(language, "ivr.money.yuan", amount=_number(yuan, language)))
    if jiao:
        parts.append(t(language, "ivr.money.jiao", amount=_number(jiao, language)))
    if fen_left:
        if language == "zh" and yuan and not jiao:
            parts.append(numbers_zh.ZERO)  # 十五元零五分: the skipped place is said
        parts.append(t(language, "ivr.money.fen", amount=_number(fen_left, language)))
    return ("" if language == "zh" else " ").join(parts)


def unit_word(unit: str, count: int, language: str) -> str:
    """The deal's own measure word in Mandarin; an English noun for an English caller."""
    if language == "zh":
        return unit
    name = ENGLISH_UNITS.get(unit.strip(), "unit")
    return t(language, f"ivr.unit.{name}" + ("" if count == 1 else ".many"))


def count(n: int, unit: str, language: str) -> str:
    """两箱 / 2 boxes."""
    spoken = numbers_zh.spell_count(n) if language == "zh" else str(n)
    return t(language, "ivr.count", count=spoken, unit=unit_word(unit, n, language))


def _period(hour: int) -> str:
    if hour < 5:
        return "early"
    if hour < 8:
        return "morning"
    if hour < 12:
        return "forenoon"
    if hour < 13:
        return "noon"
    if hour < 18:
        return "afternoon"
    return "evening"


def clock(moment: time, language: str, *, with_period: bool = True) -> str:
    """上午9点, 下午2点半, 晚上8点15分 / 9 am, 2:30 pm, 8:15 pm."""
    hour12 = moment.hour % 12 or 12
    if language == "zh" and moment.hour == 0:
        hour12 = 0  # 凌晨0点
    period = t(language, f"ivr.period.{_period(moment.hour)}") if with_period else ""
    if moment.minute == 0:
        key, minute = "ivr.clock.hour", ""
    elif moment.minute == 30:
        key, minute = "ivr.clock.half", ""
    else:
        key, minute = "ivr.clock.minutes", f"{moment.minute:02d}"
    params: dict[str, object] = {"period": period, "hour": hour12}
    if minute:
        params["minute"] = minute
    return " ".join(t(language, key, **params).split())


def moment(when: datetime, zone: ZoneInfo, language: str, now: datetime) -> str:
    """今天晚上8点 / 明天上午9点 / 周六上午9点 / 12月5日周六上午9点, relative to `now`."""
    local, today = when.astimezone(zone), now.astimezone(zone).date()
    spoken_time = clock(local.time(), language)
    days = (local.date() - today).days
    if days == 0:
        return t(language, "ivr.when.today", time=spoken_time)
    if days == 1:
        return t(language, "ivr.when.tomorrow", time=spoken_time)
    locale = _BABEL_LOCALE.get(language, "zh_CN")
    weekday = format_date(local.date(), "EEE" if language == "zh" else "EEEE", locale=locale)
    if 1 < days < 7:
        return t(language, "ivr.when.weekday", weekday=weekday, time=spoken_time)
    month = str(local.month) if language == "zh" else format_date(local, "MMMM", locale=locale)
    return t(
        language, "ivr.when.date", month=month, day=local.day, weekday=weekday, time=spoken_time
    )


def span(start: datetime, end: datetime, zone: ZoneInfo, language: str, now: datetime) -> str:
    """A pickup window: 周六上午9点到11点 / on Saturday at 9 am to 11 am."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.date() == local_end.date():
        same_period = _period(local_start.hour) == _period(local_end.hour)
        end_text = clock(
            local_end.time(), language, with_period=not (same_period and language == "zh")
        )
    else:
        end_text = moment(end, zone, language, now)
    return t(language, "ivr.span", start=moment(start, zone, language, now), end=end_text)


def digits(number: str, language: str) -> str:
    """A phone number said digit by digit, in its groups: 1 3 9，1 2 3 4，5 6 7 8."""
    groups = [" ".join(group) for group in number.replace("-", " ").split() if group]
    return ("，" if language == "zh" else ", ").join(groups)
