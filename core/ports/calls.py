"""The call placer port: ringing a resident back, whatever the carrier.

The phone menu owes a call back when it rejected a resident's call so that it
cost them nothing; a worker then asks the carrier to ring them. The carrier's
answer comes back as a provider id, nothing dialled (the console), or a
`CallFailed` saying whether trying again may help and whether the number itself
is at fault (then a person looks at it instead of the machine trying again).
"""

from __future__ import annotations

from typing import Protocol


class CallFailed(Exception):
    """The carrier did not place the call.

    `passing`: worth trying again soon (rate limit, the carrier's own error, a
    timeout). `number_at_fault`: the number cannot be rung; retrying will not help.
    """

    def __init__(
        self, code: str, detail: str, *, passing: bool, number_at_fault: bool = False
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.passing = passing
        self.number_at_fault = number_at_fault


class CallPlacer(Protocol):
    name: str

    def call_back(self, *, to: str, from_: str) -> str | None:
        """Ring `to` from the community's number `from_`, the phone menu answering;
        the carrier's call id, or None when nothing was dialled (the console)."""
        ...
