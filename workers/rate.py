"""The carrier's pace: at most SEND_RATE_PER_SECOND segments per second per sending number.

One bucket per sending number lives in Redis, shared by every worker, and is
drawn down in segments (a 3-segment text costs three). It is kept as the time at
which the number is next free (the "generic cell rate" form of a token bucket),
moved in one Lua script against Redis's own clock so workers on different
machines agree.

Two ways to ask:
- `book` (replies and confirmations): the next free slot is yours, however far
  ahead; wait until then and send. Later askers queue behind you.
- `try_take` (reminders, broadcasts): only a slot that is about to come. Refused, you
  get how long until it would, and go and do something more urgent if there is any.

A slot nobody took is not lost at once: the bucket may lag the clock by CATCH_UP_S, so
a worker that woke a little late, or was kept a moment from a core, sends the slot it
missed right after. In any one second at most (1 + CATCH_UP_S) times the pace goes out,
within the ±10% a carrier's pace is kept to; without it, every late wake-up was pace
lost for good (bench/scale_out.py: 43-49 a second of 50 while texts came in).
"""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis

KEY = "mianhua:rate:{sender}"
#: How far the bucket may lag the clock: slots missed this lately are still sent.
CATCH_UP_S = 0.08

_SCRIPT = """
local interval = tonumber(ARGV[1])
local units = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local catch_up = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local free_at = tonumber(redis.call('GET', KEYS[1]) or '0')
if free_at < now - catch_up then free_at = now - catch_up end
local wait = math.max(free_at - now, 0)
if max_wait >= 0 and wait > max_wait then
  return 'no:' .. string.format('%.6f', wait - max_wait)
end
local next_free = free_at + units * interval
redis.call('SET', KEYS[1], string.format('%.6f', next_free),
           'PX', math.ceil((next_free - now + 60) * 1000))
return 'ok:' .. string.format('%.6f', wait)
"""


@dataclass(frozen=True)
class Slot:
    granted: bool
    wait: float  # granted: sleep this long, then send; refused: ask again after this


class SendRate:
    """A shared token bucket per sending number; `per_second <= 0` means no limit."""

    def __init__(self, redis: Redis, per_second: float) -> None:
        self.redis = redis
        self.per_second = per_second
        self._script = redis.register_script(_SCRIPT)

    @property
    def limited(self) -> bool:
        return self.per_second > 0

    def book(self, sender: str, units: int) -> Slot:
        """Reserve the next free slot for `units` segments, however far ahead it is."""
        return self._ask(sender, units, max_wait=-1)

    def try_take(self, sender: str, units: int, *, within: float) -> Slot:
        """The next slot if it comes within `within` seconds (at most one segment's time),
        else how long until it would."""
        if not self.limited:
            return Slot(True, 0.0)
        return self._ask(sender, units, max_wait=min(within, 1.0 / self.per_second))

    def _ask(self, sender: str, units: int, *, max_wait: float) -> Slot:
        if not self.limited:
            return Slot(True, 0.0)
        answer = self._script(
            keys=[KEY.format(sender=sender)],
            args=[
                repr(1.0 / self.per_second),
                max(int(units), 1),
                repr(float(max_wait)),
                repr(CATCH_UP_S),
            ],
        )
        verdict, _, seconds = (
            answer.decode() if isinstance(answer, bytes) else str(answer)
        ).partition(":")
        return Slot(verdict == "ok", float(seconds))
