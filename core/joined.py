"""Several use cases in one database transaction: the unit of work of reading one text.

A text's reading calls the core a few times (what it arrives to, the use case the
dialog chose, the reply), and each call owns its transaction. Run one by one that
is three to five transactions per text, each a session, a pooled connection and
its round trips: most of a worker's time per text. `joined(core, session)` hands
the same use cases a `Core` whose `db.transaction()` is the one outer transaction
instead, so the text is read and answered in one commit.

The text is read whole or not at all. A use case that raises inside it spoils the
transaction, whatever its caller makes of the exception (`JoinedDatabase`), and the
reader rolls it back whole (`ensure_whole`) and reads the text again a step per
transaction (sms_gateway.conversation), where each use case's own transaction and
savepoints apply as they were written. So no use case needs a savepoint of its own
in here: a new phone's conversation row and the reply's dedupe key, which could
clash only with another reader of the same phone (kept apart by its lock), are
written without one too (`in_one_transaction`). The messages written are announced
to the outbox relay only after the outer commit. Rules that hold by the database's
locks (the stock cap's conditional UPDATE) hold the same way: the locks are held
until the outer commit, a moment later.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from core.context import Core
from core.db import Database


class SpoiledReading(RuntimeError):
    """A use case raised inside the one transaction: it is rolled back whole."""


class JoinedDatabase(Database):
    """The database as seen inside one outer transaction: every `transaction()` is it."""

    def __init__(self, outer: Database, session: Session) -> None:  # no engine of its own
        self.url = outer.url
        self.engine = outer.engine
        self.autocommit_engine = outer.autocommit_engine
        self.sessions = outer.sessions
        self.outbox_listeners = outer.outbox_listeners
        self.session = session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        try:
            yield self.session
        except BaseException:
            self.session.info[_SPOILED] = True  # even if the caller carries on
            raise

    @contextmanager
    def one_statement(self) -> Iterator[Connection]:
        """Inside the outer transaction too: a statement of it, committed with it."""
        try:
            yield self.session.connection()
        except BaseException:
            self.session.info[_SPOILED] = True
            raise

    def dispose(self) -> None:
        """The outer database owns the engine."""


def joined(core: Core, session: Session) -> Core:
    """`core`, with every transaction the transaction `session` is in."""
    session.info[_ONE_TRANSACTION] = True
    return dataclasses.replace(core, db=JoinedDatabase(core.db, session))


def in_one_transaction(session: Session) -> bool:
    """Whether `session` reads a whole text in one transaction (`joined`), which is
    read again step by step if any statement or use case of it fails."""
    return bool(session.info.get(_ONE_TRANSACTION))


def ensure_whole(session: Session) -> None:
    """Before the one transaction commits: raise if a use case failed inside it."""
    if session.info.get(_SPOILED):
        raise SpoiledReading("a use case failed inside the text's one transaction")


_ONE_TRANSACTION = "one_transaction"
_SPOILED = "one_transaction_spoiled"
