"""Reads the corpus: residents' texts, written as they really type them, and the orders
that must stand afterwards.

The files (plain.txt, names.txt, voice.txt, multi.txt, changes.txt, tricky.txt) are kept
as plain text so that anyone on the committee can read and add to them. A case is a block
of consecutive non-blank lines; blocks are separated by blank lines:

    # a comment line (ignored)
    ## names             sets the kind of the cases that follow (must match the file)
    deals: two_pears     optional: the deal set (default: estate)
    lang: en             optional: the resident's language (default: zh)
    > 我要两份梨           one text the resident sends, in order (\\n is a newline in one SMS)
    > 1                  her next text, e.g. the answer to the service's question
    = 1:2                the orders that must stand afterwards (deal:quantity ...), "= -" for none
    ~ 15                 optional, repeatable: what the reply to the LAST text must contain

Every case is a freshly registered resident (李秀英, 3号楼2单元401室) with no orders,
texting the community's number while the deals of her case's deal set (DEAL_SETS) are open.
The loader checks the format and the deal numbers, so a mistake in a file is reported with
its file and line rather than measured as the reader's failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).parent
KINDS = ("plain", "names", "voice", "multi", "changes", "tricky")
LANGUAGES = ("zh", "en")
DEFAULT_DEALS = "estate"
DEFAULT_LANG = "zh"
RESIDENT_NAME = "李秀英"
RESIDENT_FLAT = ("3", "2", "401")  # 3号楼2单元401室


@dataclass(frozen=True)
class CorpusDeal:
    """One deal as a case sees it; `left` is the stock still to be had (None: no cap)."""

    number: int
    title_zh: str
    title_en: str
    unit: str
    price_fen: int
    limit: int
    left: int | None = None
    is_open: bool = True


_ESTATE = (
    CorpusDeal(1, "赵县雪花梨", "Zhaoxian snow pears", "份", 1500, limit=5),
    CorpusDeal(2, "蔚县小米", "Yuxian millet", "袋", 1200, limit=4),  # 5斤 a bag
    CorpusDeal(3, "鲁花花生油", "Luhua peanut oil", "桶", 8900, limit=2),
    CorpusDeal(4, "正定蔬菜箱", "Zhengding vegetable box", "箱", 3000, limit=3),
    CorpusDeal(5, "高邑土鸡蛋", "Gaoyi free-range eggs", "盒", 2500, limit=2, left=3),  # 30个
    # Ordering ended yesterday: every order for it is refused.
    CorpusDeal(6, "井陉核桃", "Jingxing walnuts", "袋", 3500, limit=3, is_open=False),
)

#: The deals open (or just closed) while a case is texted, by deal set.
DEAL_SETS: dict[str, tuple[CorpusDeal, ...]] = {
    "estate": _ESTATE,
    # 梨 alone is ambiguous here, between 1 and 7.
    "two_pears": (*_ESTATE, CorpusDeal(7, "泊头鸭梨", "Botou ya pears", "份", 1000, limit=5)),
}


@dataclass(frozen=True)
class Case:
    """One resident's texts, in order, and what must stand after the last of them."""

    kind: str
    file: str
    line: int
    deals: str
    lang: str
    texts: list[str]
    expected: dict[int, int]
    must_contain: list[str]

    @property
    def where(self) -> str:
        """file:line, for test ids and failure messages."""
        return f"{self.file}:{self.line}"


class CorpusError(ValueError):
    """A corpus file that does not follow the format, named by file and line."""

    def __init__(self, file: str, line: int, problem: str) -> None:
        super().__init__(f"{file}:{line}: {problem}")


_ORDER = re.compile(r"([1-9][0-9]?):([0-9]+)")


def load_corpus(directory: Path = CORPUS_DIR) -> list[Case]:
    """Every case of every kind, in file order."""
    cases: list[Case] = []
    for kind in KINDS:
        cases.extend(load_file(directory / f"{kind}.txt"))
    return cases


