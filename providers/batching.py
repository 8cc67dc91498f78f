"""Bulk reminders in batch calls: which messages may share one request, and how one
request names the outbox rows it carries.

Aliyun's SendBatchSms takes up to 100 numbers and Tencent's SendSms up to 200, but each
call has one `OutId` / `SessionContext`. The call's ids ride in it as `b:` and the
message ids in base 36, so a lookup after a timeout still recognises its text; the
length caps (256 and 512 characters) bound a batch as much as the number caps do.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import TypeVar

from core.messages.sending import Outgoing

PREFIX = "b:"
Key = TypeVar("Key", bound=Hashable)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text


def batch_context(message_ids: list[int]) -> str:
    return PREFIX + ",".join(_base36(i) for i in message_ids)


def batch_message_ids(context: str) -> tuple[int, ...]:
    """The outbox ids a batch call's OutId / SessionContext carries (none if it is not one)."""
    if not context.startswith(PREFIX):
        return ()
    ids = []
    for part in context[len(PREFIX) :].split(","):
        try:
            ids.append(int(part, 36))
        except ValueError:
            return ()
    return tuple(ids)


def in_batch_context(context: str, message_id: int) -> bool:
    """Whether a batch call's OutId / SessionContext carried this message."""
    return context.startswith(PREFIX) and _base36(message_id) in context[len(PREFIX) :].split(",")


def batches(
    outs: list[Outgoing], key: Callable[[Outgoing], Key], *, max_numbers: int, max_context: int
) -> Iterator[list[Outgoing]]:
    """Groups that may share one call: the same key, distinct numbers, within both caps."""
    groups: dict[Key, list[list[Outgoing]]] = {}
    for out in outs:
        chunks = groups.setdefault(key(out), [[]])
        chunk = chunks[-1]
        ids = [o.message_id for o in chunk] + [out.message_id]
        if (
            len(chunk) >= max_numbers
            or any(o.to == out.to for o in chunk)
            or len(batch_context(ids)) > max_context
        ):
            chunks.append([])
        chunks[-1].append(out)
    for chunks in groups.values():
        yield from (chunk for chunk in chunks if chunk)
