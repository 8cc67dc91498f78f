"""Typed template variables: what a mainland template's `${name}` / `{n}` is filled with.

An outbox row holds its text as the Babel catalogs rendered it (what Twilio and the
console send). A mainland provider sends only a filed template, so the same message is
also described by typed values read from its deal and the resident's order: the deal's
title, the amount, the total, the pickup window and place. Each variable has a type
(what the provider's variable property is: text, number, money, date, time, a name),
and the longest value it can take, which is what `templates check` counts and what
the filler holds it to. `content` is the free variable: the message's whole text, cut
into pieces that each fit (see core/carriers/splitting.py).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field


class VarType(enum.StrEnum):
    """The variable's property as filed with the provider (Aliyun names each one)."""

    FREE = "free"  # our own wording: a reply, an answer, a staff text (其他)
    TEXT = "text"  # a short fixed-form text: a place, a list of items
    DEAL = "deal"  # a deal's title
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    TIME = "time"
    NAME = "name"  # the community's own name


@dataclass(frozen=True)
class MessageFacts:
    """What the send path knows of a message when it fills a template.

    `body` is the catalog rendering; the rest are the typed values, empty when the
    message has no deal (a reply, a staff answer)."""

    body: str
    community_name: str
    deal: str = ""
    amount: str = ""  # 2箱
    total: str = ""  # 70元
    pickup: str = ""  # 11月28日周六 9:00-11:00
    place: str = ""
    items: str = ""  # a digest's list: 赵县雪花梨2箱、蔚县小米1袋
    code: str = ""  # the pickup code said at the desk: 4821


@dataclass(frozen=True)
class Variable:
    name: str
    type: VarType
    #: The longest value; None for the free variable, which takes the provider's limit.
    max_chars: int | None
    source: Callable[[MessageFacts], str]
    #: Values may carry digits a carrier reads as a contact number (only free text can).
    may_hold_numbers: bool = False
    #: Too long a value is carried over several texts rather than cut.
    splits: bool = False


VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in (
        Variable("content", VarType.FREE, None, lambda f: f.body, True, True),
        Variable("community", VarType.NAME, 12, lambda f: f.community_name),
        Variable("deal", VarType.DEAL, 12, lambda f: f.deal),
        Variable("amount", VarType.NUMBER, 8, lambda f: f.amount),
        Variable("total", VarType.MONEY, 10, lambda f: f.total),
        Variable("pickup", VarType.TIME, 20, lambda f: f.pickup),
        Variable("place", VarType.TEXT, 20, lambda f: f.place),
        Variable("items", VarType.TEXT, None, lambda f: f.items, False, True),
        Variable("code", VarType.NUMBER, 4, lambda f: f.code),
    )
}

#: The variables a template may name, by name (for `templates set`).
VARIABLE_SOURCES: dict[str, Callable[[MessageFacts], str]] = {
    name: v.source for name, v in VARIABLES.items()
}
#: Sources whose values may hold digits or links (a deal's price, a phone): carriers
#: intercept texts with links or contact numbers, and providers refuse them in variables.
MAY_HOLD_NUMBERS = frozenset(name for name, v in VARIABLES.items() if v.may_hold_numbers)


def longest(name: str, provider_limit: int) -> int:
    """The most characters variable `name` can hold with a provider whose limit this is."""
    variable = VARIABLES[name]
    if variable.max_chars is None:
        return provider_limit
    return min(variable.max_chars, provider_limit)


@dataclass(frozen=True)
class FilledTemplate:
    """What a template sender hands the provider: signature, template, values in order."""

    provider: str
    sign_name: str
    template_code: str
    values: tuple[tuple[str, str], ...]
    #: What the resident reads, signature aside: the filed text with the values in it.
    text: str = field(default="", compare=False)
    #: The community's extension code (Aliyun SmsUpExtendCode, Tencent ExtendCode): a
    #: reply comes back under it, which is how a push finds its community.
    extend_code: str = ""

    def as_dict(self) -> dict[str, str]:
        """Aliyun's TemplateParam: variables by name."""
        return dict(self.values)

    def in_order(self) -> list[str]:
        """Tencent's TemplateParamSet: values in the template's order."""
        return [value for _, value in self.values]


def fill(names: tuple[str, ...], facts: MessageFacts) -> list[tuple[str, str]]:
    """(name, value) for each of a template's variables, in the template's order."""
    return [(name, VARIABLE_SOURCES[name](facts)) for name in names]


def fit(value: str, limit: int) -> str:
    """A fixed-form value held to its longest: a long title or place ends in …."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
