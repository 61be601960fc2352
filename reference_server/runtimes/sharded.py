"""Dragonfly's model: the keyspace is split across shard threads that own their part (shared-nothing).

A command on keys of one shard runs on that shard's thread. A command on several shards, or on all of them
(DBSIZE, KEYS, SCAN, FLUSHALL, EXEC…), takes VLL-style intents: under one short global lock it is queued on every
shard it touches, so all shards see such transactions in one global order; each shard, on reaching it, stops and
waits, and the last shard to arrive executes it with all of them held. No locks on keys, no deadlock.
"""
from __future__ import annotations

import queue
import threading
from functools import partial
from concurrent.futures import Future, TimeoutError as FutureTimeout
from typing import Any, Callable, Iterator

from .base import LoopServer
from .connection import call_safely, reply_of
from .locks import ALL, NONE, lock_scope


EXCLUSIVE_POLL_S = 0.01  # how often keyspace-wide work waiting for the shards checks for a running script


class ShardedDict(dict):
    """One logical dict whose entries live in per-shard dicts (each owned by one shard thread)."""

    def __init__(self, parts: int) -> None:
        super().__init__()
        self.parts = [dict() for _ in range(parts)]

    def part(self, key: Any) -> dict:
        return self.parts[hash(key) % len(self.parts)]

    def __getitem__(self, key: Any) -> Any:
        return self.part(key)[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self.part(key)[key] = value

    def __delitem__(self, key: Any) -> None:
        del self.part(key)[key]

    def __contains__(self, key: object) -> bool:
        return key in self.part(key)

    def get(self, key: Any, default: Any = None) -> Any:
        return self.part(key).get(key, default)

    def pop(self, key: Any, *default: Any) -> Any:
        return self.part(key).pop(key, *default)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        return self.part(key).setdefault(key, default)

    def __iter__(self) -> Iterator[Any]:
        for p in self.parts:
            yield from list(p)

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def __bool__(self) -> bool:
        return any(self.parts)

    def keys(self) -> list:  # type: ignore[override]
        return [k for p in self.parts for k in p]

    def values(self) -> list:  # type: ignore[override]
        return [v for p in self.parts for v in p.values()]

    def items(self) -> list:  # type: ignore[override]
        return [kv for p in self.parts for kv in p.items()]

    def clear(self) -> None:
        for p in self.parts:
            p.clear()

    def __repr__(self) -> str:
        return f"ShardedDict({dict(self.items())!r})"


class Shard(threading.Thread):
    def __init__(self, index: int) -> None:
        super().__init__(name=f"forkdiff-shard{index}", daemon=True)
        self.index = index
        self.tasks: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()

    def run(self) -> None:
        while (task := self.tasks.get()) is not None:
            task()


class _Transaction:
    """A multi-shard command: each shard arrives, the last one executes, the others wait for it."""

    def __init__(self, shards: int, work: Callable[[], Any]) -> None:
        self.pending = shards
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.work = work
        self.future: Future = Future()

    def arrive(self) -> None:
        with self.lock:
            self.pending -= 1
            last = self.pending == 0
        if not last:
            self.done.wait()
            return
        try:
            self.future.set_result(self.work())
        except BaseException as exc:  # surfaced to the waiting connection
            self.future.set_exception(exc)
        finally:
            self.done.set()


class ShardedServer(LoopServer):
    name = "sharded"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.io_loops = self.threads
        self.shards = [Shard(i) for i in range(self.threads)]
        self.order = threading.Lock()
        self.engine.serve_inline = False
        for db in self.engine.keyspace.dbs:
            db.data = ShardedDict(self.threads)
            db.expires = ShardedDict(self.threads)

    def start_workers(self) -> None:
        for s in self.shards:
            s.start()

    def stop_workers(self) -> None:
        for s in self.shards:
            s.tasks.put(None)
        for s in self.shards:
            s.join(5)

    def shard_of(self, key: bytes) -> int:
        return hash(key) % len(self.shards)

    def _schedule(self, shards: list[int], work: Callable[[], Any]) -> Future:
        if len(shards) == 1:
            fut: Future = Future()

            def run() -> None:
                try:
                    fut.set_result(work())
                except BaseException as exc:
                    fut.set_exception(exc)

            self.shards[shards[0]].tasks.put(run)
            return fut
        tx = _Transaction(len(shards), work)
        with self.order:  # one global order of multi-shard transactions on every shard
            for i in shards:
                self.shards[i].tasks.put(tx.arrive)
        return tx.future

    def execute(self, client: Any, argv: list[bytes]) -> Any:
        if self.engine.busy.wait_turn():  # beside a script that timed out: BUSY, or an allow-busy command, here
            return self.engine.execute(client, argv)
        scope = lock_scope(self.engine, client, argv)
        if scope is NONE:
            return self.engine.execute(client, argv)
        everything = list(range(len(self.shards)))
        shards = everything if scope is ALL else sorted({self.shard_of(k) for _, k in scope})

        def work() -> Any:
            reply = self.engine.execute(client, argv)
            if scope is ALL and self.engine.keyspace.ready_keys:
                reply = self.engine.serve_ready(client, argv, reply)
            elif self.engine.keyspace.ready_keys:  # serving may touch other shards: do it holding all
                self._schedule(everything, self.engine.serve_ready)
            return reply

        return self._schedule(shards, work)

    def execute_batch(self, batch: Any) -> None:
        """A client's pipelined commands without a trip back to its event loop between them: each command goes to
        its shard(s) in turn, and the shard that finishes one schedules the next (see connection.Batch)."""
        self._advance(batch)

    def _advance(self, batch: Any) -> None:
        """Run the batch on from its next command; returns once a shard has it, or the batch is over."""
        me = threading.get_ident()
        while (argv := batch.next_command()) is not None:
            result = call_safely(self.execute, batch.client, argv)
            if isinstance(result, Future):
                attach = [True, False]  # [attaching now, already done]: a callback run at once only notes it
                result.add_done_callback(partial(self._settled, batch, me, attach))
                attach[0] = False
                if not attach[1]:
                    return  # the shard that completes it goes on with the batch
                result = reply_of(result)
            batch.record(result)
        batch.future.set_result(None)

    def _settled(self, batch: Any, caller: int, attach: list, future: Future) -> None:
        if attach[0] and threading.get_ident() == caller:
            attach[1] = True  # run inside add_done_callback: _advance goes on itself, without recursion
            return
        batch.record(reply_of(future))
        self._advance(batch)

    def exclusive(self, fn: Callable[[], Any], when_busy: Callable[[], Any] | None = None) -> Any:
        if not any(s.is_alive() for s in self.shards):
            return fn()
        busy = self.engine.busy
        if when_busy is None:
            return self._schedule(list(range(len(self.shards))), fn).result()
        claim = threading.Lock()  # whichever comes first, the shards or a script's start, runs its part once

        def on_shards() -> Any:
            return fn() if claim.acquire(blocking=False) else None

        future = self._schedule(list(range(len(self.shards))), on_shards)
        while True:
            try:
                return future.result(timeout=EXCLUSIVE_POLL_S)
            except FutureTimeout:
                if busy.running is not None and claim.acquire(blocking=False):
                    return when_busy()
