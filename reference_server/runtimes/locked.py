"""KeyDB's model: several worker threads, each with its own connections, execute directly on one shared keyspace,
taking locks on the keys they touch (all of them for keyspace-wide commands)."""
from __future__ import annotations

from typing import Any, Callable

from .base import LoopServer
from .locks import ALL, KeyLocks, execute_locked


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
        busy = self.engine.busy
        if when_busy is None:
            with self.locks.hold(ALL):
                return fn()
        while True:  # a script holds every stripe: do not wait for its end
            if busy.running is not None:
                return when_busy()
            with self.locks.hold(ALL, give_up=lambda: busy.running is not None) as held:
                if held:
                    return fn()
