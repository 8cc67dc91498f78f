"""The template catalogue and the day's held and merged texts, as the console shows them.

Read and changed for a staff actor only, in the actor's community (`@acting`): the
templates per provider with their check and longest rendering, the keys not filed yet
with the wording we suggest, and who was held by the cap or got a digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from core.accounts.acting import acting
from core.carriers.caps import HELD, MAINLAND_QUIET, daily_budget, provider_of
from core.carriers.checks import Checked, check_template
from core.carriers.digests import MERGED
from core.carriers.filling import VARIABLE_LIMIT
from core.carriers.keys import TEMPLATE_KEYS, TemplateKey, suggested_text
from core.carriers.models import Carrier
from core.carriers.services import (
    AccountView,
    CatalogueProblem,
    TemplateView,
    account_of,
    set_template,
    templates_of,
)
from core.carriers.variables import longest
from core.community.models import Community
from core.context import Core
from core.messages.models import Message, MessageStatus
from core.residents.models import Resident


@dataclass(frozen=True)
class Suggestion:
    key: TemplateKey
    text: str  # in the provider's own variable style, ready to paste


@dataclass(frozen=True)
class ProviderCatalogue:
    provider: str
    account: AccountView | None
    budget: int
    checked: tuple[Checked, ...]
    missing: tuple[Suggestion, ...]


@dataclass(frozen=True)
class Catalogue:
    community_name: str
    sends_through: str  # the provider the community texts through now
    providers: tuple[ProviderCatalogue, ...]


@acting(by=None)
def catalogue(core: Core, *, community_id: int) -> Catalogue:
    """Every provider's filed templates, checked, and the keys still to file."""
    with core.db.transaction() as session:
        community = session.get_one(Community, community_id)
        name, sends = community.name, provider_of(core, community)
    providers = []
    for provider in Carrier:
        account = account_of(core, community_id=community_id, provider=provider)
        entries = templates_of(core, community_id=community_id, provider=provider)
        sign = account.sign_name if account else name
        checked = tuple(
            check_template(entry, sign_name=sign, known={"community": name}) for entry in entries
        )
        filed = {entry.kind for entry in entries}
        missing = tuple(
            Suggestion(key, suggested_text(key, provider, key.variables))
            for key in TEMPLATE_KEYS.values()
            if key.key not in filed
        )
        budget = account.daily_budget if account and account.daily_budget else None
        providers.append(
            ProviderCatalogue(
                provider,
                account,
                budget or daily_budget(None, provider),
                checked,
                missing,
            )
        )
    return Catalogue(name, sends, tuple(providers))


@acting(admin=True, by=None)
def file_template(
    core: Core,
    *,
    community_id: int,
    provider: str,
    key: str,
    template_code: str,
    template_text: str,
    variables: list[str],
) -> TemplateView | CatalogueProblem:
    """File (or change) the template a key goes out as: what `templates set` does."""
    return set_template(
        core,
        community_id=community_id,
        provider=provider,
        kind=key,
        template_code=template_code.strip(),
        variables=[v.strip() for v in variables if v.strip()],
        template_text=template_text,
    )


@dataclass(frozen=True)
class FreeText:
    """How staff's own words reach a mainland resident: through one template's variable."""

    provider: str
    key: str
    template_code: str | None  # None: no template filed, nothing can be sent
    limit: int  # characters one text carries; longer words go as several texts


@acting(by=None)
def free_text_route(core: Core, *, community_id: int, key: str) -> FreeText | None:
    """None for a community on Twilio or the console (its texts are not templates)."""
    with core.db.transaction() as session:
        provider = provider_of(core, session.get_one(Community, community_id))
    if provider not in Carrier.__members__.values():
        return None
    filed = {t.kind: t for t in templates_of(core, community_id=community_id, provider=provider)}
    entry = filed.get(key)
    return FreeText(
        provider,
        key,
        entry.template_code if entry else None,
        longest("content", VARIABLE_LIMIT[provider]),
    )


@dataclass(frozen=True)
class HeldText:
    message_id: int
    resident: str
    phone: str
    kind: str
    body: str
    what: str  # held | merged | dropped
    until: datetime | None
    digest_id: int | None


@acting(by=None)
def held_and_merged(core: Core, *, community_id: int, days: int = 2) -> list[HeldText]:
    """Texts the cap held to a later morning, merged into a digest or dropped, lately."""
    since = core.now() - timedelta(days=days)
    with core.db.transaction() as session:
        rows = session.execute(
            select(Message, Resident)
            .outerjoin(Resident, Resident.id == Message.resident_id)
            .where(
                Message.community_id == community_id,
                Message.error_code.in_([HELD, MERGED]),
                Message.updated_at >= since,
            )
            .order_by(Message.updated_at.desc(), Message.id.desc())
            .limit(500)
        ).all()
        return [_held(message, resident) for message, resident in rows]


def _held(message: Message, resident: Resident | None) -> HeldText:
    if message.error_code == MERGED:
        what = "merged"
    elif message.status == MessageStatus.SUPPRESSED:
        what = "dropped"
    else:
        what = "held"
    detail = message.error_detail or ""
    digest = int(detail.split(":", 1)[1]) if detail.startswith("digest:") else None
    return HeldText(
        message.id,
        resident.name if resident else "",
        message.phone,
        message.kind,
        message.body,
        what,
        message.not_before if what == "held" else None,
        digest,
    )


#: Shown on the page: when a mainland community's texts wait.
SENDING_WINDOW = f"{MAINLAND_QUIET.end:%H:%M}-{MAINLAND_QUIET.start:%H:%M}"
