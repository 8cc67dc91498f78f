"""Which open deal a resident means when she names a product: 梨, 赵县的梨, 小米, 油, pears.

A deal's names are derived from its titles (the whole title, its produce words
and their everyday short forms, its place or brand) plus the aliases staff
added. A name is found in a text exactly, or by sound: pinyin input turns
雪花梨 into 雪花里 and 花生油 into 花生有, so names of two or more characters
are also looked up by their toneless pinyin. A match by sound alone is never
certain: the reader asks before ordering on it.

Everything here is pure and built once per set of open deals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from sms_gateway.pinyin import lazy_pinyin

# Produce and grocery words residents use, longest first when matching. Only what
# names a kind of goods: places and brands come from the deal's own title.
PRODUCE_WORDS = (
    "雪花梨 鸭梨 酥梨 香梨 梨 苹果 红富士 富士 桃 葡萄 西瓜 甜瓜 香瓜 橘子 橙子 柿子 枣 大枣 红枣 "
    "核桃 花生 栗子 板栗 "
    "小米 黄小米 大米 面粉 面条 挂面 玉米 玉米面 杂粮 黑米 绿豆 红豆 黄豆 豆子 "
    "花生油 食用油 菜籽油 豆油 香油 芝麻油 油 盐 食盐 酱油 醋 白糖 红糖 糖 "
    "蔬菜箱 蔬菜 青菜 白菜 大白菜 菜箱 菜 土豆 西红柿 黄瓜 茄子 萝卜 胡萝卜 "
    "大葱 葱 蒜 姜 韭菜 芹菜 "
    "鸡蛋 土鸡蛋 蛋 鸭蛋 猪肉 牛肉 羊肉 鸡 鱼 豆腐 粉条 "
    "零食 饼干 点心 月饼 牛奶 奶 酸奶 茶叶 蜂蜜"
).split()
# Short forms a resident uses for a produce word: 菜 for the vegetable box, 油 for oil.
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "蔬菜箱": ("菜箱", "蔬菜", "菜"),
    "菜箱": ("菜",),
    "蔬菜": ("菜",),
    "花生油": ("油",),
    "食用油": ("油",),
    "菜籽油": ("油",),
    "豆油": ("油",),
    "鸡蛋": ("蛋",),
    "土鸡蛋": ("鸡蛋", "蛋"),
    "雪花梨": ("梨",),
    "鸭梨": ("梨",),
    "酥梨": ("梨",),
    "香梨": ("梨",),
    "黄小米": ("小米",),
    "红枣": ("枣",),
    "大枣": ("枣",),
    "红富士": ("苹果", "富士"),
}
# English goods words, singular; "pears" and "bags of millet" are singularised first.
_EN_STOPWORDS = frozenset("the a an of and with fresh free range".split())
_EN_CONTAINERS = frozenset("box boxes bag bags pack bottle bucket".split())


@dataclass(frozen=True, slots=True)
class DealEntry:
    """What the reader knows of one deal: enough to name it and say back what was read."""

    number: int
    title_zh: str
    title_en: str = ""
    unit: str = "份"
    aliases: tuple[str, ...] = ()
    is_open: bool = True  # False: a deal that closed lately, named only to say so


@dataclass(frozen=True, slots=True)
class ProductMatch:
    """A name found in the text: where, which deals it may mean, and how it was found."""

    start: int
    end: int
    word: str
    deals: frozenset[int]
    by_sound: bool = False


@dataclass(frozen=True)
class ProductIndex:
    """Every name of every deal, for finding them in texts."""

    names: dict[str, frozenset[int]]  # exact Chinese names → deal numbers
    sounds: dict[tuple[str, ...], frozenset[int]]  # pinyin of names of 2+ characters
    english: dict[str, frozenset[int]]  # English words → deal numbers
    unsold: frozenset[str]  # produce words no deal here sells
    entries: dict[int, DealEntry] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = None

    def find(self, text: str) -> list[ProductMatch]:
        """Names in a simplified Chinese text, longest first, exact before by sound."""
        matches: list[ProductMatch] = []
        taken = [False] * len(text)
        for word in _longest_first(self.unsold):  # 鸭蛋 is not the 蛋 of 鸡蛋
            if word not in text:  # most are not: a substring test, not a regular expression
                continue
            for found in re.finditer(re.escape(word), text):
                if any(taken[found.start() : found.end()]):
                    continue
                matches.append(ProductMatch(found.start(), found.end(), word, frozenset()))
                for i in range(found.start(), found.end()):
                    taken[i] = True
        pattern = _names_pattern(tuple(sorted(self.names, key=len, reverse=True)))
        if pattern is not None:
            for found in pattern.finditer(text):
                if any(taken[found.start() : found.end()]):
                    continue
                word = found.group()
                matches.append(
                    ProductMatch(found.start(), found.end(), word, self.names[word])
                )
                for i in range(found.start(), found.end()):
                    taken[i] = True
        if self.sounds:
            matches.extend(self._find_by_sound(text, taken))
        return sorted(matches, key=lambda m: m.start)

    def _find_by_sound(self, text: str, taken: list[bool]) -> list[ProductMatch]:
        syllables = [_syllable(ch) if _is_cjk(ch) else "" for ch in text]
        found: list[ProductMatch] = []
        longest = max(len(key) for key in self.sounds)
        i = 0
        while i < len(text):
            hit = None
            for size in range(min(longest, len(text) - i), 1, -1):
                span = range(i, i + size)
                if any(taken[j] or not syllables[j] for j in span):
                    continue
                key = tuple(syllables[j] for j in span)
                if key in self.sounds:
                    hit = ProductMatch(i, i + size, text[i : i + size], self.sounds[key], True)
                    break
            if hit is None:
                i += 1
                continue
            found.append(hit)
            for j in range(hit.start, hit.end):
                taken[j] = True
            i = hit.end
        return found

    def find_english(self, word: str) -> frozenset[int] | None:
        """Deals an English word names: "pears", "millet", and near misses ("millit")."""
        singular = singular_en(word)
        if singular in self.english:
            return self.english[singular]
        if len(singular) >= 3:  # "veg" for vegetable: the start of a name
            starts = {n for name, deals in self.english.items() if len(name) > 4
                      and name.startswith(singular) for n in deals}  # fmt: skip
            if starts:
                return frozenset(starts)
        if len(singular) < 4 or not self.english:
            return None
        best = process.extractOne(singular, self.english.keys(), scorer=fuzz.ratio)
        if best is not None and best[1] >= 85:
            return self.english[best[0]]
        return None

    def unsold_in(self, text: str) -> list[str]:
        """Produce words in the text that no deal here sells (大米 when only 小米 is on)."""
        return [word for word in self.unsold if word in text]


def build_index(deals: tuple[DealEntry, ...] | list[DealEntry]) -> ProductIndex:
    names: dict[str, set[int]] = {}
    english: dict[str, set[int]] = {}
    for deal in deals:
        for name in zh_names(deal):
            names.setdefault(name, set()).add(deal.number)
        for word in en_names(deal):
            english.setdefault(word, set()).add(deal.number)
    sounds: dict[tuple[str, ...], set[int]] = {}
    for name, numbers in names.items():
        if len(name) >= 2 and all(_is_cjk(ch) for ch in name):
            sounds.setdefault(tuple(_syllable(ch) for ch in name), set()).update(numbers)
    sold_text = "".join(names)
    unsold = frozenset(
        word for word in PRODUCE_WORDS if len(word) >= 2 and word not in names
        and not any(word in name or name in word for name in names if len(name) >= 2)
        and word not in sold_text
    )
    return ProductIndex(
        names={k: frozenset(v) for k, v in names.items()},
        sounds={k: frozenset(v) for k, v in sounds.items()},
        english={k: frozenset(v) for k, v in english.items()},
        unsold=unsold,
        entries={d.number: d for d in deals},
    )


def zh_names(deal: DealEntry) -> set[str]:
    """The Chinese names of a deal: 赵县雪花梨 → 赵县雪花梨, 雪花梨, 梨, 赵县梨, 赵县, ..."""
    title = re.sub(r"[\s（）()·【】\[\]0-9a-zA-Z]+", "", deal.title_zh)
    names = {title} if title else set()
    found = [word for word in PRODUCE_WORDS if word in title]
    # 花生 in 花生油 is no name of the oil (peanuts are not peanut oil); 梨 in 雪花梨 is.
    produce = [
        word
        for word in found
        if not any(
            other != word and other.startswith(word) and word not in SHORT_FORMS.get(other, ())
            for other in found
        )
    ]
    for word in produce:
        names.add(word)
        names.update(SHORT_FORMS.get(word, ()))
    if produce:
        head = max(produce, key=len)
        origin = title[: title.index(head)]
        if len(origin) >= 2:
            names.add(origin)
            for short in (head, *SHORT_FORMS.get(head, ())):
                names.add(origin + short)
    for alias in deal.aliases:
        alias = alias.strip()
        if alias:
            names.add(alias)
    return {name for name in names if name}


def en_names(deal: DealEntry) -> set[str]:
    words = {
        singular_en(w)
        for w in re.findall(r"[a-z]+", deal.title_en.casefold())
        if w not in _EN_STOPWORDS and len(w) >= 2 and w not in _EN_CONTAINERS
    }
    for alias in deal.aliases:
        if alias.isascii():
            words.update(singular_en(w) for w in re.findall(r"[a-z]+", alias.casefold()))
    return words


def singular_en(word: str) -> str:
    word = word.casefold()
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "oes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


@lru_cache(maxsize=64)
def _longest_first(words: frozenset[str]) -> tuple[str, ...]:
    """The words longest first (alphabetical among equals), sorted once per set of words."""
    return tuple(sorted(words, key=lambda word: (-len(word), word)))


@lru_cache(maxsize=64)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    if not names:
        return None
    return re.compile("|".join(map(re.escape, names)))


@lru_cache(maxsize=8192)
def _syllable(ch: str) -> str:
    return lazy_pinyin(ch)[0]


def syllables(text: str) -> tuple[str, ...]:
    return tuple(_syllable(ch) for ch in text)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"
