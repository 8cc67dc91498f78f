"""The web process's background thread that takes its host's spool in.

It is started when a request is spooled, or when the app starts with files left
on disk, and then looks every SPOOL_DRAIN_INTERVAL_SECONDS (or at once when
nudged): if files wait and the database answers, it runs a drain pass. With the
setting at 0 there is no thread, and `flask --app app spool drain` (a timer) does it.
Several web processes on one host share the directory; the drain lock lets one
pass run at a time.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bootstrap import Mianhua

log = logging.getLogger(__name__)


class SpoolDrainer:
    def __init__(self, mianhua: Mianhua) -> None:
        self.mianhua = mianhua
        self.interval_s = mianhua.settings.spool_drain_interval_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._lock:
            if self.running or self._stopping.is_set() or self.interval_s <= 0:
                return
            self._thread = threading.Thread(target=self._run, name="spool-drainer", daemon=True)
            self._thread.start()

    def start_if_needed(self) -> None:
        """At start-up: files left from before (a restart during an outage) need taking in."""
        if self.mianhua.spool.pending():
            self.start()

    def nudge(self) -> None:
        """Something was just spooled: make sure the thread runs, and look soon."""
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        from spool.intake import database_answers, drain

        while not self._stopping.is_set():
            self._wake.wait(self.interval_s)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                if self.mianhua.spool.pending() and database_answers(self.mianhua):
                    drain(self.mianhua)
            except Exception:  # the thread must outlive any one bad pass
                log.exception("spool: drain pass failed")
