"""`suppliers list|add`: the supplier directory from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.community.models import SUPPLIER_KINDS
from core.suppliers.queries import supplier_directory
from core.suppliers.services import SupplierEntry, SupplierRefusal, add_supplier
from staff.cli import COMMUNITY_OPTION, _community, _core

suppliers_cli = AppGroup(
    "suppliers", help="The supplier directory (farm bases, wholesalers, brands)."
)

_REFUSALS = {
    SupplierRefusal.NAME_MISSING: "the supplier needs a name",
    SupplierRefusal.NAME_TAKEN: "a supplier of that name is listed already",
    SupplierRefusal.BAD_KIND: f"--kind must be one of {', '.join(SUPPLIER_KINDS)}",
}


@suppliers_cli.command("list")
@COMMUNITY_OPTION
def suppliers_list(community_phone: str | None) -> None:
    """Each supplier: kind, county, products, contact, deals bought, the last visit."""
    community = _community(community_phone)
    directory = supplier_directory(_core(), community_id=community.id)
    if not directory:
        click.echo("no suppliers")
    for entry in directory:
        s = entry.supplier
        visit = entry.last_visit
        last = f"visited {visit.visited_on.isoformat()} {visit.verdict}" if visit else "not visited"
        due = f", next {visit.next_due.isoformat()}" if visit and visit.next_due else ""
        click.echo(
            f"{s.name}\t{s.kind}\t{s.county or '-'}\t{s.products or '-'}\t{s.contact or '-'}\t"
            f"{entry.deals} deals\t{last}{due}"
        )


@suppliers_cli.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(SUPPLIER_KINDS), default="farm_base", show_default=True)
@click.option("--county", default="", help="正定, 井陉, 高邑 ...")
@click.option("--contact", default="", help="Who to call, and their number.")
@click.option("--products", default="", help="What they sell: 梨、苹果.")
@COMMUNITY_OPTION
def suppliers_add(
    name: str, kind: str, county: str, contact: str, products: str, community_phone: str | None
) -> None:
    """Add a supplier NAME to the directory."""
    community = _community(community_phone)
    result = add_supplier(
        _core(),
        community_id=community.id,
        entry=SupplierEntry(name, kind, county, contact, products),
        by="cli",
    )
    if isinstance(result, SupplierRefusal):
        raise click.ClickException(_REFUSALS.get(result, result.value))
    click.echo(f"added supplier {name.strip()} ({kind})")
