"""Key locking for the runtimes that execute on several threads at once.

`lock_scope` says what a command must hold: nothing (it touches only its own connection), the lock stripes of its
keys (from the spec's key positions), or everything (keyless keyspace commands, EXEC, anything touching a key that
has blocked clients, whose serving may touch other keys). Stripes are taken in ascending order, so two commands
never wait on each other in a cycle.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

GIVE_UP_POLL_S = 0.01  # how often a thread waiting for a stripe checks whether a script has timed out
ALL: tuple = ("all",)
NONE: tuple = ()

# Commands that read or change only the calling connection's own state.
CONNECTION_ONLY = frozenset({
    "ping", "echo", "hello", "auth", "select", "quit", "multi", "time", "lastsave", "command", "command|count",
    "command|info", "command|docs", "command|list", "command|getkeys", "command|getkeysandflags", "command|help",
    "client|id", "client|getname", "client|setname", "client|info", "client|setinfo", "client|reply",
    "client|no-evict", "client|no-touch", "config|get", "config|help", "client|help",
})


# Scripts hold everything: a script may touch keys it did not declare, and nothing runs beside one (scripting/busy.py).
SCRIPTS = frozenset({"eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"})


def lock_scope(engine: Any, client: Any, argv: list[bytes]) -> tuple:
    spec = engine.spec.resolve(argv)
    if spec is None:
        return NONE  # rejected before execution: only counters move
    name = spec.name
    if client.in_multi and name not in ("exec", "discard", "multi", "watch", "quit", "reset"):
        return NONE  # only queued
    if name in CONNECTION_ONLY:
        return NONE
    if name in SCRIPTS:
        return ALL
    try:
        keys = spec.keys(argv)
    except (ValueError, IndexError):
        keys = []
    if not keys:
        return ALL
    db = engine.keyspace[client.db]
    if "blocking" in spec.flags or any(k in db.blocked for k in keys) or "movablekeys" in spec.flags:
        return ALL
    return tuple((client.db, k) for k in keys)


class KeyLocks:
    def __init__(self, stripes: int = 64) -> None:
        self.locks = [threading.Lock() for _ in range(stripes)]

    def stripes(self, scope: tuple) -> list[int]:
        if scope is ALL:
            return list(range(len(self.locks)))
        return sorted({hash(ident) % len(self.locks) for ident in scope})

    @contextmanager
    def hold(self, scope: tuple, give_up: Callable[[], bool] | None = None) -> Iterator[bool]:
        """Hold the scope's stripes (yields True); with `give_up`, stop waiting for a stripe once it answers True
        (yields False, holding nothing)."""
        taken: list[threading.Lock] = []
        try:
            for lock in (self.locks[i] for i in self.stripes(scope)):
                if not _acquire(lock, give_up):
                    yield False
                    return
                taken.append(lock)
            yield True
        finally:
            for lock in reversed(taken):
                lock.release()


def _acquire(lock: threading.Lock, give_up: Callable[[], bool] | None) -> bool:
    if give_up is None:
        return lock.acquire()
    while not lock.acquire(timeout=GIVE_UP_POLL_S):
        if give_up():
            return False
    return True


def execute_locked(engine: Any, locks: KeyLocks, client: Any, argv: list[bytes]) -> Any:
    """Execute under the command's locks; serve blocked clients while holding everything. Beside a script that
    timed out, the command runs without locks (the engine answers BUSY or runs an allow-busy command)."""
    busy = engine.busy
    while True:
        if busy.wait_turn():
            return engine.execute(client, argv)
        scope = lock_scope(engine, client, argv)
        with locks.hold(scope, give_up=busy.timed_out_elsewhere) as held:
            if not held:
                continue
            reply = engine.execute(client, argv)
            if scope is ALL and engine.keyspace.ready_keys:
                reply = engine.serve_ready(client, argv, reply)
        break
    if engine.keyspace.ready_keys:  # a client blocked on our key after we chose our scope
        with locks.hold(ALL):
            reply = engine.serve_ready(client, argv, reply)
    return reply


def exclusive(engine: Any, locks: KeyLocks, fn: Callable[[], Any], when_busy: Callable[[], Any] | None = None) -> Any:
    """`fn` holding every stripe; with `when_busy`, that instead while a script holds them (never wait for its end)."""
    busy = engine.busy
    if when_busy is None:
        with locks.hold(ALL):
            return fn()
    while True:
        if busy.running is not None:
            return when_busy()
        with locks.hold(ALL, give_up=lambda: busy.running is not None) as held:
            if held:
                return fn()
