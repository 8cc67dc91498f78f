"""Filling a community's filed template for one outbox row, from typed values.

The row's deal and the resident's order give the typed values (core/carriers/
variables.py); the row's own text fills the free variable. A value too long for its
variable is cut to fit when it is fixed-form (a title), or carried over several texts
when it is free (`content`, a digest's `items`): the result is then several filled
templates, one text each, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import formatting
from core.carriers.keys import DIGEST, keys_to_try
from core.carriers.models import Carrier, CarrierAccount, CarrierTemplate
from core.carriers.splitting import split_text
from core.carriers.variables import VARIABLES, FilledTemplate, MessageFacts, fit, longest
from core.community.models import Community
from core.deals.models import Deal
from core.i18n import t
from core.messages.models import Message, MessageKind
from core.orders.models import Order

#: The longest value each provider takes in one variable (Aliyun's 其他 property: 35;
#: Tencent's template rules: 20 for text values).
VARIABLE_LIMIT: dict[str, int] = {Carrier.ALIYUN: 35, Carrier.TENCENT: 20}
_ALIYUN_VARIABLE = re.compile(r"\$\{(\w+)\}")
_TENCENT_VARIABLE = re.compile(r"\{(\d+)\}")


@dataclass(frozen=True)
class Filled:
    """The texts one row goes out as: usually one; several when its words are long."""

    key: str
    texts: tuple[FilledTemplate, ...]


def facts_for(session: Session, message: Message, community: Community, language: str):  # type: ignore[no-untyped-def]
    """The typed values of a row: its deal's and the resident's order on it."""
    deal = session.get(Deal, message.deal_id) if message.deal_id is not None else None
    order = None
    if deal is not None and message.resident_id is not None:
        order = session.scalar(
            select(Order).where(Order.deal_id == deal.id, Order.resident_id == message.resident_id)
        )
    if deal is None:
        return MessageFacts(body=message.body, community_name=community.name), None
    if order is not None and superseded(message, order):
        order = None  # its values now would describe a later change, not this one
    quantity = order.quantity if order is not None else 0
    facts = MessageFacts(
        body=message.body,
        community_name=community.name,
        deal=deal.title(language),
        amount=f"{quantity}{deal.unit}" if quantity else "",
        total=formatting.money(quantity * deal.price_fen, language) if quantity else "",
        pickup=formatting.span(deal.pickup_start, deal.pickup_end, community.zone, language),
        place=deal.pickup_place or community.pickup_place,
        code=(order.pickup_code or "") if order is not None else "",
    )
    return facts, (order.is_active if order is not None else None)


def can_send_digest(session: Session, community_id: int, provider: str) -> bool:
    """A digest goes as the `digest` template, or as a reminder template of free words;
    a typed reminder template cannot tell several deals, so then nothing is merged."""
    entries = {
        entry.kind: entry
        for entry in session.scalars(
            select(CarrierTemplate).where(
                CarrierTemplate.community_id == community_id,
                CarrierTemplate.provider == provider,
                CarrierTemplate.kind.in_([DIGEST, MessageKind.REMINDER]),
            )
        )
    }
    if DIGEST in entries:
        return True
    reminder = entries.get(MessageKind.REMINDER)
    return reminder is not None and "content" in reminder.variables


_REVISION = re.compile(r"^order:(\d+):r(\d+)$")


def superseded(message: Message, order: Order) -> bool:
    """A confirmation written for an earlier revision of the order (changed since)."""
    found = _REVISION.match(message.dedupe_key or "")
    return found is not None and int(found.group(2)) != order.revision


def is_superseded(session: Session, message: Message) -> bool:
    if message.deal_id is None or message.resident_id is None:
        return False
    order = session.scalar(
        select(Order).where(
            Order.deal_id == message.deal_id, Order.resident_id == message.resident_id
        )
    )
    return order is not None and superseded(message, order)


def fill_for_row(
    session: Session,
    *,
    message: Message,
    community: Community,
    provider: str,
    language: str,
    facts: MessageFacts | None = None,
) -> Filled | None:
    """The community's filed template for this row, filled; None when none is filed
    (or none can be filled from what the row knows): the sender then refuses it."""
    account = session.scalar(
        select(CarrierAccount).where(
            CarrierAccount.community_id == community.id, CarrierAccount.provider == provider
        )
    )
    if account is None:
        return None
    known, order_active = facts_for(session, message, community, language)
    facts = facts or known
    for key in keys_to_try(message.kind, message.dedupe_key, order_active=order_active):
        entry = session.scalar(
            select(CarrierTemplate).where(
                CarrierTemplate.community_id == community.id,
                CarrierTemplate.provider == provider,
                CarrierTemplate.kind == key,
            )
        )
        if entry is None:
            continue
        texts = fill_entry(entry, account.sign_name, provider, facts, account.extend_code)
        if texts:
            return Filled(key, texts)
    return None


def fill_entry(
    entry: CarrierTemplate,
    sign_name: str,
    provider: str,
    facts: MessageFacts,
    extend_code: str = "",
) -> tuple[FilledTemplate, ...]:
    """One filled template per text; empty when a typed variable has no value here."""
    limit = VARIABLE_LIMIT.get(provider, 20)
    fixed: list[tuple[str, str]] = []
    split_at: int | None = None
    pieces: list[str] = []
    for name in entry.variables:
        variable = VARIABLES.get(name)
        if variable is None:
            return ()
        value = variable.source(facts).strip()
        if not value:
            return ()
        most = longest(name, limit)
        if variable.splits and len(value) > most and split_at is None:
            split_at, pieces = len(fixed), split_text(value, most)
            fixed.append((name, pieces[0]))
            continue
        fixed.append((name, fit(value, most)))
    if split_at is None:
        pieces = [fixed[0][1]] if fixed else [""]
        split_at = 0
    texts = []
    for piece in pieces:
        values = list(fixed)
        if values:
            values[split_at] = (values[split_at][0], piece)
        texts.append(
            FilledTemplate(
                provider=provider,
                sign_name=sign_name,
                template_code=entry.template_code,
                values=tuple(values),
                text=render(entry.template_text, provider, values),
                extend_code=extend_code,
            )
        )
    return tuple(texts)


def render(template_text: str, provider: str, values: list[tuple[str, str]]) -> str:
    """The words the resident reads (without the signature): the filed text, filled."""
    if not template_text:
        return "".join(value for _, value in values)
    by_name = dict(values)
    if provider == Carrier.TENCENT:
        ordered = [value for _, value in values]
        return _TENCENT_VARIABLE.sub(
            lambda m: ordered[int(m.group(1)) - 1] if int(m.group(1)) <= len(ordered) else "",
            template_text,
        )
    return _ALIYUN_VARIABLE.sub(lambda m: by_name.get(m.group(1), ""), template_text)


def digest_body(language: str, items: str, pickup: str, place: str) -> str:
    """The digest as the catalogs word it (what the console and the log show)."""
    return t(language, "sms.digest", items=items, pickup=pickup, place=place)
