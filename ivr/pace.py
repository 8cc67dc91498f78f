"""How fast the phone menu speaks to a caller, and how long it waits for a key.

Older callers are the menu's main users: the community sets a speaking rate
(SSML's words or a percentage), a caller who presses 8 hears everything one step
slower for the rest of the call, and a slower caller also gets half as long
again to find a key. The choice is the medium's; a provider only renders it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.residents.services import ResidentView

DEFAULT_RATE = "slow"
_RATE = re.compile(r"^(x-slow|slow|medium|fast|x-fast|([2-9]\d|1\d\d)%)$")
#: How much slower a caller who pressed 8 hears every prompt.
_SLOWER = {"x-fast": "fast", "fast": "medium", "medium": "slow", "slow": "x-slow"}
SLOWEST_PERCENT = 20  # SSML's floor


def speaking_rate(setting: str | None) -> str:
    """The community's rate if SSML accepts it ("slow", "85%"), else slow."""
    value = (setting or "").strip().lower()
    return value if _RATE.match(value) else DEFAULT_RATE


def slower_rate(rate: str) -> str:
    """One step slower than `rate`: slow -> x-slow, 85% -> 64%."""
    if rate.endswith("%"):
        return f"{max(SLOWEST_PERCENT, int(rate[:-1]) * 3 // 4)}%"
    return _SLOWER.get(rate, "x-slow")


@dataclass(frozen=True)
class Pace:
    """How to speak to this caller: in which language, how fast, how long to wait for a key."""

    language: str  # zh or en: the caller's
    rate: str
    key_timeout: int
    slow: bool = False  # carried to every later step: the caller asked for slower speech


def plain_pace(language: str) -> Pace:
    """For words said before anyone is known (not our line, an apology): the default rate."""
    return Pace(language, DEFAULT_RATE, 0)


def prefers_slow(resident: ResidentView | None) -> bool:
    """The resident asked for slower speech in an earlier call (or staff set it)."""
    return resident is not None and resident.voice_pace == "slow"


def pace_for(
    language: str, community_rate: str | None, *, slow: bool, key_timeout_seconds: int
) -> Pace:
    """The community's rate, one step slower for a caller who asked (key 8, or remembered)."""
    rate = speaking_rate(community_rate)
    if slow:
        return Pace(language, slower_rate(rate), key_timeout_seconds * 3 // 2, slow=True)
    return Pace(language, rate, key_timeout_seconds)
