"""Whole numbers as a Mandarin voice should say them: 15 -> 十五, 105 -> 一百零五.

Text-to-speech reads "15.50元" digit by digit or as a decimal ("十五点五零"),
which older callers find hard to follow; spelled-out numerals are read the way
people say prices. The numeral system itself is not a user text, so it lives
here rather than in the catalogs.
"""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"
ZERO = DIGITS[0]
_SMALL_UNITS = ("", "十", "百", "千")
_BIG_UNITS = ("", "万", "亿")


def _below_10000(n: int) -> str:
    """0 < n < 10000, with 零 for skipped places (一百零五, 一千零五十)."""
    parts: list[str] = []
    pending_zero = False
    for place in range(3, -1, -1):
        digit = (n // 10**place) % 10
        if digit == 0:
            if parts:
                pending_zero = True
            continue
        if pending_zero:
            parts.append(ZERO)
            pending_zero = False
        parts.append(DIGITS[digit] + _SMALL_UNITS[place])
    return "".join(parts)


def spell(n: int) -> str:
    """A whole number in Chinese numerals; 10-19 as 十, 十一 ... as spoken."""
    if n < 0:
        raise ValueError("only whole numbers from 0 are spoken")
    if n == 0:
        return ZERO
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(_BIG_UNITS):
        raise ValueError("number too large to speak")
    parts: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        lower_exists = bool(parts)
        if lower_exists and group < 1000:
            parts.append(ZERO)  # 一万零五百
        parts.append(_below_10000(group) + _BIG_UNITS[index])
    text = "".join(parts)
    # 一十五 is written but 十五 is said.
    return text[1:] if text.startswith("一十") else text


def spell_count(n: int) -> str:
    """A count before a measure word: 两箱, not 二箱 (but 十二箱, 二十二箱)."""
    return "两" if n == 2 else spell(n)
