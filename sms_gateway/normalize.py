"""Make what residents type comparable before any meaning is read from it.

Basic phones send full-width digits (１２), ideographic spaces, 。and ～,
emoji, invisible joiners and the odd control character. Everything here is
lossless for meaning: it only removes differences in how the same thing was
typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from sms_gateway import numerals

# Kept because they carry meaning: # and * mark deal and quantity ("#2*3"),
# ? asks for help or marks a question, - and / separate an address ("3-2-401").
# , . and 、 are kept for the lexer: "2、3" lists two deals, "2.5" is not two numbers.
_KEPT_PUNCTUATION = frozenset("#*?-/,.、")
# Multiplication signs that residents copy from the phone's symbol page.
_TIMES_SIGNS = {"×": "×", "✕": "×", "✖": "×", "╳": "×", "⨯": "×"}
# Tilde and caret decorate friendly texts (谢谢～, ^_^); they mean nothing.
_DECORATION = frozenset("~^`")


def clean(text: str) -> str:
    """NFKC-normalise and reduce to letters, digits, CJK, spaces and a few meaningful marks.

    Full-width forms become ASCII (NFKC), controls, emoji and decorative
    punctuation become spaces, invisible format characters vanish, and runs of
    space collapse. Case is kept: a registered name keeps its capitals.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFKC", text):
        out.append(_clean_char(ch))
    return " ".join("".join(out).split())


def _clean_char(ch: str) -> str:
    if ch in _TIMES_SIGNS:
        return _TIMES_SIGNS[ch]
    if ch in _KEPT_PUNCTUATION:
        return ch
    if ch in _DECORATION:
        return " "
    category = unicodedata.category(ch)
    if category in ("Cf", "Mn", "Me", "Cs", "Co", "Cn"):
        return ""  # zero-width joiners, variation selectors, lone surrogates: invisible
    if category[0] in ("C", "Z", "P") or category in ("So", "Sk"):
        return " "  # controls, spaces, punctuation, emoji: word breaks
    return ch


# Courtesies and acknowledgements (好的, ok) that add nothing to a command. Matched
# anywhere for Chinese, as whole words for English. Longest first: 谢谢你们 before 谢谢.
_POLITE_ZH = (
    "十分感谢 非常感谢 谢谢你们 谢谢您 谢谢你 谢谢啦 谢谢了 谢谢 多谢 谢了 感谢 麻烦你们了 "
    "麻烦您了 麻烦你了 麻烦了 麻烦你 麻烦您 麻烦 辛苦了 辛苦 拜托了 拜托 劳驾 您好 你好 请问 请 "
    "哈哈 啊 呀 哦 噢 嗯 啦 哈 好的 好 收到 知道了 明白"
)
_POLITE_EN = (
    "thank you very much|thank you|thanks a lot|thanks|thx|tks|ty|pls|plz|please|hello|hi|hey|"
    "dear|okay|ok"
)
_POLITE = re.compile(
    "|".join(map(re.escape, sorted(_POLITE_ZH.split(), key=len, reverse=True)))
    + rf"|(?<![a-z])(?:{_POLITE_EN})(?![a-z])",
    re.IGNORECASE,
)


def strip_polite(text: str) -> str:
    """Drop courtesies (谢谢, 麻烦了, Thanks, pls) and the separators they leave at either end.

    Keeps the case of the rest: "您好，注册 Wang 3-2-401，谢谢" → "注册 Wang 3-2-401".
    """
    return " ".join(_POLITE.sub(" ", text).split()).strip(",.、 ")


def compact_key(folded: str) -> str:
    """Letters, digits, CJK and ? only: the form whole-message keywords are looked up by.

    "Stop." → "stop", "my orders" → "myorders", "退 订！" → "退订". Only for
    keywords: it joins "2 3" into "23", so numbers are never read from it.
    """
    return "".join(ch for ch in folded if ch.isalnum() or ch == "?")


# --- tokens -------------------------------------------------------------------

TokenKind = Literal[
    "num",  # a number, from digits, 三/十二/廿, or three/twenty-one
    "deal_pre",  # 第, deal, item, number: the next number is a deal
    "deal_post",  # 号: the previous number is a deal
    "hash",  # #: marks the adjacent number as a deal ("#2", "2#")
    "no",  # "no": a deal marker before a number ("No. 2"), a negation otherwise
    "times",  # x × *: the next number is a quantity ("2 x3"), else the previous ("3x")
    "qty_pre",  # qty
    "qty_post",  # 份 个 箱, pcs, portions: the previous number is a quantity
    "comma",  # "2,3" may list two deals
    "verb",  # 订 买 我要 改成, buy order
    "filler",  # 的 了 我, the a for me
    "cancel",  # 取消 退 不要了, cancel
    "negation",  # 不 别 没, not
    "relative",  # 再 加 还 少, more another: a change relative to an earlier order
    "question",  # 吗 几 多少 ?, what how
    "multi",  # 、 和 跟, and: more than one deal
    "noise",  # a time, date, weight, price, address or vague amount: its numbers are no order
    "item",  # an unknown Chinese character: most likely the product's name (梨)
    "junk",  # an unknown English word or a symbol: the text is not a command
]


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    value: int | None = None  # for "num"
    glued: bool = False  # no space before it: "2#" versus "2 #3"


