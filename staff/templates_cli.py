"""`flask --app app templates list|set|check|signature|push-key`: a community's standing
with Aliyun and Tencent, and its template catalogue (see README, "Mainland China")."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from bootstrap import mianhua
from core.carriers.caps import DEFAULT_DAILY_BUDGET
from core.carriers.checks import check_template
from core.carriers.filling import VARIABLE_LIMIT
from core.carriers.keys import TEMPLATE_KEYS, suggested_text
from core.carriers.models import Carrier
from core.carriers.services import (
    AccountView,
    CatalogueProblem,
    account_of,
    rotate_push_key,
    set_account,
    set_daily_budget,
    set_template,
    templates_of,
)
from core.carriers.variables import VARIABLES, longest
from core.i18n import t
from staff.cli import COMMUNITY_OPTION, _community, _core

templates_cli = AppGroup("templates", help="Aliyun and Tencent: signature, push URLs, templates.")

PROVIDER_OPTION = click.option(
    "--provider", type=click.Choice([c.value for c in Carrier]), required=True
)


def _providers(chosen: str | None) -> list[str]:
    return [chosen] if chosen else [c.value for c in Carrier]


def _push_urls(account: AccountView) -> list[str]:
    base = mianhua().settings.public_base_url
    texts = [
        f"{kind}: {base}/sms/{account.provider}/{kind}?key={account.push_key}"
        for kind in ("inbound", "report")
    ]
    return [*texts, f"call report: {base}/voice/{account.provider}/report?key={account.push_key}"]


def daily_budget_of(account: AccountView) -> int:
    return account.daily_budget or DEFAULT_DAILY_BUDGET[account.provider]


def _stored(result: object) -> None:
    if isinstance(result, CatalogueProblem):
        raise click.ClickException(f"{result.field}: {result.detail}")


@templates_cli.command("signature")
@PROVIDER_OPTION
@click.option("--sign-name", required=True, help="The approved signature (签名), without 【】.")
@click.option(
    "--extend-code",
    "--extension",
    "extend_code",
    default="",
    help="The community's extension code (digits): its texts carry it, replies come back "
    "under it. Communities sharing a signature each need their own.",
)
@COMMUNITY_OPTION
def signature_command(
    provider: str, sign_name: str, extend_code: str, community_phone: str | None
) -> None:
    """Record the community's signature with a provider; prints the push URLs to set."""
    community = _community(community_phone)
    account = set_account(
        _core(),
        community_id=community.id,
        provider=provider,
        sign_name=sign_name.strip(),
        extend_code=extend_code.strip(),
    )
    _stored(account)
    assert isinstance(account, AccountView)
    extension = f" extension {account.extend_code}" if account.extend_code else ""
    click.echo(f"{community.name} on {provider}: 【{account.sign_name}】{extension}")
    for line in _push_urls(account):
        click.echo(line)


@templates_cli.command("push-key")
@PROVIDER_OPTION
@click.option("--rotate", is_flag=True, help="A new key; the old one stops working at once.")
@COMMUNITY_OPTION
def push_key_command(provider: str, rotate: bool, community_phone: str | None) -> None:
    """The push URLs with the community's key (for the provider's console)."""
    community = _community(community_phone)
    core = _core()
    account = (rotate_push_key if rotate else account_of)(
        core, community_id=community.id, provider=provider
    )
    if account is None:
        raise click.ClickException(f"no {provider} signature yet: run templates signature first")
    for line in _push_urls(account):
        click.echo(line)


@templates_cli.command("budget")
@PROVIDER_OPTION
@click.option("--daily", type=int, default=None, help="Texts a day per resident (1-50).")
@click.option("--default", "documented", is_flag=True, help="Back to the provider's cap.")
@COMMUNITY_OPTION
def budget_command(
    provider: str, daily: int | None, documented: bool, community_phone: str | None
) -> None:
    """A resident's daily budget of texts through the provider (no option: show it)."""
    community = _community(community_phone)
    core = _core()
    if daily is not None or documented:
        account = set_daily_budget(
            core, community_id=community.id, provider=provider, budget=None if documented else daily
        )
        _stored(account)
    else:
        account = account_of(core, community_id=community.id, provider=provider)
    if account is None:
        raise click.ClickException(f"no {provider} signature yet: run templates signature first")
    assert isinstance(account, AccountView)
    budget = daily_budget_of(account)
    source = "set" if account.daily_budget else "the provider's documented cap"
    click.echo(f"{community.name} on {provider}: {budget} texts a resident a day ({source})")


