"""One text through the twilio client: the CPU a worker spends on each send.

    .venv/bin/python -m bench.twilio_send [--sends 2000] [--rounds 5] [--no-write]

The Twilio stand-in runs in a child process (HTTP/1.1, connections kept alive, as the
real API), so this process's CPU is the sender's alone: `TwilioSender.send`, the official
library building and parsing each message, and the HTTP under it. Measured both ways
delivery sends (workers/delivery.py): one at a time, and 16 at once over 8 threads, as a
batch of replies goes. The baseline, in the same run and interleaved round by round, is
the library's own `TwilioHttpClient` (on `requests`) under the same sender; ours is
`PooledHttpClient` (providers/twilio/client.py, on urllib3's pool). The median round is
judged: one machine's runs differ by a tenth.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from urllib.parse import urlsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bench.report import write_section
from core.messages.sending import Outgoing
from providers.twilio.client import DEFAULT_TIMEOUT_S, make_twilio_client, redirected
from providers.twilio.sender import TwilioSender
from tests.support.stand_in import ACCOUNT_SID, AUTH_TOKEN

BODY = "已订1号赵县雪花梨2箱，共50元。11月28日周六 9:00-11:00到社区服务站取货，取货码7188。"
FROM = "+8631188886666"
#: A batch of replies and the threads delivery sends it over (REPLY_BATCH, PARALLEL_SENDS).
BATCH, THREADS = 16, 8


def _serve(pipe: Connection) -> None:
    from tests.support.stand_in import ListingFakeTwilio

    with ListingFakeTwilio(keep_alive=True) as stand_in:
        pipe.send(stand_in.base_url)
        pipe.recv()  # until the parent is done


class _LibraryClientToStandIn(TwilioHttpClient):
    """The baseline: the library's own client, its requests sent to the stand-in."""

    def __init__(self, api_base: str) -> None:
        super().__init__(timeout=DEFAULT_TIMEOUT_S)
        assert self.session is not None
        self.session.trust_env = False  # as ours does for a loopback stand-in
        self.api_base = urlsplit(api_base)

    def request(self, method: str, url: str, *args: object, **kwargs: object) -> Response:
        return super().request(method, redirected(url, self.api_base), *args, **kwargs)  # type: ignore[arg-type]


def _sender(client: Client) -> TwilioSender:
    return TwilioSender(client, public_base_url="https://mianhua.example", fallback_from=FROM)


def _outgoing(n: int) -> Outgoing:
    return Outgoing(
        message_id=n, channel="sms", kind="reply", to=f"+86139{n:08d}", from_number=FROM,
        body=BODY, segments=2, language="zh", community_name="幸福里", voice_rate="",
        attempts_before=0, check_provider_first=False, created_at=datetime.now(UTC),
    )  # fmt: skip


def _round(send: Callable[[Outgoing], str], sends: int, threads: int) -> tuple[float, float]:
    """(CPU ms a send, sends a second) for `sends` messages, in batches over `threads`."""
    outgoing = [_outgoing(n) for n in range(sends)]
    pool = ThreadPoolExecutor(threads) if threads > 1 else None
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, sends, BATCH):
        batch = outgoing[start : start + BATCH]
        if pool is None:
            for out in batch:
                send(out)
        else:
            list(pool.map(send, batch))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if pool is not None:
        pool.shutdown()
    return cpu / sends * 1000, sends / wall


def measure(sends: int, rounds: int) -> dict[tuple[str, int], list[tuple[float, float]]]:
    parent, child = multiprocessing.get_context("spawn").Pipe()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(child,))
    server.start()
    try:
        base_url = parent.recv()
        clients = {
            "ours": make_twilio_client(ACCOUNT_SID, AUTH_TOKEN, api_base=base_url),
            "library": Client(
                ACCOUNT_SID, AUTH_TOKEN, http_client=_LibraryClientToStandIn(base_url)
            ),
        }
        senders = {name: _sender(client) for name, client in clients.items()}
        for sender in senders.values():  # warm: connections open, imports done
            _round(sender.send, 200, THREADS)
        figures: dict[tuple[str, int], list[tuple[float, float]]] = {}
        for _ in range(rounds):
            for threads in (1, THREADS):
                for name, sender in senders.items():
                    figures.setdefault((name, threads), []).append(
                        _round(sender.send, sends, threads)
                    )
        return figures
    finally:
        parent.send("done")
        server.join(timeout=10)
        if server.is_alive():
            server.kill()


def report(figures: dict[tuple[str, int], list[tuple[float, float]]], sends: int) -> str:
    rows = []
    medians: dict[tuple[str, int], float] = {}
    for threads in (1, THREADS):
        for name, label in (("library", "baseline: the library's `TwilioHttpClient` (requests)"),
                            ("ours", "`PooledHttpClient` (urllib3's pool)")):  # fmt: skip
            cpu = [c for c, _ in figures[name, threads]]
            rate = [r for _, r in figures[name, threads]]
            medians[name, threads] = statistics.median(cpu)
            way = "one at a time" if threads == 1 else f"{BATCH} at once over {threads} threads"
            rows.append(
                f"| {label}, {way} | {statistics.median(cpu):.3f} | "
                + ", ".join(f"{c:.3f}" for c in cpu)
                + f" | {statistics.median(rate):.0f} |"
            )
    saved = {t: 1 - medians["ours", t] / medians["library", t] for t in (1, THREADS)}
    return f"""## One text through the twilio client (`bench/twilio_send.py`)

{sends} texts a round through `TwilioSender.send` to the Twilio stand-in, which runs in
a child process (HTTP/1.1, kept alive): this process's CPU is the sender's alone, the
official library building and parsing each message and the HTTP under it. The library's
own client is the baseline, interleaved with ours round by round.

| client, how sent | CPU ms a send (median) | every round | sends/s (median) |
|---|---:|---|---:|
{chr(10).join(rows)}

Ours spends {saved[1]:.0%} less CPU a send one at a time and {saved[THREADS]:.0%} less
{BATCH} at once over {THREADS} threads. Both put the same request on the wire:
tests/integration/providers/test_twilio_http.py compares what each sends.
"""


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.twilio_send")
    parser.add_argument("--sends", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    markdown = report(measure(args.sends, args.rounds), args.sends)
    print(markdown)
    if not args.no_write:
        write_section("twilio_send", markdown)


if __name__ == "__main__":
    main()
