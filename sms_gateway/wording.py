"""Bring a text to one way of writing before it is read for orders.

Residents write in traditional characters (訂1號兩份), with Chinese numerals
(两份, 十二号楼, 仨), in pinyin or Latin letters (ding 1 hao 2 fen, 1hao2fen),
in English, and through voice input full of fillers. This module only
rewrites the form: traditional to simplified (OpenCC), numerals to digits
(cn2an), pinyin words to the Chinese words they spell (pypinyin). What the
words mean is the reader's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cn2an
import opencc

from sms_gateway import numerals
from sms_gateway.pinyin import PINYIN_DICT, lazy_pinyin

_T2S = opencc.OpenCC("t2s")

# Words with a numeral in them that are not numbers: 一下 (a moment), 一共 (in all),
# 一样 (the same), 统一 ... kept as they are when numerals become digits.
_NUMERAL_IDIOMS = (
    "一下 一共 一起 一样 一点 一些 一会 一直 一定 一般 一块儿 一次 一遍 一声 一句 统一 唯一 万一 "
    "一切 一律 一齐 一并 一道 一边 一向 一再 一旦 不一定 十分 一天到晚 一家人 一家 "
    "十足 第一时间 一趟 一回 两口子 两口 老两口 一家子 一会儿 一点儿"
).split()
_IDIOM = re.compile("|".join(sorted(map(re.escape, set(_NUMERAL_IDIOMS)), key=len, reverse=True)))
_NUMERAL_CHARS = numerals.CHINESE_NUMERAL_CHARS + "百"
_NUMERAL_RUN = re.compile(f"[{_NUMERAL_CHARS}]+")
_COUNTING = {"俩": "两", "仨": "三"}
_DIGITS = "零〇一二三四五六七八九"
VAGUE = "≈"  # stands for a vague amount (两三份, 三五个): a number that is no number


def simplify(text: str) -> str:
    """Traditional characters to simplified: 訂1號兩份 → 订1号两份."""
    return _T2S.convert(text)


def numerals_to_digits(text: str) -> str:
    """Chinese numerals to digits, idioms and vague amounts (两三份) left alone.

    一桶 → 1桶, 十二号楼 → 12号楼, 俩梨 → 2梨, 四零一 → 401; 两三份 → ≈份.
    """
    protected: list[str] = []

    def protect(match: re.Match[str]) -> str:
        protected.append(match.group())
        return f"\x00{len(protected) - 1}\x00"

    text = _IDIOM.sub(protect, text)
    text = _NUMERAL_RUN.sub(_numeral_run, text)
    return re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m[1])], text)


def _numeral_run(match: re.Match[str]) -> str:
    run = "".join(_COUNTING.get(ch, ch) for ch in match.group())
    if len(run) == 1:
        return str(int(cn2an.cn2an(run, "smart"))) if run not in "廿十" else (
            "20" if run == "廿" else "10"
        )
    if all(ch in _DIGITS + "两" for ch in run):
        if ("零" in run or "〇" in run or len(run) >= 3) and "两" not in run:
            return "".join(str(_DIGITS.index(ch) % 10 if ch != "〇" else 0) for ch in run)
        return VAGUE  # 两三, 三五, 一两: "a few"
    try:
        value = cn2an.cn2an(run, "smart")
    except (ValueError, KeyError, IndexError):
        return VAGUE
    return str(int(value)) if float(value).is_integer() else VAGUE


# --- pinyin typed in Latin letters -------------------------------------------------

# The Chinese words a pinyin-typing resident spells out, looked up by their sound.
_SPELLED_WORDS = (
    "订 定 要 我 我要 份 号 袋 桶 箱 盒 瓶 包 个 斤 取消 不要 不要了 买 来 给 和 各 "
    "改成 再加 再 加 "
    "两 一 二 三 四 五 六 七 八 九 十 谢谢 你好 想 想要 第 也 还 还有 吗 多少 钱 "
).split()


@lru_cache(maxsize=1)
def _syllable_set() -> frozenset[str]:
    found: set[str] = set()
    for readings in PINYIN_DICT.values():
        for reading in readings.split(","):
            found.add(_toneless(reading))
    return frozenset(s for s in found if s.isascii() and s.isalpha())


def _toneless(reading: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", reading)
    return "".join(ch for ch in plain if ch.isascii()).replace("v", "u").casefold()


@dataclass(frozen=True)
class Spelled:
    """A text with pinyin words turned into Chinese; `sounded` marks what came from pinyin."""

    text: str
    sounded: frozenset[int]


def spell_out_pinyin(text: str, words: dict[str, str], english: frozenset[str]) -> Spelled:
    """Latin words that are pinyin become the Chinese words they spell.

    `words` maps the toneless pinyin of every word worth reading ("xiaomi") to
    it (小米); English words in `english` stay as they are, so "hi, 2 bags of
    millet" is not read as pinyin. 1hao2fen is split at the digits first.
    """
    text = re.sub(r"(?<=[0-9])(?=[a-z])|(?<=[a-z])(?=[0-9])", " ", text)
    text = _join_spelled_runs(text, words, english)
    out: list[str] = []
    sounded: set[int] = set()
    position = 0
    for match in re.finditer(r"[a-z]+|[^a-z]+", text):
        piece = match.group()
        if piece[0].isascii() and piece.isalpha() and piece not in english:
            chinese = _spell(piece, words)
            if chinese is not None:
                sounded.update(range(position, position + len(chinese)))
                out.append(chinese)
                position += len(chinese)
                continue
        out.append(piece)
        position += len(piece)
    return Spelled("".join(out), frozenset(sounded))


def _join_spelled_runs(text: str, words: dict[str, str], english: frozenset[str]) -> str:
    """"xiao mi liang dai": syllables typed apart are one word when they only spell together."""

    def join(match: re.Match[str]) -> str:
        parts = match.group().split()
        if any(p in english for p in parts) or all(p in words for p in parts):
            return match.group()
        joined = "".join(parts)
        return joined if _spell(joined, words) is not None else match.group()

    return re.sub(r"[a-z]+(?: [a-z]+)+", join, text)


def _spell(word: str, words: dict[str, str]) -> str | None:
    """Split a run of pinyin into known words, fewest pieces first; None if it does not split."""
    if len(word) > 40:
        return None
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 12), end):
            head = best[start]
            if head is None:
                continue
            piece = word[start:end]
            if piece in words and (best[end] is None or len(head) + 1 < len(best[end] or [])):
                best[end] = [*head, words[piece]]
    result = best[len(word)]
    return "".join(result) if result else None


def pinyin_words(names: list[str]) -> dict[str, str]:
    """Toneless pinyin → word, for the reader's own words and the deals' names."""
    table: dict[str, str] = {}
    for word in [*_SPELLED_WORDS, *names]:
        key = "".join(lazy_pinyin(word)).casefold()
        if key.isascii() and key.isalpha():
            table.setdefault(key, word)
    return table


def is_pinyin_syllable(word: str) -> bool:
    return word in _syllable_set()
