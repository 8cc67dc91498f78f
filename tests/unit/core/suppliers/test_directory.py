"""The supplier directory's rules: unique names, visits to one's own suppliers only."""

from __future__ import annotations

from datetime import date

from core.suppliers.queries import supplier_directory, supplier_page
from core.suppliers.services import (
    SupplierEntry,
    SupplierRefusal,
    VisitEntry,
    add_supplier,
    record_visit,
)
from tests.builders import World


def test_names_are_unique_per_community_and_kinds_are_known(world) -> None:  # type: ignore[no-untyped-def]
    cid = world.community_id
    first = add_supplier(world.core, community_id=cid, entry=SupplierEntry("正定蔬菜基地"))
    assert isinstance(first, int)
    assert add_supplier(world.core, community_id=cid, entry=SupplierEntry(" 正定蔬菜基地 ")) == (
        SupplierRefusal.NAME_TAKEN
    )
    assert add_supplier(world.core, community_id=cid, entry=SupplierEntry("x", kind="farm")) == (
        SupplierRefusal.BAD_KIND
    )
    other = World(world.core, world.clock, phone="+8631188887777", name="和平里")
    assert isinstance(
        add_supplier(
            world.core, community_id=other.community_id, entry=SupplierEntry("正定蔬菜基地")
        ),
        int,
    )


def test_visits_are_kept_newest_first_and_only_for_this_communitys_suppliers(world) -> None:  # type: ignore[no-untyped-def]
    cid = world.community_id
    base = add_supplier(world.core, community_id=cid, entry=SupplierEntry("井陉小米基地"))
    for day, verdict in [(date(2026, 5, 1), "with_conditions"), (date(2026, 11, 1), "recommend")]:
        visit = VisitEntry(day, "张伟", "", verdict, next_due=date(2027, 5, 1))
        assert isinstance(
            record_visit(world.core, community_id=cid, supplier_id=base, visit=visit), int
        )
    page = supplier_page(world.core, community_id=cid, supplier_id=base)
    assert [v.verdict for v in page.visits] == ["recommend", "with_conditions"]
    assert supplier_directory(world.core, community_id=cid)[0].last_visit.visited_on == date(
        2026, 11, 1
    )

    other = World(world.core, world.clock, phone="+8631188887777", name="和平里")
    visit = VisitEntry(date(2026, 11, 1), "张伟", "", "recommend")
    assert (
        record_visit(world.core, community_id=other.community_id, supplier_id=base, visit=visit)
        == SupplierRefusal.UNKNOWN_SUPPLIER
    )
    assert supplier_page(world.core, community_id=other.community_id, supplier_id=base) is None
    early = VisitEntry(date(2026, 11, 1), "张伟", "", "recommend", next_due=date(2026, 10, 1))
    assert record_visit(world.core, community_id=cid, supplier_id=base, visit=early) == (
        SupplierRefusal.DUE_BEFORE_VISIT
    )
