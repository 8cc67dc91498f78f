"""The carrier's pace on real Redis: a slot missed a moment ago is still sent, a
quiet spell is not saved up."""

from __future__ import annotations

from redis import Redis

from workers.rate import CATCH_UP_S, KEY, SendRate

PER_SECOND = 50


def immediate_slots(rate: SendRate, sender: str) -> int:
    """How many one-segment slots are granted with no wait, asked back to back."""
    granted = 0
    while (slot := rate.try_take(sender, 1, within=0.0)).granted and slot.wait == 0.0:
        granted += 1
        assert granted <= PER_SECOND, "the pace let a whole second's segments through at once"
    return granted


def test_after_a_quiet_spell_only_the_catch_up_goes_at_once(redis_url: str) -> None:
    rate = SendRate(Redis.from_url(redis_url), PER_SECOND)

    # A number idle for a minute: its bucket is far behind the clock.
    burst = immediate_slots(rate, "+8631188886666")

    caught_up = round(CATCH_UP_S * PER_SECOND)  # 4 segments at 50 a second
    assert caught_up <= burst <= caught_up + 2  # the calls themselves take a little time
    then = rate.try_take("+8631188886666", 1, within=0.0)
    assert not then.granted or then.wait > 0  # then the pace, one segment at a time


def test_a_slot_missed_lately_is_sent_and_one_missed_long_ago_is_not(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    rate = SendRate(redis, PER_SECOND)
    seconds, micros = redis.time()
    now = seconds + micros / 1_000_000
    key = KEY.format(sender="+8631188886666")

    redis.set(key, f"{now - 0.03:.6f}")  # the next slot was 30 ms ago: nobody took it
    assert rate.try_take("+8631188886666", 1, within=0.0).wait == 0.0  # sent now

    redis.set(key, f"{now + 0.5:.6f}")  # booked half a second ahead
    refused = rate.try_take("+8631188886666", 1, within=0.0)
    assert not refused.granted and refused.wait > 0.4
