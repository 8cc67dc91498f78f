"""A stand-in for the ledger API of books13.md, until books-money's core/books/ledger.py
is merged: the same names and signatures, entries kept as audit rows.

At merge the lead points `core.books.desk` (and the desk's tests) at core.books.ledger
and deletes this module.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.acting import acting
from core.accounts.models import AuditLog
from core.context import Core

_ACTION = "ledger.entry"


class EntryKind(enum.StrEnum):
    COLLECTED = "collected"
    REFUNDED = "refunded"
    CREDITED = "credited"
    PAID_SUPPLIER = "paid_supplier"
    ADJUSTED = "adjusted"


class PayMethod(enum.StrEnum):
    CASH = "cash"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    CREDIT = "credit"


def record_entry(
    session: Session,
    *,
    community_id: int,
    deal_id: int,
    kind: EntryKind,
    amount_fen: int,
    by: str,
    order_id: int | None = None,
    resident_id: int | None = None,
    method: PayMethod | None = None,
    note: str = "",
    at: datetime,
) -> int:
    """One entry, inside the caller's transaction; its id."""
    row = AuditLog(
        community_id=community_id,
        actor=by,
        action=_ACTION,
        created_at=at,
        detail={
            "deal_id": deal_id,
            "kind": str(kind),
            "amount_fen": int(amount_fen),
            "order_id": order_id,
            "resident_id": resident_id,
            "method": str(method) if method else None,
            "note": note,
        },
    )
    session.add(row)
    session.flush()
    return row.id


@dataclass(frozen=True)
class DealLedger:
    collected_fen: int
    refunded_fen: int
    by_method: dict[str, int]


@acting(by=None)
def deal_ledger(core: Core, *, community_id: int, deal_id: int) -> DealLedger:
    """What was taken and given back on a deal (the stand-in's part of the real ledger)."""
    with core.db.transaction() as session:
        rows = session.scalars(
            select(AuditLog).where(
                AuditLog.community_id == community_id, AuditLog.action == _ACTION
            )
        )
        entries = [r.detail for r in rows if r.detail.get("deal_id") == deal_id]
    collected = [e for e in entries if e["kind"] == EntryKind.COLLECTED]
    by_method: dict[str, int] = {}
    for entry in collected:
        method = str(entry["method"] or "")
        by_method[method] = by_method.get(method, 0) + int(entry["amount_fen"])  # type: ignore[call-overload]
    return DealLedger(
        collected_fen=sum(int(e["amount_fen"]) for e in collected),  # type: ignore[call-overload]
        refunded_fen=sum(
            int(e["amount_fen"])
            for e in entries
            if e["kind"] == EntryKind.REFUNDED  # type: ignore[call-overload]
        ),
        by_method=by_method,
    )
