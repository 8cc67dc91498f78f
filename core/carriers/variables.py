"""What a template's variables are filled with, from the message being sent.

An outbox row holds its rendered text, not the facts it was made of, so for now a
template variable can be one of these message-level values; a template for free text
("${content}") is how Aliyun and Tencent carry a reply whose wording is ours. Per-kind
typed variables (the deal, the quantity, the pickup time) come with the template-world
replies of issue 12 and will add sources here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MessageFacts:
    """What the send path knows of a message when it fills a template."""

    body: str
    community_name: str


@dataclass(frozen=True)
class FilledTemplate:
    """What a template sender hands the provider: signature, template, values in order."""

    provider: str
    sign_name: str
    template_code: str
    values: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict[str, str]:
        """Aliyun's TemplateParam: variables by name."""
        return dict(self.values)

    def in_order(self) -> list[str]:
        """Tencent's TemplateParamSet: values in the template's order."""
        return [value for _, value in self.values]


VARIABLE_SOURCES: dict[str, Callable[[MessageFacts], str]] = {
    "content": lambda facts: facts.body,
    "community": lambda facts: facts.community_name,
}

#: The longest value each source can give: a reply is at most two segments of 67.
VARIABLE_MAX_CHARS: dict[str, int] = {"content": 134, "community": 100}
#: Sources whose values may hold digits or links (a deal's price, a phone): carriers
#: intercept texts with links or contact numbers, and providers refuse them in variables.
MAY_HOLD_NUMBERS = frozenset({"content"})


def fill(names: tuple[str, ...], facts: MessageFacts) -> list[tuple[str, str]]:
    """(name, value) for each of a template's variables, in the template's order."""
    return [(name, VARIABLE_SOURCES[name](facts)) for name in names]
