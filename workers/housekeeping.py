"""The periodic work, run by whichever worker takes the housekeeping job.

What runs is the composition root's one table (`Mianhua.periodic` in bootstrap.py);
what is due lives in the database: each piece asks it, every few seconds, and acts.
Each piece stands alone, so a failing one (say, a bad deal row) never stops the
sweep that keeps messages moving.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from redis.exceptions import RedisError

from bootstrap import Mianhua, Periodic, mianhua

log = logging.getLogger(__name__)

#: Redis key per piece of the table with an interval of its own: set while it is not due.
NOT_DUE_KEY = "mianhua:periodic:{name}"


@dataclass
class HousekeepingReport:
    #: What each piece that ran did, by its name in the table.
    done: dict[str, object] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {**self.done, "errors": self.errors}


def housekeeping() -> dict[str, object]:
    """The periodic job, enqueued by the workers' ticker (workers/worker.py)."""
    return run_housekeeping(mianhua()).as_dict()


def run_housekeeping(
    root: Mianhua, work: Iterable[Periodic] | None = None, *, everything: bool = False
) -> HousekeepingReport:
    """Run the pieces of `work` (the root's table) that are due; `everything`: all of
    them, whatever their interval (`worker --burst`)."""
    report = HousekeepingReport()
    for piece in root.periodic if work is None else work:
        if not everything and not _due(root, piece):
            continue
        try:
            report.done[piece.name] = piece.run(root)
        except Exception as exc:  # logged, and the rest still runs
            log.exception("housekeeping: %s failed", piece.name)
            report.errors.append(f"{piece.name}: {exc!r}")
    return report


def _due(root: Mianhua, piece: Periodic) -> bool:
    """A piece with its own interval runs once per interval, however many workers tick."""
    if piece.every is None:
        return True
    window_ms = max(int(piece.every.total_seconds() * 1000), 1)
    try:
        return bool(root.redis.set(NOT_DUE_KEY.format(name=piece.name), "1", nx=True, px=window_ms))
    except RedisError:
        return False  # the job came through Redis: it will be back, and so will the piece
