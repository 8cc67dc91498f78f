"""`community update --phone E164 ...`: change a community, its providers included, and
`--sms-provider/--voice-provider` for `community create` (see README, "Mainland China")."""

from __future__ import annotations

import click

from core.community.services import CommunityError
from core.community.updates import PROVIDERS, update_community
from staff.cli import _community, _core, community_cli

SMS_PROVIDER_OPTION = click.option(
    "--sms-provider",
    type=click.Choice([*PROVIDERS, "default"]),
    default=None,
    help="Who sends the community's texts; default: the service's SMS_SENDER.",
)
VOICE_PROVIDER_OPTION = click.option(
    "--voice-provider",
    type=click.Choice([*PROVIDERS, "default"]),
    default=None,
    help="Who places its reminder calls; default: the same as its texts.",
)


def _named(value: str | None) -> str | None:
    return "" if value == "default" else value


def echo_providers(community_id: int) -> None:
    from core.community.models import Community

    with _core().db.transaction() as session:
        community = session.get_one(Community, community_id)
        sms, voice = community.sms_provider, community.voice_provider
    texts = sms or "default (SMS_SENDER)"
    calls = voice or (f"{sms} (as its texts)" if sms else "default (SMS_SENDER)")
    click.echo(f"texts: {texts}; reminder calls: {calls}")


@community_cli.command("update")
@click.option("--phone", required=True, help="The community's number (E.164), as created.")
@click.option("--name", default=None)
@click.option("--timezone", default=None)
@click.option("--language", default=None, type=click.Choice(["zh", "en"]))
@click.option("--pickup-place", default=None)
@click.option("--staff-phone", "staff_phones", multiple=True, help="Replaces the staff phones.")
@click.option("--self-registration/--no-self-registration", default=None)
@SMS_PROVIDER_OPTION
@VOICE_PROVIDER_OPTION
def community_update(
    phone: str,
    name: str | None,
    timezone: str | None,
    language: str | None,
    pickup_place: str | None,
    staff_phones: tuple[str, ...],
    self_registration: bool | None,
    sms_provider: str | None,
    voice_provider: str | None,
) -> None:
    """Change what is named; the rest stays as it was."""
    community = _community(phone)
    try:
        update_community(
            _core(),
            community_id=community.id,
            name=name,
            timezone=timezone,
            language=language,
            pickup_place=pickup_place,
            staff_phones=list(staff_phones) if staff_phones else None,
            allow_self_registration=self_registration,
            sms_provider=_named(sms_provider),
            voice_provider=_named(voice_provider),
        )
    except CommunityError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"community {community.id} updated: {name or community.name} ({community.phone})")
    echo_providers(community.id)


def set_created_providers(community_id: int, sms: str | None, voice: str | None) -> None:
    """After `community create`: the providers it was created with, if any were named."""
    if sms is None and voice is None:
        return
    update_community(
        _core(), community_id=community_id, sms_provider=_named(sms), voice_provider=_named(voice)
    )
    echo_providers(community_id)
