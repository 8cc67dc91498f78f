"""Use cases over a community's carrier accounts and template catalogue.

The operator's command line and, later, the console call these; the send path reads the
catalogue through `template_for` inside its own transaction.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.carriers.keys import TEMPLATE_KEYS
from core.carriers.models import Carrier, CarrierAccount, CarrierTemplate
from core.carriers.variables import VARIABLE_SOURCES, FilledTemplate, MessageFacts, fill
from core.context import Core

_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


@dataclass(frozen=True)
class AccountView:
    community_id: int
    provider: str
    sign_name: str
    extend_code: str
    push_key: str
    daily_budget: int | None = None  # None: the provider's documented cap


@dataclass(frozen=True)
class TemplateView:
    community_id: int
    provider: str
    kind: str
    template_code: str
    variables: tuple[str, ...]
    template_text: str = ""


@dataclass(frozen=True)
class CatalogueProblem:
    """Why an account or template was not stored, said in the operator's terms."""

    field: str
    detail: str

    def __bool__(self) -> bool:
        return False


def set_account(
    core: Core, *, community_id: int, provider: str, sign_name: str, extend_code: str = ""
) -> AccountView | CatalogueProblem:
    """Record (or change) the signature and extension code; a push key is made once.

    One provider account serves many communities, and a reply is routed by its signature
    and extension code alone, so no two communities may share both."""
    if provider not in Carrier.__members__.values():
        return CatalogueProblem("provider", f"one of {', '.join(Carrier)}")
    if not 2 <= len(sign_name) <= 12 or "【" in sign_name or "】" in sign_name:
        return CatalogueProblem("sign_name", "2 to 12 characters, without 【】")
    if extend_code and not extend_code.isdigit():
        return CatalogueProblem("extend_code", "digits only")
    if len(extend_code) > 12:
        return CatalogueProblem("extend_code", "at most 12 digits")
    now = core.now()
    with core.db.transaction() as session:
        taken = session.scalar(
            select(CarrierAccount.community_id).where(
                CarrierAccount.provider == provider,
                CarrierAccount.sign_name == sign_name,
                CarrierAccount.extend_code == extend_code,
                CarrierAccount.community_id != community_id,
            )
        )
        if taken is not None:
            return CatalogueProblem(
                "extend_code",
                f"another community (id {taken}) has 【{sign_name}】 with "
                f"{'extension ' + extend_code if extend_code else 'no extension code'}: "
                "give each community under one signature its own extension code",
            )
        account = _account(session, community_id, provider)
        if account is None:
            account = CarrierAccount(
                community_id=community_id,
                provider=provider,
                push_key=new_push_key(),
                created_at=now,
            )
            session.add(account)
        account.sign_name = sign_name
        account.extend_code = extend_code
        account.updated_at = now
        session.flush()
        return _account_view(account)


def rotate_push_key(core: Core, *, community_id: int, provider: str) -> AccountView | None:
    """A new push key; the old one stops working at once (the provider's URLs must follow)."""
    with core.db.transaction() as session:
        account = _account(session, community_id, provider)
        if account is None:
            return None
        account.push_key = new_push_key()
        account.updated_at = core.now()
        return _account_view(account)


#: The most a per-resident daily budget may be set to (Aliyun's documented cap).
MAX_DAILY_BUDGET = 50


def set_daily_budget(
    core: Core, *, community_id: int, provider: str, budget: int | None
) -> AccountView | CatalogueProblem | None:
    """Texts a resident may get in a day through this provider; None: the documented cap.
    None back when the community has no signature with the provider yet."""
    if budget is not None and not 1 <= budget <= MAX_DAILY_BUDGET:
        return CatalogueProblem("daily_budget", f"1 to {MAX_DAILY_BUDGET} texts a day")
    with core.db.transaction() as session:
        account = _account(session, community_id, provider)
        if account is None:
            return None
        account.daily_budget = budget
        account.updated_at = core.now()
        return _account_view(account)


