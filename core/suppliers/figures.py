"""A supplier's figures: what was bought from them and saved, and the other teams' marks.

Tasting ratings (core.tastings, issue 14's other half) and complaint rates (core.books,
issue 13) are built in parallel; each is shown when its module is there. The functions
looked for are `core.tastings.queries.supplier_rating(session, *, supplier_id)` and
`core.books.quality.complaint_rate(session, *, supplier_id)`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.deals.models import Deal, DealStatus
from core.deals.queries import BOUGHT
from core.orders.models import Order


@dataclass(frozen=True)
class SupplierFigures:
    deals: int
    units: int
    saved_fen: int
    rating: Any = None  # from the tastings, once there
    complaints: Any = None  # from the books, once there


def _optional(module: str, function: str, session: Session, supplier_id: int) -> Any:
    try:
        found = getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return None
    return found(session, supplier_id=supplier_id)


def supplier_figures(session: Session, *, supplier_id: int) -> SupplierFigures:
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
        rating=_optional("core.tastings.queries", "supplier_rating", session, supplier_id),
        complaints=_optional("core.books.quality", "complaint_rate", session, supplier_id),
    )
