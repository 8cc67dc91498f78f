"""A caller's place in the menu, written into the next request and read back from it.

The menu keeps no session: where the caller is (state, deal, quantity typed), the
step's id, a silence being counted and the slower pace travel with the next
request the carrier makes (for Twilio, the query of a `<Gather action>` URL,
signed with the rest of the request). Plain ASCII ids only, so a signature over
them survives every proxy; anything malformed lands safely on the main menu.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.bounded import bounded_int
from ivr.states import State, Where


@dataclass(frozen=True)
class StepRequest:
    """What a step's parameters say: where the caller is, the step id, and a silence if one."""

    where: Where
    step: int
    silence: int | None
    slow: bool = False


def step_params(
    where: Where, step: int, *, silence: int | None = None, slow: bool = False
) -> dict[str, str | int]:
    """The parameters naming the next step, in a stable order (s, d, q, n, w, p)."""
    params: dict[str, str | int] = {"s": where.state.value}
    if where.deal is not None:
        params["d"] = where.deal
    if where.quantity is not None:
        params["q"] = where.quantity
    params["n"] = step
    if silence is not None:
        params["w"] = silence
    if slow:
        params["p"] = "s"
    return params


def _small_int(value: str | None, upper: int = 10**6) -> int | None:
    return bounded_int(value, high=upper)


def parse_step(args: Mapping[str, str]) -> StepRequest:
    """Read a step's parameters; anything malformed lands safely on the main menu."""
    try:
        state = State(args.get("s", State.MAIN.value))
    except ValueError:
        state = State.MAIN
    where = Where(state, deal=_small_int(args.get("d"), 99), quantity=_small_int(args.get("q")))
    return StepRequest(
        where,
        _small_int(args.get("n")) or 0,
        _small_int(args.get("w"), 100),
        slow=args.get("p") == "s",
    )