def account_for_push(core: Core, *, provider: str, key: str) -> AccountView | None:
    """The account a push URL's key belongs to; None for a wrong or missing key."""
    if not key:
        return None
    with core.db.transaction() as session:
        account = session.scalar(select(CarrierAccount).where(CarrierAccount.push_key == key))
        if account is None or account.provider != provider:
            return None
        return _account_view(account)


def account_of(core: Core, *, community_id: int, provider: str) -> AccountView | None:
    with core.db.transaction() as session:
        account = _account(session, community_id, provider)
        return _account_view(account) if account is not None else None


def set_template(
    core: Core,
    *,
    community_id: int,
    provider: str,
    kind: str,
    template_code: str,
    variables: list[str],
    template_text: str = "",
) -> TemplateView | CatalogueProblem:
    """Map a message kind to the provider's approved template and its variables, in order."""
    if provider not in Carrier.__members__.values():
        return CatalogueProblem("provider", f"one of {', '.join(Carrier)}")
    if kind not in TEMPLATE_KEYS:
        return CatalogueProblem("kind", f"one of {', '.join(TEMPLATE_KEYS)}")
    if not _CODE.match(template_code):
        return CatalogueProblem("template_code", "letters, digits, _ . - (at most 40)")
    unknown = [name for name in variables if name not in VARIABLE_SOURCES]
    if unknown:
        known = ", ".join(VARIABLE_SOURCES)
        return CatalogueProblem("variables", f"unknown {', '.join(unknown)}; known: {known}")
    now = core.now()
    with core.db.transaction() as session:
        entry = session.scalar(_template_query(community_id, provider, kind))
        if entry is None:
            entry = CarrierTemplate(community_id=community_id, provider=provider, kind=kind)
            session.add(entry)
        entry.template_code = template_code
        entry.variables = list(variables)
        entry.template_text = template_text.strip()
        entry.updated_at = now
        session.flush()
        return _template_view(entry)


def templates_of(core: Core, *, community_id: int, provider: str) -> list[TemplateView]:
    with core.db.transaction() as session:
        rows = session.scalars(
            select(CarrierTemplate)
            .where(
                CarrierTemplate.community_id == community_id, CarrierTemplate.provider == provider
            )
            .order_by(CarrierTemplate.kind)
        ).all()
        return [_template_view(row) for row in rows]


def template_for(
    session: Session, *, community_id: int, provider: str, kind: str, facts: MessageFacts
) -> FilledTemplate | None:
    """The signature, template and variable values a message of this kind goes out with;
    None when the community has filed no template for it (nothing can be sent then)."""
    account = _account(session, community_id, provider)
    entry = session.scalar(_template_query(community_id, provider, kind))
    if account is None or entry is None:
        return None
    return FilledTemplate(
        provider=provider,
        sign_name=account.sign_name,
        template_code=entry.template_code,
        values=tuple(fill(tuple(entry.variables), facts)),
        extend_code=account.extend_code,
    )


def new_push_key() -> str:
    return secrets.token_urlsafe(24)


def _account(session: Session, community_id: int, provider: str) -> CarrierAccount | None:
    return session.scalar(
        select(CarrierAccount).where(
            CarrierAccount.community_id == community_id, CarrierAccount.provider == provider
        )
    )


def _template_query(community_id: int, provider: str, kind: str):  # type: ignore[no-untyped-def]
    return select(CarrierTemplate).where(
        CarrierTemplate.community_id == community_id,
        CarrierTemplate.provider == provider,
        CarrierTemplate.kind == kind,
    )


def _account_view(account: CarrierAccount) -> AccountView:
    return AccountView(
        account.community_id,
        account.provider,
        account.sign_name,
        account.extend_code,
        account.push_key,
        account.daily_budget,
    )


def _template_view(entry: CarrierTemplate) -> TemplateView:
    return TemplateView(
        entry.community_id,
        entry.provider,
        entry.kind,
        entry.template_code,
        tuple(entry.variables),
        entry.template_text,
    )
