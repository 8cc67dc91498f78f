"""Numbers as residents write them: Chinese numerals and English number words.

Only forms that name exactly one number are read. A run such as 两三 ("two or
three") or 三五 ("a few") is left alone on purpose: reading it as 23 or 35
would turn a vague wish into an order.
"""

from __future__ import annotations

import re

CHINESE_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0,
    "一": 1, "壹": 1,
    "二": 2, "贰": 2, "两": 2, "俩": 2,
    "三": 3, "叁": 3, "仨": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
_TEN = "十拾"
_TWENTY = "廿"  # 廿三 = 23, still seen in older residents' writing
_COUNTING_ONLY = "两俩仨"  # "two of", "three of": never a digit of a room number

CHINESE_NUMERAL_CHARS = "".join(CHINESE_DIGITS) + _TEN + _TWENTY
CHINESE_NUMERAL_RUN = re.compile(f"[{CHINESE_NUMERAL_CHARS}]+")


def chinese_to_int(run: str) -> int | None:
    """Value of a Chinese numeral from 0 to 99, or None when it is not exactly one number.

    Accepts 三, 十, 十二, 二十, 二十五, 一十二, 廿, 廿三. Refuses digit strings
    without 十 (两三 is "two or three", not 23) and anything malformed.
    """
    if len(run) == 1 and run in CHINESE_DIGITS:
        return CHINESE_DIGITS[run]
    if run.startswith(_TWENTY):
        unit = _nonzero_digit(run[1:]) if run[1:] else 0
        return None if unit is None else 20 + unit
    tens_at = [i for i, ch in enumerate(run) if ch in _TEN]
    if len(tens_at) != 1:
        return None
    head, tail = run[: tens_at[0]], run[tens_at[0] + 1 :]
    tens = _nonzero_digit(head) if head else 1
    units = _nonzero_digit(tail) if tail else 0
    if tens is None or units is None:
        return None
    return tens * 10 + units


def chinese_digit_string(run: str) -> str | None:
    """Digits of a number said digit by digit (四零一 → "401"), as room numbers are.

    Falls back to chinese_to_int for forms with 十 (十二 → "12").
    """
    if run and all(ch in CHINESE_DIGITS and ch not in _COUNTING_ONLY for ch in run):
        return "".join(str(CHINESE_DIGITS[ch]) for ch in run)
    value = chinese_to_int(run)
    return None if value is None else str(value)


def _nonzero_digit(text: str) -> int | None:
    if len(text) != 1 or text not in CHINESE_DIGITS:
        return None
    return CHINESE_DIGITS[text] or None


_ENGLISH_UNITS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_ENGLISH_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ENGLISH_NUMBER_WORDS: dict[str, int] = {word: n for n, word in enumerate(_ENGLISH_UNITS)}
ENGLISH_NUMBER_WORDS.update({word: 20 + 10 * i for i, word in enumerate(_ENGLISH_TENS)})

_ENGLISH_NUMBER = re.compile(
    r"(?<![a-z])(?:(?P<tens>{tens})(?:[ -](?P<unit>{units}))?|(?P<word>{words}))(?![a-z])".format(
        tens="|".join(_ENGLISH_TENS),
        units="|".join(_ENGLISH_UNITS[1:10]),
        words="|".join(sorted(ENGLISH_NUMBER_WORDS, key=len, reverse=True)),
    )
)


def replace_english_numbers(folded: str) -> str:
    """Write English number words in digits: "buy 2 three" → "buy 2  3 ", "twenty-one" → " 21 ".

    Expects casefolded text. The digits are padded with spaces so that "two
    three" stays two numbers.
    """

    def to_digits(match: re.Match[str]) -> str:
        if match["word"]:
            return f" {ENGLISH_NUMBER_WORDS[match['word']]} "
        value = ENGLISH_NUMBER_WORDS[match["tens"]]
        if match["unit"]:
            value += ENGLISH_NUMBER_WORDS[match["unit"]]
        return f" {value} "

    return _ENGLISH_NUMBER.sub(to_digits, folded)
