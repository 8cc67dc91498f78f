"""`community closed-days` and `community staff-hours`: when a person is at the office."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from core.community.closed_days import add_closed_day, closed_days, remove_closed_day
from core.community.hours import HoursError, set_staff_hours
from staff.cli import COMMUNITY_OPTION, _community, _core, community_cli

closed_days_cli = AppGroup("closed-days", help="Days the committee's office is closed.")
community_cli.add_command(closed_days_cli)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not YYYY-MM-DD", param_hint="DAY") from exc


@closed_days_cli.command("add")
@click.argument("day")
@click.option("--note", default="", help="Why, for the console (培训, 搬家).")
@COMMUNITY_OPTION
def closed_days_add(day: str, note: str, community_phone: str | None) -> None:
    """Close the office on DAY (YYYY-MM-DD): the phone menu offers a call back instead."""
    community = _community(community_phone)
    added = add_closed_day(
        _core(), community_id=community.id, day=_day(day), note=note, by="cli"
    )
    click.echo(f"closed on {added.day.isoformat()}" + (f" ({added.note})" if added.note else ""))


@closed_days_cli.command("remove")
@click.argument("day")
@COMMUNITY_OPTION
def closed_days_remove(day: str, community_phone: str | None) -> None:
    """Open the office again on DAY."""
    community = _community(community_phone)
    if not remove_closed_day(_core(), community_id=community.id, day=_day(day), by="cli"):
        raise click.ClickException(f"{day} is not a closed day")
    click.echo(f"open again on {_day(day).isoformat()}")


@closed_days_cli.command("list")
@click.option("--all", "show_all", is_flag=True, help="Past days too.")
@COMMUNITY_OPTION
def closed_days_list(show_all: bool, community_phone: str | None) -> None:
    """The closed days from today on, and the weekly staff hours."""
    community = _community(community_phone)
    today = _core().now().astimezone(community.zone).date()
    click.echo(f"staff hours: {community.staff_hours} (public holidays closed)")
    days = closed_days(_core(), community_id=community.id, since=None if show_all else today)
    for item in days:
        click.echo(f"{item.day.isoformat()}  {item.note}".rstrip())
    if not days:
        click.echo("no closed days")


@community_cli.command("staff-hours")
@click.argument("hours", required=False)
@COMMUNITY_OPTION
def community_staff_hours(hours: str | None, community_phone: str | None) -> None:
    """Show or set the weekly hours: "08:30-17:30" or "mon-fri 08:30-17:30; sat 09:00-12:00"."""
    community = _community(community_phone)
    if hours is None:
        click.echo(community.staff_hours)
        return
    try:
        saved = set_staff_hours(_core(), community_id=community.id, hours=hours, by="cli")
    except HoursError as exc:
        raise click.BadParameter(str(exc), param_hint="HOURS") from exc
    click.echo(f"staff hours: {saved}")
