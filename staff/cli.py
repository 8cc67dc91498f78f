"""The staff command line: `flask --app app <group> <command>` (see shared/INTERFACE.md).

It reads what staff type (yuan, local times, phone numbers), calls the core, and
prints the outcome; a failure is one line on standard error and a non-zero exit.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import Flask
from flask.cli import AppGroup

from bootstrap import mianhua
from core.accounts.services import AccountError, create_staff_user, grant_membership
from core.bounded import bounded_int
from core.community.models import Community
from core.community.services import CommunityError, create_community, resolve_community
from core.context import Core
from core.deals.services import (
    DealInvalid,
    DealNotFound,
    DealSpec,
    close_deal,
    create_deal,
    list_deals,
)
from core.deals.sheets import supplier_sheet
from core.i18n import t
from core.migrate import upgrade_database
from core.money import InvalidPrice, format_yuan, parse_yuan
from core.residents.importing import ImportFileError, import_residents

db_cli = AppGroup("db", help="Create or migrate the database.")
community_cli = AppGroup("community", help="Communities and the number residents use.")
residents_cli = AppGroup("residents", help="Residents.")
deals_cli = AppGroup("deals", help="Group-buy offers.")
staff_cli = AppGroup("staff", help="Staff logins.")
demo_cli = AppGroup("demo", help="Demo data.")

COMMUNITY_OPTION = click.option(
    "--community", "community_phone", default=None, help="The community's phone number."
)


def _core() -> Core:
    return mianhua().core


def _community(phone: str | None) -> Community:
    try:
        return resolve_community(_core(), phone)
    except CommunityError as exc:
        raise click.ClickException(str(exc)) from exc


def _local_time(text: str, zone: ZoneInfo, option: str) -> datetime:
    try:
        naive = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not YYYY-MM-DD HH:MM", param_hint=option) from exc
    return naive.replace(tzinfo=zone)


def _price(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        return parse_yuan(text)
    except InvalidPrice as exc:
        raise click.BadParameter(str(exc), param_hint=option) from exc


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create the database, or bring it to the newest schema."""
    upgrade_database(mianhua().settings.database_url)
    click.echo("database is up to date")


@community_cli.command("create")
@click.option("--name", required=True)
@click.option("--phone", required=True, help="E.164, the number residents text and call.")
@click.option("--timezone", default="Asia/Shanghai", show_default=True)
@click.option("--language", default="zh", show_default=True, type=click.Choice(["zh", "en"]))
@click.option("--pickup-place", default="")
@click.option("--staff-phone", "staff_phones", multiple=True, help="May be given more than once.")
@click.option("--self-registration/--no-self-registration", default=False)
@click.option("--sms-provider", default=None, help="twilio, aliyun, tencent or console.")
@click.option("--voice-provider", default=None, help="twilio, aliyun, tencent or console.")
def community_create(
    name: str,
    phone: str,
    timezone: str,
    language: str,
    pickup_place: str,
    staff_phones: tuple[str, ...],
    self_registration: bool,
    sms_provider: str | None,
    voice_provider: str | None,
) -> None:
    from core.community.updates import check_provider
    from staff.community_update_cli import set_created_providers

    try:
        check_provider(sms_provider, "--sms-provider")
        check_provider(voice_provider, "--voice-provider")
        community_id = create_community(
            _core(),
            name=name,
            phone=phone,
            timezone=timezone,
            language=language,
            pickup_place=pickup_place,
            staff_phones=list(staff_phones),
            allow_self_registration=self_registration,
        )
    except CommunityError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"community {community_id} created: {name} ({phone})")
    set_created_providers(community_id, sms_provider, voice_provider)


