"""Valkey 8's model: several I/O threads read, parse and write; one main thread executes every command, in the
order commands arrive (per client, strictly in order)."""
from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Callable

from .base import LoopServer
from .workers import Workers


class IOThreadsServer(LoopServer):
    name = "io-threads"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.io_loops = self.threads
        self.main: Workers | None = None

    def start_workers(self) -> None:
        self.main = Workers(1, "forkdiff-main")
        self.main.start()

    def stop_workers(self) -> None:
        if self.main is not None:
            self.main.stop()

    def execute(self, client: Any, argv: list[bytes]) -> Future:
        return self.main.submit(self.engine.execute, client, argv)

    def execute_batch(self, batch: Any) -> None:
        """A client's pipelined commands in one hand-off to the main thread (see connection.Batch)."""
        self.main.submit(batch.run, self.engine.execute)

    def exclusive(self, fn: Callable[[], Any], when_busy: Callable[[], Any] | None = None) -> Any:
        if when_busy is not None and self.engine.busy.running is not None:
            return when_busy()
        if self.main.owns_current_thread():  # nested, inside a script that serves others
            return fn()
        return self.main.submit(self._exclusive_now, fn, when_busy).result()

    def _exclusive_now(self, fn: Callable[[], Any], when_busy: Callable[[], Any] | None) -> Any:
        if when_busy is not None and self.engine.busy.running is not None:
            return when_busy()
        return fn()

    def process_events_while_blocked(self) -> None:
        """The main thread runs a script that timed out: it executes what was queued to it meanwhile."""
        if self.main is not None:
            self.main.run_pending()
