"""Several use cases in one database transaction: the unit of work of reading one text.

A text's reading calls the core a few times (what it arrives to, the use case the
dialog chose, the reply), and each call owns its transaction. Run one by one that
is three to five transactions per text, each a session, a pooled connection and
its round trips: most of a worker's time per text. `joined(core, session)` hands
the same use cases a `Core` whose `db.transaction()` is a savepoint of one outer
transaction instead, so the text is read and answered in one commit.

Each use case keeps its meaning: its block commits with the outer transaction or
is rolled back alone (the savepoint) when it raises, and the messages it wrote are
announced to the outbox relay only after the outer commit, never for a rolled-back
block. Rules that hold by the database's locks (the stock cap's conditional UPDATE)
hold the same way: the locks are held until the outer commit, a moment later.

Inside it, a write that could only clash with another process's (a new phone's
conversation row, a reply's dedupe key: both kept apart by the phone's lock) is
written without a savepoint of its own (`in_one_transaction`): were it to clash
after all, the whole text is rolled back and read again step by step, where each
step's savepoint handles it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from core.context import Core
from core.db import Database


class JoinedDatabase(Database):
    """The database as seen inside one outer transaction: every `transaction()` a savepoint."""

    def __init__(self, outer: Database, session: Session) -> None:  # no engine of its own
        self.url = outer.url
        self.engine = outer.engine
        self.autocommit_engine = outer.autocommit_engine
        self.sessions = outer.sessions
        self.outbox_listeners = outer.outbox_listeners
        self.session = session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        outbox = self.session.info.setdefault("outbox", [])
        noted = len(outbox)
        try:
            with self.session.begin_nested():
                yield self.session
        except BaseException:
            del outbox[noted:]  # rolled back: nothing of it is announced
            raise

    def dispose(self) -> None:
        """The outer database owns the engine."""


def joined(core: Core, session: Session) -> Core:
    """`core`, with every transaction a savepoint of the transaction `session` is in."""
    session.info[_ONE_TRANSACTION] = True
    return dataclasses.replace(core, db=JoinedDatabase(core.db, session))


def in_one_transaction(session: Session) -> bool:
    """Whether `session` reads a whole text in one transaction (`joined`), which is
    read again step by step if any statement of it fails."""
    return bool(session.info.get(_ONE_TRANSACTION))


_ONE_TRANSACTION = "one_transaction"