@residents_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@COMMUNITY_OPTION
@click.option(
    "--allow-other-countries",
    is_flag=True,
    help="Also accept phones from outside the community's country (+852, +1, ...).",
)
def residents_import(file: Path, community_phone: str | None, allow_other_countries: bool) -> None:
    """Import residents from a CSV (UTF-8, UTF-8 with BOM, or GBK)."""
    community = _community(community_phone)

    def progress(done: int, total: int) -> None:
        click.echo(f"\r{done}/{total} rows", nl=done == total, err=True)

    try:
        report = import_residents(
            _core(),
            community_id=community.id,
            data=file.read_bytes(),
            progress=progress,
            allow_other_countries=allow_other_countries,
        )
    except ImportFileError as exc:
        raise click.ClickException(t("en", exc.key, detail=exc.detail)) from exc
    for error in report.errors:
        click.echo(f"line {error.line}: {t('en', error.reason, value=error.value)}", err=True)
    click.echo(
        f"{report.created} added, {report.updated} updated, {len(report.errors)} rows with errors"
    )


@deals_cli.command("create")
@click.option("--title-zh", required=True)
@click.option("--title-en", default="")
@click.option("--unit", required=True)
@click.option("--price", required=True, help="Yuan, e.g. 15.50")
@click.option("--market-price", default=None)
@click.option("--min", "min_units", required=True, type=click.IntRange(min=1))
@click.option("--stock", type=click.IntRange(min=1), default=None)
@click.option("--limit", type=click.IntRange(min=1), default=None)
@click.option("--closes", required=True, help='"YYYY-MM-DD HH:MM", community time')
@click.option("--pickup-start", required=True)
@click.option("--pickup-end", required=True)
@click.option("--place", default="")
@click.option("--supplier", default=None)
@click.option(
    "--alias", "aliases", multiple=True, help="another name residents use (repeatable): 鸭梨"
)
@click.option("--if-short", default="cancel", help="cancel, or extend:HOURS")
@click.option("--open", "open_now", is_flag=True, default=False)
@COMMUNITY_OPTION
def deals_create(**options: object) -> None:
    """Create a group-buy offer and print the short number residents use for it."""
    community = _community(options.pop("community_phone"))  # type: ignore[arg-type]
    zone = community.zone
    if_short = str(options["if_short"])
    extend_hours = 0
    if if_short.startswith("extend:"):
        if_short, _, hours = if_short.partition(":")
        parsed = bounded_int(hours)
        if parsed is None:
            raise click.BadParameter("use extend:HOURS, e.g. extend:24", param_hint="--if-short")
        extend_hours = parsed
    spec = DealSpec(
        title_zh=str(options["title_zh"]),
        title_en=str(options["title_en"]),
        unit=str(options["unit"]),
        price_fen=_price(str(options["price"]), "--price"),
        market_price_fen=_price(options["market_price"], "--market-price"),  # type: ignore[arg-type]
        min_units=int(options["min_units"]),  # type: ignore[call-overload]
        stock_cap=options["stock"],  # type: ignore[arg-type]
        per_resident_limit=options["limit"],  # type: ignore[arg-type]
        closes_at=_local_time(str(options["closes"]), zone, "--closes"),
        pickup_start=_local_time(str(options["pickup_start"]), zone, "--pickup-start"),
        pickup_end=_local_time(str(options["pickup_end"]), zone, "--pickup-end"),
        pickup_place=str(options["place"]),
        supplier_name=options["supplier"],  # type: ignore[arg-type]
        aliases=tuple(options["aliases"]),  # type: ignore[arg-type]
        if_short=if_short,
        extend_hours=extend_hours,
    )
    try:
        deal = create_deal(
            _core(), community_id=community.id, spec=spec, open_now=bool(options["open_now"])
        )
    except DealInvalid as exc:
        reasons = "; ".join(f"{field}: {t('en', key)}" for field, key in exc.errors.items())
        raise click.ClickException(reasons) from exc
    click.echo(f"deal {deal.number} created ({deal.status}): {deal.title_zh}")


