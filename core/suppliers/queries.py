"""The directory's read side: the list, and one supplier's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from core.accounts.acting import acting
from core.books.quality import SupplierRate, rates_by_supplier
from core.community.models import Supplier
from core.context import Core
from core.deals.models import Deal
from core.results import DealView
from core.suppliers.figures import SupplierFigures, supplier_figures
from core.suppliers.models import InspectionVisit
from core.tastings.queries import RatingSummary, supplier_rating


@dataclass(frozen=True)
class SupplierView:
    id: int
    name: str
    kind: str
    county: str
    contact: str
    products: str

    @classmethod
    def of(cls, row: Supplier) -> SupplierView:
        return cls(row.id, row.name, row.kind, row.county, row.contact, row.products)


@dataclass(frozen=True)
class VisitView:
    id: int
    visited_on: date
    visitors: str
    findings: str
    verdict: str
    next_due: date | None
    recorded_by: str
    created_at: datetime


@dataclass(frozen=True)
class SupplierSummary:
    supplier: SupplierView
    deals: int
    last_visit: VisitView | None
    # The word of its buys, to compare suppliers at a glance before the next one.
    rating: RatingSummary | None = None
    complaints: SupplierRate | None = None


@dataclass(frozen=True)
class SupplierPage:
    supplier: SupplierView
    deals: tuple[DealView, ...]
    visits: tuple[VisitView, ...]  # newest first
    figures: SupplierFigures


def _visit(row: InspectionVisit) -> VisitView:
    return VisitView(
        row.id,
        row.visited_on,
        row.visitors,
        row.findings,
        row.verdict,
        row.next_due,
        row.recorded_by,
        row.created_at,
    )


def _visits(session, supplier_id: int) -> list[InspectionVisit]:  # type: ignore[no-untyped-def]
    return list(
        session.scalars(
            select(InspectionVisit)
            .where(InspectionVisit.supplier_id == supplier_id)
            .order_by(InspectionVisit.visited_on.desc(), InspectionVisit.id.desc())
        )
    )


@acting(by=None)
def supplier_directory(core: Core, *, community_id: int) -> list[SupplierSummary]:
    with core.db.transaction() as session:
        suppliers = session.scalars(
            select(Supplier)
            .where(Supplier.community_id == community_id)
            .order_by(Supplier.kind, Supplier.county, Supplier.name)
        ).all()
        rates = rates_by_supplier(session, community_id)
        summaries = []
        for supplier in suppliers:
            visits = _visits(session, supplier.id)
            deals = session.scalars(select(Deal.id).where(Deal.supplier_id == supplier.id)).all()
            summaries.append(
                SupplierSummary(
                    SupplierView.of(supplier),
                    len(deals),
                    _visit(visits[0]) if visits else None,
                    supplier_rating(session, community_id=community_id, supplier_id=supplier.id),
                    rates.get(supplier.name),
                )
            )
        return summaries


@acting(by=None)
def supplier_page(core: Core, *, community_id: int, supplier_id: int) -> SupplierPage | None:
    """One supplier with its deals, visits and figures; None when not this community's."""
    with core.db.transaction() as session:
        supplier = session.get(Supplier, supplier_id)
        if supplier is None or supplier.community_id != community_id:
            return None
        deals = session.scalars(
            select(Deal).where(Deal.supplier_id == supplier.id).order_by(Deal.created_at.desc())
        ).all()
        return SupplierPage(
            SupplierView.of(supplier),
            tuple(DealView.of(d) for d in deals),
            tuple(_visit(v) for v in _visits(session, supplier.id)),
            supplier_figures(session, supplier_id=supplier.id),
        )