def _vocabulary(table: dict[TokenKind, str]) -> dict[str, TokenKind]:
    return {word: kind for kind, words in table.items() for word in words.split()}


_ZH_WORDS = _vocabulary({
    "cancel": "取消 不要了 不要 不用了 不用 不需要 不买了 不买 退掉 退单 退货 退款 退",
    "verb": "我要订 我想要 我想订 我想买 我要买 帮我订 给我来 给我 我要 我订 我买 想要 要 订购 "
    "预订 预定 订 定 訂 买 買 来 下单 报名 拿 改成 改为 改到 改 换成",
    "filler": "的 了 就 吧 呗 我 一下 一共 总共 一起 先 行",
    "deal_pre": "第",
    "deal_post": "号 號",
    "qty_post": "份 个 個 件 箱 袋 盒 包 瓶 桶 套 组 提 只 条",
    "negation": "不 别 没 勿 未 莫",
    "relative": "再 加 多 又 还 另 减 少 添 补",
    "question": "吗 呢 么 什么 多少 几 怎么 哪 啥",
    "multi": "和 跟 与 及 或 还有",
    "noise": "周 星期 礼拜 月 日 天 点 时 上午 下午 晚上 早上 中午 明天 今天 后天 楼 栋 幢 单元 室 "
    "层 斤 两斤 公斤 克 元 块 钱 毛 角 岁 年 半",
})  # fmt: skip
_EN_WORDS = _vocabulary({
    "cancel": "cancel cancle cancell cancelled canceled",
    "verb": "buy order orders want get take need book reserve change make",
    "filler": "i d ll m like would could can me give for of the a an to it just put my mine all "
    "is will",
    "deal_pre": "deal item number num nr",
    "no": "no",
    "times": "x",
    "qty_pre": "qty quantity",
    "qty_post": "pc pcs piece pieces portion portions box boxes bag bags pack packs packet "
    "packets bottle bottles unit units share shares serving servings copy copies",
    "negation": "not dont don t cant never none nothing without",
    "relative": "more add another extra plus additional less fewer remove minus again also too",
    "question": "what whats how when where why which any anything does do",
    "multi": "and or with",
    "noise": "today tomorrow tmr tmrw tonight am pm oclock at monday tuesday wednesday thursday "
    "friday saturday sunday kg g jin lb lbs yuan rmb building bldg room floor block",
})  # fmt: skip
_MARKS: dict[str, TokenKind] = {"#": "hash", "*": "times", "×": "times", "?": "question",
                                "、": "multi", ",": "comma"}  # fmt: skip

_LEXEME = re.compile(
    r"(?P<decimal>[0-9]+\.[0-9]+)"
    r"|(?P<num>[0-9]+)"
    r"|(?P<space>[\s.]+)"
    r"|(?P<word>[a-z]+)"
    r"|(?P<zh>{})".format("|".join(map(re.escape, sorted(_ZH_WORDS, key=len, reverse=True))))
    + rf"|(?P<zhnum>{numerals.CHINESE_NUMERAL_RUN.pattern})"
    r"|(?P<other>.)",
    re.DOTALL,
)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def tokenize(folded: str) -> list[Token]:
    """Split casefolded, cleaned text into classified tokens; spaces are dropped.

    English number words become numbers first ("buy 2 three" → 2, 3). Every
    character lands in some token, so nothing typed is silently ignored:
    what is not understood becomes "item" (a Chinese product name) or "junk".
    """
    tokens: list[Token] = []
    glued = False
    for match in _LEXEME.finditer(numerals.replace_english_numbers(folded)):
        group, text = match.lastgroup, match.group()
        if group == "space":
            glued = False
            continue
        value: int | None = None
        if group == "num":
            kind: TokenKind = "num"
            value = int(text)
        elif group == "zhnum":
            value = numerals.chinese_to_int(text)
            kind = "noise" if value is None else "num"  # 两三 is "two or three"
        elif group == "decimal":
            kind = "noise"
        elif group == "word":
            kind = _EN_WORDS.get(text, "junk")
        elif group == "zh":
            kind = _ZH_WORDS[text]
        elif text in _MARKS:
            kind = _MARKS[text]
        else:
            kind = "item" if _CJK.match(text) else "junk"
        tokens.append(Token(kind, text, value, glued and bool(tokens)))
        glued = True
    return tokens


# --- numbers and their roles ----------------------------------------------------

Role = Literal["deal", "qty"]


@dataclass(frozen=True, slots=True)
class Number:
    value: int
    role: Role | None  # None: nothing around it says


@dataclass(frozen=True, slots=True)
class Reading:
    """The numbers of a body, each with the role its neighbours give it, and what else was said."""

    numbers: tuple[Number, ...]
    kinds: frozenset[TokenKind]
    item_chars: int  # unknown Chinese characters: a product name, or a whole sentence
    muddled: bool  # a marker with no number, a number marked twice, "2梨", "2,3"


