"""At most once per provider id: the idempotency key every order and cancel runs under.

A webhook retried, a worker that died after ordering but before replying, the same
text read twice: each finds the first run's result stored under its key and acts
no more.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from core.context import Core
from core.orders.models import IdempotencyKey
from core.results import result_from_json, result_to_json


def run_once(core, community_id, key, action):  # type: ignore[no-untyped-def]
    """Run `action` in a transaction, at most once per idempotency key.

    The key is looked up and, when new, inserted first in the same transaction, so a
    concurrent retry of the same provider id blocks on it and then, tried again,
    reads the stored result instead of acting again.
    """
    for _attempt in range(3):
        try:
            with core.db.transaction() as session:
                marker = None
                if key is not None:
                    stored = session.get(IdempotencyKey, key)
                    if stored is not None and stored.result:
                        return result_from_json(stored.result)
                    marker = IdempotencyKey(
                        key=key, community_id=community_id, result={}, created_at=core.now()
                    )
                    session.add(marker)
                    session.flush()
                result = action(session)
                if marker is not None:
                    marker.result = result_to_json(result)
                return result
        except IntegrityError:
            # Another transaction holds this key, or made this resident's order a
            # moment ago: start again and read what it left.
            continue
    stored = stored_result(core, key) if key is not None else None
    if stored is None:  # pragma: no cover - three lost races in a row
        raise RuntimeError(f"could not settle the order for key {key}")
    return stored


def stored_result(core: Core, key: str):  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        row = session.get(IdempotencyKey, key)
        return result_from_json(row.result) if row is not None and row.result else None
