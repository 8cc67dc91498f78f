"""Prices, counts and times read the way people say them."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ivr import speech
from ivr.numbers_zh import spell, spell_count
from ivr.pace import speaking_rate

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)  # a Monday morning


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        (0, "零"),
        (1, "一"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (1050, "一千零五十"),
        (10000, "一万"),
        (10500, "一万零五百"),
        (123456, "十二万三千四百五十六"),
    ],
)
def test_whole_numbers_in_chinese(number: int, spoken: str):
    assert spell(number) == spoken


def test_two_before_a_measure_word_is_liang():
    assert [spell_count(n) for n in (1, 2, 12, 22)] == ["一", "两", "十二", "二十二"]


@pytest.mark.parametrize(
    ("fen", "zh", "en"),
    [
        (1550, "十五元五角", "15 yuan 5 jiao"),
        (3500, "三十五元", "35 yuan"),
        (1505, "十五元零五分", "15 yuan 5 fen"),
        (1555, "十五元五角五分", "15 yuan 5 jiao 5 fen"),
        (50, "五角", "5 jiao"),
        (5, "五分", "5 fen"),
        (0, "零元", "0 yuan"),
        (120000, "一千二百元", "1200 yuan"),
    ],
)
def test_prices(fen: int, zh: str, en: str):
    assert speech.money(fen, "zh") == zh
    assert speech.money(fen, "en") == en


def test_counts_with_units():
    assert speech.count(2, "箱", "zh") == "两箱"
    assert speech.count(1, "箱", "en") == "1 box"
    assert speech.count(3, "袋", "en") == "3 bags"
    assert speech.count(2, "坛", "en") == "2 units"  # a unit without an English word


@pytest.mark.parametrize(
    ("clock", "zh", "en"),
    [
        (time(9, 0), "上午9点", "9 am"),
        (time(8, 30), "上午8点半", "8:30 am"),
        (time(12, 0), "中午12点", "12 pm"),
        (time(14, 15), "下午2点15分", "2:15 pm"),
        (time(20, 0), "晚上8点", "8 pm"),
        (time(6, 5), "早上6点05分", "6:05 am"),
        (time(0, 0), "凌晨0点", "12 am"),
    ],
)
def test_times_of_day(clock: time, zh: str, en: str):
    assert speech.clock(clock, "zh") == zh
    assert speech.clock(clock, "en") == en


def test_moments_relative_to_now():
    def at(days: int, hour: int) -> datetime:
        return NOW.replace(day=NOW.day + days, hour=hour).astimezone(UTC)

    assert speech.moment(at(0, 20), SHANGHAI, "zh", NOW) == "今天晚上8点"
    assert speech.moment(at(1, 9), SHANGHAI, "zh", NOW) == "明天上午9点"
    assert speech.moment(at(5, 9), SHANGHAI, "zh", NOW) == "周六上午9点"
    assert speech.moment(at(7, 9), SHANGHAI, "zh", NOW) == "11月30日周一上午9点"
    assert speech.moment(at(5, 9), SHANGHAI, "en", NOW) == "on Saturday at 9 am"
    assert speech.moment(at(7, 9), SHANGHAI, "en", NOW) == "on Monday 30 November at 9 am"
    assert speech.moment(at(1, 9), SHANGHAI, "en", NOW) == "tomorrow at 9 am"


def test_pickup_windows():
    start = NOW.replace(day=28, hour=9).astimezone(UTC)
    assert speech.span(start, start.replace(hour=3), SHANGHAI, "zh", NOW) == "周六上午9点到11点"
    afternoon = start.replace(hour=6)  # 14:00 in Shanghai
    assert speech.span(start, afternoon, SHANGHAI, "zh", NOW) == "周六上午9点到下午2点"
    assert speech.span(start, start.replace(hour=3), SHANGHAI, "en", NOW) == (
        "on Saturday at 9 am to 11 am"
    )


def test_speaking_rate_accepts_ssml_values_only():
    assert [speaking_rate(v) for v in ("slow", "x-slow", "85%", "MEDIUM")] == [
        "slow",
        "x-slow",
        "85%",
        "medium",
    ]
    assert [speaking_rate(v) for v in ("", None, "5%", "fast!", '"/><Hangup/>')] == ["slow"] * 5
