"""`flask --app app templates list|set|check|signature|push-key`: a community's standing
with Aliyun and Tencent, and its template catalogue (see README, "Mainland China")."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from core.carriers.checks import check_template
from core.carriers.models import Carrier
from core.carriers.services import (
    AccountView,
    CatalogueProblem,
    account_of,
    rotate_push_key,
    set_account,
    set_template,
    templates_of,
)
from core.i18n import t
from staff.cli import COMMUNITY_OPTION, _community, _core

templates_cli = AppGroup("templates", help="Aliyun and Tencent: signature, push URLs, templates.")

PROVIDER_OPTION = click.option(
    "--provider", type=click.Choice([c.value for c in Carrier]), required=True
)


def _providers(chosen: str | None) -> list[str]:
    return [chosen] if chosen else [c.value for c in Carrier]


def _push_urls(account: AccountView) -> list[str]:
    from flask import current_app

    base = current_app.extensions["mianhua"].settings.public_base_url
    texts = [
        f"{kind}: {base}/sms/{account.provider}/{kind}?key={account.push_key}"
        for kind in ("inbound", "report")
    ]
    return [*texts, f"call report: {base}/voice/{account.provider}/report?key={account.push_key}"]


def _stored(result: object) -> None:
    if isinstance(result, CatalogueProblem):
        raise click.ClickException(f"{result.field}: {result.detail}")


@templates_cli.command("signature")
@PROVIDER_OPTION
@click.option("--sign-name", required=True, help="The approved signature (签名), without 【】.")
@click.option("--extend-code", default="", help="The extension code replies come back under.")
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
    click.echo(f"{community.name} on {provider}: 【{account.sign_name}】")
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
                click.echo(f"  signature: {account.sign_name}")
            broken += not checked.ok
    if broken:
        sys.exit(1)


def register(app: Flask) -> None:
    from staff import voice_templates_cli  # `templates voice` joins the group

    del voice_templates_cli
    app.cli.add_command(templates_cli)
