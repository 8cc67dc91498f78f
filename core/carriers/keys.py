"""The template keys: every outbound text kind, with its typed variables and the wording
we suggest filing for it.

A key is what the catalogue (`carrier_templates.kind`) maps to a provider's template
code. Most keys are a message kind; a few kinds say different things that an approved
template cannot bend to, so they have keys of their own (an order cancelled is not an
order placed; a notice that goods were not collected is not a pickup reminder; a
digest lists several deals). A key with no template filed falls back to its kind's
template, filled with the whole text (`content`).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.messages.models import MessageKind


@dataclass(frozen=True)
class TemplateKey:
    key: str
    kind: MessageKind  # the message kind it sends, and falls back to
    variables: tuple[str, ...]  # the suggested template's variables, in order
    suggested: str  # the suggested words, Aliyun style (${name}); Tencent numbers them
    promotional: bool = False


DIGEST = "digest"
CANCELLATION = "cancellation"
UNCOLLECTED = "uncollected"

TEMPLATE_KEYS: dict[str, TemplateKey] = {
    k.key: k
    for k in (
        TemplateKey(MessageKind.REPLY, MessageKind.REPLY, ("content",), "居委会回复：${content}"),
        TemplateKey(
            MessageKind.CONFIRMATION,
            MessageKind.CONFIRMATION,
            ("deal", "amount", "total", "pickup", "place", "code"),
            "您已订${deal}，共${amount}，合计${total}，请于${pickup}到${place}取货，取货码${code}。",
        ),
        TemplateKey(
            CANCELLATION, MessageKind.CONFIRMATION, ("deal",), "您订的${deal}已取消，欢迎再订。"
        ),
        TemplateKey(
            MessageKind.REMINDER,
            MessageKind.REMINDER,
            ("deal", "amount", "pickup", "place"),
            "取货提醒：您订的${deal}共${amount}，请于${pickup}到${place}取。",
        ),
        TemplateKey(
            DIGEST,
            MessageKind.REMINDER,
            ("items", "pickup", "place"),
            "取货提醒：${items}，请于${pickup}到${place}取。",
        ),
        TemplateKey(
            UNCOLLECTED,
            MessageKind.REMINDER,
            ("deal", "place"),
            "您订的${deal}还没取，请到${place}领取。",
        ),
        TemplateKey(
            MessageKind.DEAL_UPDATE, MessageKind.DEAL_UPDATE, ("content",), "团购消息：${content}"
        ),
        TemplateKey(
            MessageKind.BROADCAST,
            MessageKind.BROADCAST,
            ("content",),
            "团购消息：${content}。回T退订",
            promotional=True,
        ),
        TemplateKey(
            MessageKind.STAFF_REPLY,
            MessageKind.STAFF_REPLY,
            ("content",),
            "居委会工作人员回复：${content}",
        ),
    )
}

#: Keys whose one free variable carries staff's own words (the console counts them).
FREE_TEXT_KEYS = (MessageKind.STAFF_REPLY, MessageKind.BROADCAST)


def is_promotional(key: str) -> bool:
    known = TEMPLATE_KEYS.get(key)
    return known is not None and known.promotional


def keys_to_try(kind: str, dedupe_key: str | None, *, order_active: bool | None) -> list[str]:
    """The template keys a message may go out as, best first: its own, then its kind's."""
    dedupe = dedupe_key or ""
    own: str | None = None
    if dedupe.startswith(f"{DIGEST}:"):
        own = DIGEST
    elif kind == MessageKind.CONFIRMATION and order_active is False:
        own = CANCELLATION
    elif kind == MessageKind.REMINDER and dedupe.endswith(":uncollected"):
        own = UNCOLLECTED
    return [own, kind] if own else [kind]


def suggested_text(key: TemplateKey, provider: str, variables: tuple[str, ...]) -> str:
    """The suggested words as the provider writes variables: ${name} or {1}{2}."""
    text = key.suggested
    if provider == "tencent":
        for number, name in enumerate(variables, start=1):
            text = text.replace(f"${{{name}}}", f"{{{number}}}")
    return text
