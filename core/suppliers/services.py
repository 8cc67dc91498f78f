"""Adding suppliers to the directory and recording the inspection team's visits."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from core.accounts.acting import acting
from core.community.models import SUPPLIER_KINDS, Supplier
from core.context import Core
from core.suppliers.models import InspectionVisit, Verdict


class SupplierRefusal(enum.StrEnum):
    NAME_MISSING = "name_missing"
    NAME_TAKEN = "name_taken"
    BAD_KIND = "bad_kind"
    UNKNOWN_SUPPLIER = "unknown_supplier"
    VISITORS_MISSING = "visitors_missing"
    BAD_VERDICT = "bad_verdict"
    DUE_BEFORE_VISIT = "due_before_visit"


@dataclass(frozen=True)
class SupplierEntry:
    """What a supplier is: name, kind, county, contact, the products they sell."""

    name: str
    kind: str = "farm_base"
    county: str = ""
    contact: str = ""
    products: str = ""


@dataclass(frozen=True)
class VisitEntry:
    visited_on: date
    visitors: str
    findings: str
    verdict: str
    next_due: date | None = None


@acting()
def add_supplier(
    core: Core, *, community_id: int, entry: SupplierEntry, by: str = ""
) -> int | SupplierRefusal:
    """A new supplier in the directory; its id, or why not (names are unique per community)."""
    name = entry.name.strip()
    if not name:
        return SupplierRefusal.NAME_MISSING
    if entry.kind not in SUPPLIER_KINDS:
        return SupplierRefusal.BAD_KIND
    with core.db.transaction() as session:
        taken = session.scalar(
            select(Supplier.id).where(Supplier.community_id == community_id, Supplier.name == name)
        )
        if taken is not None:
            return SupplierRefusal.NAME_TAKEN
        supplier = Supplier(
            community_id=community_id,
            name=name[:100],
            kind=entry.kind,
            county=entry.county.strip()[:50],
            contact=entry.contact.strip()[:100],
            products=entry.products.strip()[:200],
        )
        session.add(supplier)
        session.flush()
        return supplier.id


@acting()
def record_visit(
    core: Core, *, community_id: int, supplier_id: int, visit: VisitEntry, by: str = ""
) -> int | SupplierRefusal:
    """The inspection team's visit to a base: who went, what they saw, the verdict."""
    if not visit.visitors.strip():
        return SupplierRefusal.VISITORS_MISSING
    if visit.verdict not in set(Verdict):
        return SupplierRefusal.BAD_VERDICT
    if visit.next_due is not None and visit.next_due < visit.visited_on:
        return SupplierRefusal.DUE_BEFORE_VISIT
    with core.db.transaction() as session:
        supplier = session.get(Supplier, supplier_id)
        if supplier is None or supplier.community_id != community_id:
            return SupplierRefusal.UNKNOWN_SUPPLIER
        row = InspectionVisit(
            community_id=community_id,
            supplier_id=supplier_id,
            visited_on=visit.visited_on,
            visitors=visit.visitors.strip()[:200],
            findings=visit.findings.strip()[:1000],
            verdict=visit.verdict,
            next_due=visit.next_due,
            recorded_by=by,
        )
        session.add(row)
        session.flush()
        return row.id
