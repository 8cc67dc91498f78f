"""At most once per provider id: the idempotency key every order and cancel runs under.

A webhook retried, a worker that died after ordering but before replying, the same
text read twice: each finds the first run's result stored under its key and acts
no more.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.context import Core
from core.db import note_seen, seen_once
from core.orders.models import IdempotencyKey
from core.results import result_from_json, result_to_json


def run_once(core, community_id, key, action):  # type: ignore[no-untyped-def]
    """Run `action` in a transaction, at most once per idempotency key.

    The key is looked up first and written with the action's result, in the action's
    transaction (two statements). A concurrent run of the same provider id blocks on
    the key's unique index as it writes it, then fails there: its transaction, and
    with it all its action did, is rolled back, and tried again it reads the stored
    result instead of acting again.
    """
    for _attempt in range(3):
        try:
            with core.db.transaction() as session:
                stored = None
                if key is not None and not seen_once(session, _NEW_KEYS, key):
                    stored = session.get(IdempotencyKey, key)
                if stored is not None and stored.result:
                    return result_from_json(stored.result)
                result = action(session)
                if key is None:
                    return result
                if stored is None:
                    stored = IdempotencyKey(key=key, community_id=community_id,
                                            created_at=core.now())  # fmt: skip
                    session.add(stored)
                stored.result = result_to_json(result)
                return result  # written with the commit: a clash raises there, in the try
        except IntegrityError:
            # Another transaction holds this key, or made this resident's order a
            # moment ago: start again and read what it left.
            continue
    stored = stored_result(core, key) if key is not None else None
    if stored is None:  # pragma: no cover - three lost races in a row
        raise RuntimeError(f"could not settle the order for key {key}")
    return stored


def note_new_key(session: Session, key: str) -> None:
    """This transaction found no action run under `key` yet (a reader asked it with the
    text): its first `run_once` need not look again; a second one looks it up (and finds
    the first one's result)."""
    note_seen(session, _NEW_KEYS, [key])


_NEW_KEYS = "idempotency_keys_new"


def stored_result(core: Core, key: str):  # type: ignore[no-untyped-def]
    with core.db.transaction() as session:
        row = session.get(IdempotencyKey, key)
        return result_from_json(row.result) if row is not None and row.result else None