@deals_cli.command("list")
@COMMUNITY_OPTION
def deals_list(community_phone: str | None) -> None:
    community = _community(community_phone)
    core = _core()
    deals = list_deals(core, community_id=community.id)
    if not deals:
        click.echo("no deals")
    for deal in deals:
        sheet = supplier_sheet(core, community_id=community.id, number=deal.number)
        closes = deal.closes_at.astimezone(community.zone).strftime("%Y-%m-%d %H:%M")
        cap = f"/{deal.stock_cap}" if deal.stock_cap else ""
        click.echo(
            f"{deal.number:>2}  {deal.status:<9} {deal.title_zh}  {format_yuan(deal.price_fen)}元/"
            f"{deal.unit}  ordered {deal.units_ordered}{cap} (min {deal.min_units}) "
            f"by {sheet.orders} residents, closes {closes}"
        )


@deals_cli.command("close")
@click.argument("number", type=int)
@COMMUNITY_OPTION
def deals_close(number: int, community_phone: str | None) -> None:
    """Close a deal now: it goes ahead if its minimum is met, else it is called off."""
    community = _community(community_phone)
    try:
        outcome = close_deal(_core(), community_id=community.id, number=number, by="cli")
    except DealNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"deal {number} {outcome.outcome}: {outcome.deal.units_ordered} units, "
        f"{outcome.residents_told} residents told"
    )


def _community_ids(phones: tuple[str, ...]) -> list[int] | None:
    """The communities named by phone (None: leave it to the only one there is)."""
    return [_community(phone).id for phone in phones] or None


@staff_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["admin", "staff"]))
@click.option(
    "--community",
    "community_phones",
    multiple=True,
    help="A community the login runs, by its phone number; repeat for several.",
)
@click.option("--superuser", is_flag=True, help="The street office: runs every community.")
@click.option("--phone", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def staff_create(
    username: str,
    role: str,
    community_phones: tuple[str, ...],
    superuser: bool,
    phone: str | None,
    password_stdin: bool,
) -> None:
    """A staff login with ROLE in each community named (with one community, it may be
    left out); --superuser for the street office."""
    community_ids = _community_ids(community_phones)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        create_staff_user(
            _core(),
            username,
            password,
            role,
            phone,
            community_ids=community_ids,
            superuser=superuser,
            by="cli",
        )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    where = ", ".join(community_phones) or "the only community"
    kind = "superuser" if superuser else role
    click.echo(f"staff user {username} created ({kind}; {where})")


@staff_cli.command("grant")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "staff"]), default="staff", show_default=True)
@click.option("--community", "community_phones", multiple=True, help="Repeat for several.")
@click.option("--superuser/--no-superuser", default=None, help="Make or unmake a superuser.")
def staff_grant(
    username: str, role: str, community_phones: tuple[str, ...], superuser: bool | None
) -> None:
    """Give an existing login ROLE in more communities (or change it there)."""
    if not community_phones and superuser is None:
        raise click.UsageError("name a --community, or give --superuser/--no-superuser")
    community_ids = [_community(phone).id for phone in community_phones]
    try:
        grant_membership(
            _core(),
            username,
            role=role,
            community_ids=community_ids,
            superuser=superuser,
            by="cli",
        )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"staff user {username} updated")


@demo_cli.command("seed")
def demo_seed() -> None:
    """A demo community with residents and deals like the real ones."""
    from core.demo import seed_demo

    # A bulk load, usually before Redis is up: leave its confirmations `pending` for
    # the workers' sweep instead of trying Redis after every commit.
    root = mianhua()
    listeners = root.core.db.outbox_listeners
    relayed = root.relay in listeners
    if relayed:
        listeners.remove(root.relay)
    try:
        summary = seed_demo(root.core)
    finally:
        if relayed:
            listeners.append(root.relay)
    click.echo(summary)


def register_commands(app: Flask) -> None:
    from staff import community_update_cli, hours_cli  # their commands join the community group

    del hours_cli, community_update_cli
    from staff.suppliers_cli import suppliers_cli

    app.cli.add_command(suppliers_cli)
    for group in (db_cli, community_cli, residents_cli, deals_cli, staff_cli, demo_cli):
        app.cli.add_command(group)
