"""A pickup code's lookup as a community's orders grow: the statement every order runs.

    .venv/bin/python -m bench.pickup_codes [--lookups 300] [--no-write]

Placing an order draws a four-digit code and asks, in one statement, for the resident's
own codes and whether the drawn code is held on the community's unfinished deals
(core/orders/pickup_codes.py, `_HERS_OR_THIS_CODE`). It starts its own PostgreSQL
(bench/harness.py), seeds the community of bench/sms_webhook.py (2,000 households, six
open deals) and fills the deals with orders in steps: none, one household in three on
every deal, and every household on every deal (12,000 orders). At each step, for one
resident and a drawn code:

- PostgreSQL's own execution time (`EXPLAIN ANALYZE`, the median of several) and the
  plan's scans;
- the lookup's wall time from this process, round trip included (the median of rounds).

The baseline, in the same run on the same rows, is the statement before it: her orders
OR the code in one WHERE, which PostgreSQL can only answer by reading every order on
those deals. Both must return the same rows.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import Select

from bench.harness import postgres_database
from bench.report import write_section
from bench.sms_webhook import seed
from core.community.models import Community
from core.db import Database
from core.deals.models import Deal, DealStatus
from core.orders import pickup_codes
from core.orders.models import Order

#: Before: her orders OR the code, in one WHERE.
OR_STATEMENT = pickup_codes._ALL_CODES.add_columns(Order.resident_id).where(
    (Order.resident_id == bindparam("resident_id")) | (Order.pickup_code == bindparam("code"))
)
#: Now: the two lookups as a UNION ALL, each on its own index.
UNION_STATEMENT = pickup_codes._HERS_OR_THIS_CODE
#: Of the households, the share with an order on every open deal at each step.
FILLS = (0.0, 1 / 3, 1.0)
CODE = "5555"  # drawn; held by nobody in the fill below (codes are 1000 + n, n < 2,000)
EXPLAINS = 15


@dataclass(frozen=True)
class Step:
    orders: int
    statement: str
    execution_ms: float  # PostgreSQL's, median of EXPLAIN ANALYZE runs
    lookup_ms: float  # this process's wall time a lookup, round trip included
    scans: str  # the plan's scan nodes


def fill(connection: Connection, share: float) -> int:
    """Orders for the first `share` of households on every open deal, each with a code."""
    connection.execute(
        text(
            """
            INSERT INTO orders (deal_id, resident_id, quantity, status, channel, revision,
                                created_at, updated_at, pickup_code)
            SELECT d.id, r.id, 1, 'placed', 'sms', 1, now(), now(),
                   (1000 + row_number() OVER (PARTITION BY d.id ORDER BY r.id))::text
            FROM deals d
            CROSS JOIN (SELECT id FROM residents ORDER BY id LIMIT :households) r
            WHERE d.status = 'open'
            ON CONFLICT DO NOTHING
            """
        ),
        {"households": int(2000 * share)},
    )
    connection.execute(text("ANALYZE"))
    return connection.execute(text("SELECT count(*) FROM orders")).scalar_one()


def explained(connection: Connection, statement: Select, params: dict) -> tuple[float, str]:
    """PostgreSQL's median execution time of the statement, and its plan's scans."""
    sql = str(
        statement.params(**params).compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
    ).replace("%", "%%")
    times, scans = [], ""
    for _ in range(EXPLAINS):
        plan = [line for (line,) in connection.exec_driver_sql("EXPLAIN ANALYZE " + sql)]
        times.append(float(plan[-1].split(":")[1].split()[0]))  # "Execution Time: x ms"
        scans = "; ".join(
            dict.fromkeys(
                line.strip().lstrip("-> ").split("  (")[0] for line in plan if " Scan " in line
            )
        )
    return statistics.median(times), scans


def timed(connection: Connection, statement: Select, params: dict, lookups: int) -> float:
    """Wall milliseconds a lookup: the median of five rounds of `lookups`."""
    for _ in range(20):
        connection.execute(statement, params).all()
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(lookups):
            connection.execute(statement, params).all()
        rounds.append((time.perf_counter() - start) * 1000 / lookups)
    return statistics.median(rounds)


def measure(database_url: str, lookups: int) -> list[Step]:
    seed(database_url)
    db = Database(database_url)
    with db.transaction() as session:
        community = session.scalars(select(Community)).one()
        deal = session.scalars(select(Deal).where(Deal.status == DealStatus.OPEN)).first()
        assert deal is not None
    steps: list[Step] = []
    for share in FILLS:
        with db.engine.begin() as connection:
            orders = fill(connection, share)
            resident_id = connection.execute(text("SELECT min(id) FROM residents")).scalar_one()
        params = {
            "community_id": community.id,
            "deal_id": deal.id,
            "resident_id": resident_id,
            "code": CODE,
        }
        with db.engine.connect() as connection:
            before = connection.execute(OR_STATEMENT, params).all()
            after = connection.execute(UNION_STATEMENT, params).all()
            assert sorted(tuple(r) for r in before) == sorted(tuple(r)[:3] for r in after)
            for name, statement in (("OR (before)", OR_STATEMENT), ("UNION ALL", UNION_STATEMENT)):
                execution, scans = explained(connection, statement, params)
                lookup = timed(connection, statement, params, lookups)
                steps.append(Step(orders, name, execution, lookup, scans))
    db.engine.dispose()
    return steps


HEAD = (
    "| orders on the deals | statement | PostgreSQL execution, ms (median) "
    "| a lookup from the worker, ms (round trip) | scans |\n|---:|---|---:|---:|---|"
)


def report(steps: list[Step]) -> str:
    rows = "\n".join(
        f"| {s.orders:,} | {s.statement} | {s.execution_ms:.3f} | {s.lookup_ms:.3f} | {s.scans} |"
        for s in steps
    )
    first_before, first_after = steps[0], steps[1]
    before, after = steps[-2], steps[-1]
    return f"""## A pickup code's lookup as orders grow (`bench/pickup_codes.py`)

The statement every order runs to choose its pickup code (her own codes that day, and
whether the drawn code is held), on the community of bench/sms_webhook.py with its six
open deals filled step by step. PostgreSQL on the same machine. The baseline is the
statement before it (an OR in one WHERE), on the same rows in the same run; both
returned the same rows at every step.

{HEAD}
{rows}

At {before.orders:,} orders a lookup takes {after.execution_ms:.3f} ms of PostgreSQL's time
against {before.execution_ms:.3f} ms before ({before.execution_ms / after.execution_ms:.0f}x less),
and it stays flat as orders grow: each half reads its own index. With no orders yet it
takes {first_after.execution_ms:.3f} ms against {first_before.execution_ms:.3f} (two small plans
instead of one)."""


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pickup_codes")
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with postgres_database() as url:
        steps = measure(url, args.lookups)
    markdown = report(steps)
    print(markdown)
    if not args.no_write:
        write_section("pickup_codes", markdown)


if __name__ == "__main__":
    main()
