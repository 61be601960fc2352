"""Garnet's model: one asynchronous network layer (a task per connection) hands commands to a pool of worker
threads that execute them over the store with per-key locking."""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from .base import LoopServer
from .locks import ALL, KeyLocks, execute_locked


class TasksServer(LoopServer):
    name = "tasks"
    io_loops = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locks = KeyLocks()
        self.pool: ThreadPoolExecutor | None = None
        self.engine.serve_inline = False

    def start_workers(self) -> None:
        self.pool = ThreadPoolExecutor(self.threads, thread_name_prefix="forkdiff-tasks")

    def stop_workers(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def execute(self, client: Any, argv: list[bytes]) -> Future:
        return self.pool.submit(execute_locked, self.engine, self.locks, client, argv)

    def execute_batch(self, batch: Any) -> None:
        """A client's pipelined commands in one hand-off to a worker, each under its own locks, in order."""
        self.pool.submit(batch.run, lambda client, argv: execute_locked(self.engine, self.locks, client, argv))

    def exclusive(self, fn: Callable[[], Any]) -> Any:
        with self.locks.hold(ALL):
            return fn()
