"""How bench/scale_out.py reads the pace off the stand-in's log: every message accepted in
the span counts, the killed worker's own included."""

from __future__ import annotations

from bench.scale_out import REMINDER, pace_per_second
from tests.support.fake_twilio import FakeRequest

REPLY = "您订了梨2斤，明早9点在社区服务站取。"


def accepted(message_id: int, at: float, body: str = REMINDER) -> FakeRequest:
    return FakeRequest(
        time=at,
        monotonic=at,
        method="POST",
        path="/2010-04-01/Accounts/AC1/Messages.json",
        kind="message",
        form={
            "Body": body,
            "To": f"+86138000{message_id:05d}",
            "StatusCallback": f"http://example.test/sms/status?message={message_id}",
        },
        auth_user="AC1",
        behaviour="ok",
        status=201,
        sid=f"SM{message_id:032d}",
    )


def steady(seconds: int, per_second: int) -> list[FakeRequest]:
    """The first reminder at 0, then `per_second` a second, each mid-slot."""
    return [accepted(0, 0.0)] + [
        accepted(1 + s * per_second + n, s + (n + 0.5) / per_second)
        for s in range(seconds)
        for n in range(per_second)
    ]


def test_the_killed_workers_messages_sent_before_the_kill_count_in_their_second() -> None:
    # The worker killed at 2.9 s had sent ids 25-30 of its job (in second 2); the sweep
    # brought the rest of its job, 1000-1004, back at 30 s.
    log = steady(6, 10) + [accepted(1000 + n, 30.0 + n / 10) for n in range(5)]
    held = {*range(25, 31), *range(1000, 1005)}

    span, per_second = pace_per_second(log, held, killed=2.9)

    assert per_second == [10, 10, 10, 10]  # seconds 1-4; 0 and the last are partial
    assert round(span, 2) == 5.95  # not 24 empty seconds waiting for the sweep


def test_replies_in_the_span_count_with_the_reminders_and_segments_are_counted() -> None:
    log = steady(4, 10)
    replies = [accepted(500 + n, 1.02 + n / 10, body=REPLY) for n in range(3)]
    long_one = accepted(600, 2.52, body="梨" * 71)  # 71 characters in UCS-2: two segments
    log = sorted([*log, *replies, long_one], key=lambda r: r.monotonic)

    _, per_second = pace_per_second(log, held=set(), killed=0.0)

    assert per_second == [13, 12]
