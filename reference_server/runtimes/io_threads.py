"""Valkey 8's model: several I/O threads read, parse and write; one main thread executes every command, in the
order commands arrive (per client, strictly in order)."""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from .base import LoopServer


class IOThreadsServer(LoopServer):
    name = "io-threads"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.io_loops = self.threads
        self.main: ThreadPoolExecutor | None = None

    def start_workers(self) -> None:
        self.main = ThreadPoolExecutor(1, thread_name_prefix="forkdiff-main")

    def stop_workers(self) -> None:
        if self.main is not None:
            self.main.shutdown(wait=True, cancel_futures=True)

    def execute(self, client: Any, argv: list[bytes]) -> Future:
        return self.main.submit(self.engine.execute, client, argv)

    def execute_batch(self, batch: Any) -> None:
        """A client's pipelined commands in one hand-off to the main thread (see connection.Batch)."""
        self.main.submit(batch.run, self.engine.execute)

    def exclusive(self, fn: Callable[[], Any]) -> Any:
        return self.main.submit(fn).result()