@templates_cli.command("set")
@click.argument("kind")
@PROVIDER_OPTION
@click.option("--code", "template_code", required=True, help="The provider's template code/id.")
@click.option("--text", "template_text", required=True, help="The template's words, as filed.")
@click.option("--variable", "variables", multiple=True, help="Variable names, in order.")
@COMMUNITY_OPTION
def set_command(
    kind: str,
    provider: str,
    template_code: str,
    template_text: str,
    variables: tuple[str, ...],
    community_phone: str | None,
) -> None:
    """File the template a message kind goes out as (reply, confirmation, reminder, ...)."""
    community = _community(community_phone)
    entry = set_template(
        _core(),
        community_id=community.id,
        provider=provider,
        kind=kind,
        template_code=template_code.strip(),
        variables=list(variables),
        template_text=template_text,
    )
    _stored(entry)
    click.echo(f"{provider} {kind}: {template_code.strip()}")


@templates_cli.command("list")
@click.option("--provider", type=click.Choice([c.value for c in Carrier]), default=None)
@COMMUNITY_OPTION
def list_command(provider: str | None, community_phone: str | None) -> None:
    """The filed templates, per provider."""
    community = _community(community_phone)
    for name in _providers(provider):
        entries = templates_of(_core(), community_id=community.id, provider=name)
        for entry in entries:
            variables = ",".join(entry.variables) or "-"
            click.echo(f"{name}\t{entry.kind}\t{entry.template_code}\t{variables}")
        if not entries:
            click.echo(f"{name}\t(no templates)")


@templates_cli.command("check")
@click.option("--provider", type=click.Choice([c.value for c in Carrier]), default=None)
@click.option("--print", "show", is_flag=True, help="The exact text to paste, per template.")
@COMMUNITY_OPTION
def check_command(provider: str | None, show: bool, community_phone: str | None) -> None:
    """Every filed template against its provider's rules; non-zero exit if one breaks one."""
    community = _community(community_phone)
    core = _core()
    broken = 0
    for name in _providers(provider):
        account = account_of(core, community_id=community.id, provider=name)
        entries = templates_of(core, community_id=community.id, provider=name)
        if entries and account is None:
            click.echo(f"{name}: no signature filed (templates signature)", err=True)
            broken += 1
            continue
        for entry in entries:
            assert account is not None
            checked = check_template(
                entry, sign_name=account.sign_name, known={"community": community.name}
            )
            verdict = "ok" if checked.ok else "BREAKS RULES"
            click.echo(
                f"{name} {entry.kind} {entry.template_code}: {verdict} "
                f"({checked.longest} characters at the longest, {checked.segments} SMS)"
            )
            for finding in checked.findings:
                mark = "error" if finding.error else "warning"
                words = t("en", f"staff.templates.check.{finding.rule}", **finding.params)
                click.echo(f"  {mark}: {words}")
            if show:
                click.echo(f"  paste: {entry.template_text}")
                click.echo(f"  variables: {describe_variables(entry.variables, name)}")
                click.echo(f"  signature: {account.sign_name}")
            broken += not checked.ok
        if show:
            _suggest(name, {entry.kind for entry in entries})
    if broken:
        sys.exit(1)


def describe_variables(names: tuple[str, ...], provider: str) -> str:
    """Each variable with the property to file it under and its longest value."""
    limit = VARIABLE_LIMIT[provider]
    parts = [
        f"{n} ({VARIABLES[n].type}, {longest(n, limit)})" if n in VARIABLES else n for n in names
    ]
    return ", ".join(parts) or "-"


def _suggest(provider: str, filed: set[str]) -> None:
    """The keys not filed yet, with the words we suggest applying for."""
    for key in TEMPLATE_KEYS.values():
        if key.key in filed:
            continue
        click.echo(f"{provider} {key.key}: not filed; suggested")
        click.echo(f"  paste: {suggested_text(key, provider, key.variables)}")
        click.echo(f"  variables: {describe_variables(key.variables, provider)}")
        click.echo(
            f"  file it: templates set {key.key} --provider {provider} --code CODE "
            + " ".join(f"--variable {v}" for v in key.variables)
            + " --text '...'"
        )


def register(app: Flask) -> None:
    from staff import voice_templates_cli  # `templates voice` joins the group

    del voice_templates_cli
    app.cli.add_command(templates_cli)
