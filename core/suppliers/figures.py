"""A supplier's figures for the directory: deals bought, units, residents' savings, and
the word of the buys: the tastings' scores (core.tastings) and the complaint rate from the
books (core.books.quality)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.books.quality import SupplierRate, rates_by_supplier
from core.community.models import Supplier
from core.deals.models import Deal, DealStatus
from core.deals.queries import BOUGHT
from core.orders.models import Order
from core.tastings.queries import RatingSummary, supplier_rating


@dataclass(frozen=True)
class SupplierFigures:
    deals: int
    units: int
    saved_fen: int
    rating: RatingSummary | None = None  # the tastings' and residents' scores
    complaints: SupplierRate | None = None  # complaints per collected order


def supplier_figures(session: Session, *, supplier_id: int) -> SupplierFigures:
    supplier = session.get_one(Supplier, supplier_id)
    here = supplier.community_id
    deals = session.scalar(select(func.count()).where(Deal.supplier_id == supplier_id)) or 0
    rows = session.execute(
        select(Order.quantity, Deal.price_fen, Deal.market_price_fen)
        .join(Deal, Deal.id == Order.deal_id)
        .where(
            Deal.supplier_id == supplier_id,
            Deal.status != DealStatus.CANCELLED,
            Order.status.in_(BOUGHT),
        )
    ).all()
    return SupplierFigures(
        deals=int(deals),
        units=sum(r.quantity for r in rows),
        saved_fen=sum(
            r.quantity * max((r.market_price_fen or r.price_fen) - r.price_fen, 0) for r in rows
        ),
        rating=supplier_rating(session, community_id=here, supplier_id=supplier_id),
        complaints=rates_by_supplier(session, here).get(supplier.name),
    )
