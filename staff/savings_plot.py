"""The savings plot, drawn on the server: bars as SVG shapes, readable with no JavaScript
and allowed by the console's content security policy (attributes, no inline style)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 640, 220
_LEFT, _BOTTOM, _TOP = 16, 36, 28


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    month: date
    saved_fen: int

    @property
    def centre(self) -> int:
        return self.x + self.width // 2


def bars(series: list[tuple[date, int]]) -> list[Bar]:
    """One bar per month, the tallest reaching the top; an empty month is a sliver."""
    if not series:
        return []
    top = max(fen for _, fen in series) or 1
    slot = (WIDTH - 2 * _LEFT) // len(series)
    room = HEIGHT - _BOTTOM - _TOP
    drawn = []
    for index, (month, fen) in enumerate(series):
        height = max(round(room * fen / top), 1)
        drawn.append(
            Bar(
                x=_LEFT + index * slot + slot // 6,
                y=HEIGHT - _BOTTOM - height,
                width=slot * 2 // 3,
                height=height,
                month=month,
                saved_fen=fen,
            )
        )
    return drawn
