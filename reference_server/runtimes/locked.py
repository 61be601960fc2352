"""KeyDB's model: several worker threads, each with its own connections, execute directly on one shared keyspace,
taking locks on the keys they touch (all of them for keyspace-wide commands)."""
from __future__ import annotations

from typing import Any, Callable

from .base import LoopServer
from .locks import KeyLocks, exclusive, execute_locked


class LockedServer(LoopServer):
    name = "locked"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.io_loops = self.threads
        self.locks = KeyLocks()
        self.engine.serve_inline = False

    def execute(self, client: Any, argv: list[bytes]) -> Any:
        return execute_locked(self.engine, self.locks, client, argv)

    def exclusive(self, fn: Callable[[], Any], when_busy: Callable[[], Any] | None = None) -> Any:
        return exclusive(self.engine, self.locks, fn, when_busy)