_MARKERS: dict[TokenKind, tuple[Role, int]] = {
    "deal_pre": ("deal", +1),  # 第2, deal 2
    "deal_post": ("deal", -1),  # 2号
    "qty_pre": ("qty", +1),  # qty 3
    "qty_post": ("qty", -1),  # 3份, 3 pcs
}


def read_numbers(tokens: list[Token]) -> Reading:
    """Give each number the role its neighbours say: 2号, #2, 第2 → deal; 3份, x3 → qty."""
    marks: dict[int, set[Role]] = {i: set() for i, t in enumerate(tokens) if t.kind == "num"}
    muddled = negated = False
    listed: list[tuple[int, int]] = []  # numbers either side of a comma

    def num_at(i: int) -> int | None:
        return i if i in marks else None

    for i, token in enumerate(tokens):
        if token.kind == "qty_post" and i >= 2 and tokens[i - 2].kind == "deal_pre":
            continue  # 第3个: 个 counts the ordinal, it is no quantity
        if token.kind in _MARKERS:
            role, step = _MARKERS[token.kind]
            target = num_at(i + step)
        elif token.kind == "no":  # "No. 2" names a deal; "no" alone says no
            role, target = "deal", num_at(i + 1)
            if target is None:
                negated = True
                continue
        elif token.kind == "hash":  # "#2", "2#", "2# 3"
            role, target = "deal", num_at(i + 1)
            glued_before = num_at(i - 1) is not None and token.glued
            if target is None or (glued_before and not tokens[i + 1].glued):
                target = num_at(i - 1)
        elif token.kind == "times":  # "2 x3", "2*3", "3x"
            role, target = "qty", num_at(i + 1)
            if target is None:
                target = num_at(i - 1)
        elif token.kind == "comma":  # "2,3": deal 2 × 3, or deals 2 and 3? (see below)
            if num_at(i - 1) is not None and num_at(i + 1) is not None:
                listed.append((i - 1, i + 1))
            continue
        elif token.kind == "num" and i + 1 < len(tokens) and tokens[i + 1].kind == "item":
            muddled = True  # "2梨3份": is 2 the deal or an amount of pears?
            continue
        else:
            continue
        if target is None:
            muddled = True  # a marker with no number: "号", "两三份"
        else:
            marks[target].add(role)
    numbers = tuple(
        Number(tokens[i].value or 0, next(iter(m)) if len(m) == 1 else None)
        for i, m in marks.items()
    )
    muddled |= any(len(m) > 1 for m in marks.values())  # "#2份": deal or quantity?
    muddled |= any(not marks[a] and not marks[b] for a, b in listed)  # "2,3" but not "2, 3份"
    kinds = frozenset(t.kind for t in tokens) | ({"negation"} if negated else frozenset())
    item_chars = sum(len(t.text) for t in tokens if t.kind == "item")
    return Reading(numbers, kinds, item_chars, muddled)


# --- addresses ------------------------------------------------------------------

_PART = rf"(?:[0-9]{{1,4}}[a-z]?|[a-z][0-9]{{0,3}}|[{numerals.CHINESE_NUMERAL_CHARS}]{{1,4}})"
_ADDRESS_FORMS = (
    # 3-2-401, 3/2/401
    re.compile(
        rf"(?<![a-z0-9])(?P<b>{_PART})\s*[-/]\s*(?P<u>{_PART})\s*[-/]\s*(?P<r>{_PART})(?![a-z0-9])",
        re.IGNORECASE,
    ),
    # 3号楼2单元401室, 3栋2单元401, 三号楼二单元四零一
    re.compile(
        rf"(?P<b>{_PART})\s*(?:号楼|号|栋|幢|座|楼)\s*(?P<u>{_PART})\s*(?:单元|门)\s*"
        rf"(?P<r>{_PART})\s*(?:室|房|号)?",
        re.IGNORECASE,
    ),
    # building 3 unit 2 room 401
    re.compile(
        rf"(?:building|bldg|blk|block)\s*(?P<b>{_PART})\W*unit\s*(?P<u>{_PART})\W*"
        rf"(?:room|rm|flat|apt)?\s*(?P<r>{_PART})(?![a-z0-9])",
        re.IGNORECASE,
    ),
)


@dataclass(frozen=True, slots=True)
class Address:
    building: str
    unit: str
    room: str
    rest: str  # the text around the address: the resident's name


def split_address(text: str) -> Address | None:
    """Find building, unit and room however written: 3-2-401, 3号楼2单元401室, 三栋二单元四零一.

    Parts are returned in digits (Chinese numerals converted) and capitals (a
    building "a" is "A"); None when no form matches or a part cannot be read.
    """
    for form in _ADDRESS_FORMS:
        found = form.search(text)
        if found is None:
            continue
        parts = [_address_part(found[group]) for group in ("b", "u", "r")]
        if None in parts:
            return None
        building, unit, room = (part or "" for part in parts)
        return Address(building, unit, room, f"{text[: found.start()]} {text[found.end() :]}")
    return None


def _address_part(raw: str) -> str | None:
    if raw[0] in numerals.CHINESE_NUMERAL_CHARS:
        return numerals.chinese_digit_string(raw)
    return raw.upper()
