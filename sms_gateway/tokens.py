"""Split a prepared text into the tokens the order reader works with.

A prepared text is simplified, casefolded, with numerals in digits
(sms_gateway.wording). Spans that hold numbers which are no order (a phone
number, 3号楼, 3-2-401, 11月28号, 9点, 15元, 15一份) become a single `noise`
token first, so their digits can never turn into a deal or a quantity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sms_gateway import lexicon, numerals
from sms_gateway.products import ProductIndex, ProductMatch, syllables
from sms_gateway.wording import VAGUE

_UNIT_ALT = "|".join(sorted(map(re.escape, lexicon.UNITS), key=len, reverse=True))
_PRICED_UNITS = "|".join(u for u in lexicon.UNITS if u not in ("样", "个", "种"))
# Numbers that are no order, in the order they are looked for.
_NOISE = re.compile(
    "|".join(
        (
            r"(?<![0-9])1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])",  # a mobile number
            r"(?<![0-9])0[0-9]{2,3}[- ]?[0-9]{7,8}(?![0-9])",  # a landline with its area code
            r"[0-9]{6,}",  # any other long run of digits
            r"[0-9a-z]{1,4}\s*[-/]\s*[0-9a-z]{1,4}\s*[-/]\s*[0-9a-z]{1,4}",  # 3-2-401, 3/2/401
            r"[0-9]+\s*(?:号楼|栋|幢|座|楼)\s*[0-9]+\s*(?:单元|门)\s*[0-9]+\s*(?:室|号)?",
            r"(?:building|bldg|block|blk|unit|flat|room|apt|floor)\s*[0-9a-z]{0,1}[0-9]+",
            r"(?:今年|年纪|岁数|活了)\s*[0-9]+",  # an age
            r"[0-9]+\s*种",  # 两种: kinds, not an amount
            r"[0-9]{2,}\s*(?:元|块)?\s*的(?=[^0-9])",  # 89的油: the one at 89
            r"[0-9]+\s*(?:号楼|号院|号门|栋|幢|座|楼|单元|室|层|门洞|户|排)",  # 3号楼, 2单元, 401室
            r"(?:楼|单元)\s*[0-9]+",
            r"[0-9]+\s*月\s*(?:[0-9]+\s*[号日])?",  # 11月28号
            r"(?:明天|今天|后天|昨天|大后天|下周|这周|本周)\s*[0-9]+\s*[号日]",  # 明天2号: a date
            r"(?:周|星期|礼拜)\s*(?:[0-9]|日|天)",
            r"[0-9]+\s*[号日]\s*(?=来取|去取|来拿|去拿|取货|提货|拿货|取|到货|上午|下午|晚上|早上|"
            r"中午|那天|之前|以前|以后|前后)",
            r"[0-9]+\s*[:：]\s*[0-9]+",  # 9:30
            r"[0-9]+\s*点\s*(?:[0-9]+\s*分?|半|钟|多)?",  # 9点, 9点半
            r"[0-9]+\s*(?:分钟|小时|天|年|岁|周岁|口人)",
            r"[0-9]+(?:\.[0-9]+)?\s*(?:元|块|毛|角|rmb|yuan)(?:\s*钱)?(?:\s*[0-9](?![0-9]*\s*(?:"
            + _UNIT_ALT
            + r")))?",  # 15元, 15块5
            r"[0-9]+\.[0-9]+",  # 2.5: never a count
            # 每份15: a price (每样3份 is no price: the number has its own unit)
            r"每\s*(?:" + _PRICED_UNITS + r")\s*[0-9]+(?![0-9]*\s*(?:" + _UNIT_ALT + r"))",
            r"(?<=[价钱])\s*[0-9]+",  # 价15
        )
    )
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # a lexicon.WordKind, or num vague unit product unsold noise hash times other junk
    text: str
    value: int | None = None  # num: its value
    product: ProductMatch | None = None
    unit: str | None = None  # unit: the measure word it stands for
    by_sound: bool = False  # unit or product read from a sound-alike
    glued: bool = False  # no space before it


@lru_cache(maxsize=1)
def _word_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    vocab = lexicon.vocabulary()
    zh = sorted((w for w in vocab if not w.isascii()), key=len, reverse=True)
    pattern = re.compile(
        r"(?P<num>[0-9]+)"
        r"|(?P<space>\s+)"
        r"|(?P<latin>[a-z]+)"
        rf"|(?P<vague>{VAGUE})"
        rf"|(?P<unit>{_UNIT_ALT})"
        rf"|(?P<zh>{'|'.join(map(re.escape, zh))})"
        r"|(?P<other>.)",
        re.DOTALL,
    )
    return pattern, vocab


def tokenize(text: str, index: ProductIndex, sounded: frozenset[int] = frozenset()) -> list[Token]:
    """Tokens of a prepared text, products found by name (or sound), noise spans set apart."""
    text = numerals.replace_english_numbers(text)
    tokens: list[Token] = []
    pieces = _split_products(text, index, sounded)
    for piece in pieces:
        if isinstance(piece, ProductMatch):
            glued = bool(tokens) and piece.start > 0 and not text[piece.start - 1].isspace()
            kind = "product" if piece.deals else "unsold"
            tokens.append(Token(kind, piece.word, product=piece, glued=glued))
            continue
        _start, chunk = piece
        last = 0
        for found in _NOISE.finditer(chunk):
            tokens.extend(_lex(chunk[last : found.start()], index, tokens))
            tokens.append(Token("noise", found.group()))
            last = found.end()
        tokens.extend(_lex(chunk[last:], index, tokens))
    return _unsound(tokens)


def _unsound(tokens: list[Token]) -> list[Token]:
    """Sound-alikes that do not stand alone are what they are: 统计 is no 桶, 2和3 no 盒."""
    out = list(tokens)
    for i, token in enumerate(out):
        after = out[i + 1] if i + 1 < len(out) else None
        if token.by_sound and after is not None and after.kind == "other" and after.glued:
            out[i] = Token("other", token.text, glued=token.glued)
        elif token.by_sound and token.text == "和" and (after is None or after.kind != "product"):
            out[i] = Token("sep", token.text, glued=token.glued)  # 2和3: deals 2 and 3
    return out


def _split_products(
    text: str, index: ProductIndex, sounded: frozenset[int]
) -> list[ProductMatch | tuple[int, str]]:
    pieces: list[ProductMatch | tuple[int, str]] = []
    last = 0
    for match in index.find(text):
        if match.start < last:
            continue
        if match.start > last:
            pieces.append((last, text[last : match.start]))
        if not match.by_sound and any(i in sounded for i in range(match.start, match.end)):
            match = ProductMatch(match.start, match.end, match.word, match.deals, True)
        pieces.append(match)
        last = match.end
    if last < len(text):
        pieces.append((last, text[last:]))
    return pieces


def _lex(chunk: str, index: ProductIndex, before: list[Token]) -> list[Token]:
    pattern, vocab = _word_pattern()
    out: list[Token] = []
    glued = bool(before)
    for found in pattern.finditer(chunk):
        group, text = found.lastgroup, found.group()
        if group == "space":
            glued = False
            continue
        previous = out[-1] if out else (before[-1] if before else None)
        token = _token(group, text, previous, index, vocab)
        if token.kind == "space":
            glued = False
            continue
        out.append(Token(token.kind, token.text, token.value, token.product, token.unit,
                         token.by_sound, glued))  # fmt: skip
        glued = True
    return out


def _token(
    group: str | None, text: str, previous: Token | None, index: ProductIndex, vocab: dict
) -> Token:
    if group == "num":
        return Token("num", text, value=int(text[-6:]))
    if group == "vague":
        return Token("vague", text)
    if group == "unit":
        return Token("unit", text, unit=text)
    if group == "zh":
        if previous is not None and previous.kind == "num" and len(text) == 1 and (
            vocab[text] != "deal_post"  # 号 itself is no sound-alike of 号
        ):
            sounded = _sounds_after_number(text)  # 两和鸡蛋 (盒), 1好梨 (号): typed by sound
            if sounded is not None:
                return sounded
        return Token(vocab[text], text)
    if group == "latin":
        return _latin(text, index, vocab)
    if text == "#":
        return Token("hash", text)
    if text in "*×":
        return Token("times", text)
    if text in "?？":
        return Token("question", text)
    if text in ",，;；、\n":
        return Token("sep", text)
    if text == "-" and previous is None:
        return Token("neg", text)
    if "\u3400" <= text <= "\u9fff":
        if previous is not None and previous.kind in ("num", "vague"):
            sounded = _sounds_after_number(text)
            if sounded is not None:
                return sounded
        return Token("other", text)
    if text in ".!！。~:：()（）\"'“”‘’/=+":
        return Token("space", text)
    return Token("junk", text)


def _sounds_after_number(char: str) -> Token | None:
    """A character right after a number that sounds like a measure word or 号, by pinyin."""
    syllable = syllables(char)[0]
    if syllable == "hao":
        return Token("deal_post", char, by_sound=True)
    unit = lexicon.UNIT_SOUNDS.get(syllable)
    return None if unit is None else Token("unit", char, unit=unit, by_sound=True)


def _latin(word: str, index: ProductIndex, vocab: dict) -> Token:
    from sms_gateway.products import singular_en

    if word in vocab:
        return Token(vocab[word], word)
    singular = singular_en(word)
    if singular in lexicon.EN_UNITS:
        unit = lexicon.EN_UNITS[singular]
        return Token("times", word) if unit == "×" else Token("unit", word, unit=unit)
    deals = index.find_english(word)
    if deals:
        return Token("product", word, product=ProductMatch(0, 0, word, deals, False))
    if singular in vocab:
        return Token(vocab[singular], word)
    return Token("junk", word)
