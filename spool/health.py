"""The spool's line in /healthz: depth, oldest file, files set aside, whether writable."""

from __future__ import annotations

from spool.store import Spool


def spool_report(spool: Spool) -> dict[str, object]:
    state = spool.state()
    return {
        "status": "ok" if state.writable else f"down: {state.problem}",
        "directory": state.directory,
        "writable": state.writable,
        "depth": state.depth,
        "oldest": state.oldest.isoformat(timespec="seconds") if state.oldest else None,
        "set_aside": state.set_aside,
        "problem": state.problem,
    }