def load_file(path: Path) -> list[Case]:
    """The cases of one file; its name (without .txt) is the kind every ## line must say."""
    expected_kind = path.stem
    lines = path.read_text(encoding="utf-8").split("\n")
    cases: list[Case] = []
    kind: str | None = None
    block: list[tuple[int, str]] = []
    for number, raw in enumerate([*lines, ""], start=1):
        line = raw.rstrip("\r")
        if line.strip():
            block.append((number, line))
            continue
        if block:
            kind, case = _read_block(path.name, expected_kind, kind, block)
            if case is not None:
                cases.append(case)
            block = []
    return cases


def _read_block(
    file: str, expected_kind: str, kind: str | None, block: list[tuple[int, str]]
) -> tuple[str | None, Case | None]:
    """One block: kind lines and comments change nothing else; any other line makes a case."""
    start: int | None = None
    deals, lang = DEFAULT_DEALS, DEFAULT_LANG
    seen: set[str] = set()
    texts: list[str] = []
    expected: dict[int, int] | None = None
    must_contain: list[str] = []
    for number, line in block:
        if line.startswith("## "):
            kind = line[3:].strip()
            if kind != expected_kind:
                raise CorpusError(file, number, f"kind {kind!r} in the file of {expected_kind!r}")
            continue
        if line.startswith("#"):
            continue
        if kind is None:
            raise CorpusError(file, number, "a case before the file's '## kind' line")
        start = number if start is None else start
        key, _, value = line.partition(" ")
        if key in ("deals:", "lang:"):
            if texts or key in seen:
                raise CorpusError(file, number, f"'{key}' must come once, before the texts")
            seen.add(key)
            if key == "deals:":
                deals = _one_of(file, number, value.strip(), tuple(DEAL_SETS), "deal set")
            else:
                lang = _one_of(file, number, value.strip(), LANGUAGES, "language")
        elif key == ">":
            if expected is not None:
                raise CorpusError(file, number, "a text after the '=' line")
            text = _unescape(value)
            if not text.strip():
                raise CorpusError(file, number, "an empty text")
            texts.append(text)
        elif key == "=":
            if expected is not None:
                raise CorpusError(file, number, "a second '=' line")
            if not texts:
                raise CorpusError(file, number, "'=' before any '>' text")
            expected = _orders(file, number, value.strip(), deals)
        elif key == "~":
            if expected is None:
                raise CorpusError(file, number, "'~' before the '=' line")
            if not value.strip():
                raise CorpusError(file, number, "an empty '~'")
            must_contain.append(value.strip())
        else:
            raise CorpusError(file, number, f"not a line of the format: {line!r}")
    if start is None:
        return kind, None
    if expected is None:
        raise CorpusError(file, start, "a case without its '=' line")
    assert kind is not None
    return kind, Case(kind, file, start, deals, lang, texts, expected, must_contain)


def _one_of(file: str, number: int, value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise CorpusError(file, number, f"unknown {what} {value!r} (one of {', '.join(allowed)})")
    return value


def _orders(file: str, number: int, value: str, deals: str) -> dict[int, int]:
    """ "1:2 3:1" → {1: 2, 3: 1}; "-" → {}. Each deal must be open in the case's set."""
    if value == "-":
        return {}
    open_deals = {deal.number: deal for deal in DEAL_SETS[deals] if deal.is_open}
    orders: dict[int, int] = {}
    for item in value.split():
        match = _ORDER.fullmatch(item)
        if match is None:
            raise CorpusError(file, number, f"not deal:quantity: {item!r}")
        deal, quantity = int(match[1]), int(match[2])
        if deal not in open_deals:
            raise CorpusError(file, number, f"deal {deal} is not open in the set {deals!r}")
        if deal in orders:
            raise CorpusError(file, number, f"deal {deal} twice")
        if quantity < 1:
            raise CorpusError(file, number, f"quantity {quantity} of deal {deal} is not positive")
        orders[deal] = quantity
    return orders


def _unescape(text: str) -> str:
    r"""\n is a newline inside one SMS and \\ a backslash; nothing else is escaped."""
    return re.sub(r"\\([n\\])", lambda m: "\n" if m[1] == "n" else "\\", text)
