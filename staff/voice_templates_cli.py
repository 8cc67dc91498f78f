"""`flask --app app templates voice`: the TTS template landline reminders are spoken in,
with Aliyun voice notification or Tencent VMS (see README, "Mainland China")."""

from __future__ import annotations

import click

from core.carriers.services import CatalogueProblem
from core.carriers.voice import set_voice_template, voice_template_of
from staff.cli import COMMUNITY_OPTION, _community, _core
from staff.templates_cli import PROVIDER_OPTION, templates_cli


@templates_cli.command("voice")
@PROVIDER_OPTION
@click.option("--code", "template_code", default=None, help="The approved TTS template code/id.")
@click.option("--text", "template_text", default="", help="The template's words, as filed.")
@click.option("--variable", "variables", multiple=True, help="Variable names, in order.")
@COMMUNITY_OPTION
def voice_command(
    provider: str,
    template_code: str | None,
    template_text: str,
    variables: tuple[str, ...],
    community_phone: str | None,
) -> None:
    """File the TTS template reminder calls use; without --code, show the one filed."""
    community = _community(community_phone)
    if template_code is None:
        entry = voice_template_of(_core(), community_id=community.id, provider=provider)
        if entry is None:
            click.echo(f"{provider}\tvoice\t(no TTS template)")
            return
        variables_text = ",".join(entry.variables) or "-"
        click.echo(f"{provider}\tvoice\t{entry.template_code}\t{variables_text}")
        return
    filed = set_voice_template(
        _core(),
        community_id=community.id,
        provider=provider,
        template_code=template_code.strip(),
        variables=list(variables),
        template_text=template_text,
    )
    if isinstance(filed, CatalogueProblem):
        raise click.ClickException(f"{filed.field}: {filed.detail}")
    click.echo(f"{provider} voice: {filed.template_code}")
