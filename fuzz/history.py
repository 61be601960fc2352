"""Concurrent histories: clients issue commands on their own connections; every operation is recorded with its call
and return time and its reply, as a linearizability checker needs it.

An operation whose reply never came (timeout, closed connection, protocol error) has an unknown outcome: it may
or may not have taken effect, so it is kept with ``return_ns = None`` rather than dropped. A MULTI/EXEC
transaction is one operation holding its commands; its reply is the EXEC reply.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from forkdiff.client import Connection, connect
from forkdiff.types import TRANSPORT, Command, Reply

REPLY_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class Op:
    """One entry of a concurrent history."""

    id: int
    client: int
    commands: tuple[Command, ...]
    call_ns: int
    return_ns: int | None  # None: the outcome is unknown
    reply: Reply | None
    transaction: bool = False
    note: str = ""  # how it was really sent, when it is recorded as its equivalent (a script as its commands)

    @property
    def unknown(self) -> bool:
        return self.return_ns is None

    def describe(self) -> str:
        shown = "; ".join(str(c) for c in self.commands)
        if self.transaction:
            shown = f"MULTI; {shown}; EXEC"
        if self.note:
            shown = f"{shown} (sent as {self.note})"
        outcome = "<unknown outcome>" if self.unknown else _one_line(self.reply)
        return f"#{self.id} client {self.client}: {shown} -> {outcome}"


def _one_line(reply: Reply | None) -> str:
    return " ".join(str(reply).split()) if reply is not None else "<none>"


@dataclass
class History:
    """The operations of one run, in the order they were recorded (call order per client)."""

    ops: list[Op] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, client: int, commands: Sequence[Command], call_ns: int, return_ns: int | None,
            reply: Reply | None, transaction: bool = False, note: str = "") -> Op:
        with self._lock:
            op = Op(len(self.ops), client, tuple(commands), call_ns, return_ns, reply, transaction, note)
            self.ops.append(op)
        return op

    def __len__(self) -> int:
        return len(self.ops)

    def known(self) -> list[Op]:
        return [op for op in self.ops if not op.unknown]

    def by_client(self, client: int) -> list[Op]:
        return [op for op in self.ops if op.client == client]


class Session:
    """One client of a history: its own connection; every call is recorded. A lost connection is reopened."""

    def __init__(self, history: History, client: int, address: tuple[str, int],
                 timeout: float = REPLY_TIMEOUT_S) -> None:
        self.history, self.client, self.address, self.timeout = history, client, address, timeout
        self.conn: Connection = connect(address, timeout=timeout)

    def call(self, *args: Any, timeout: float | None = None) -> Reply:
        command = Command.of(*args)
        started = time.monotonic_ns()
        reply = self.conn.execute(command, timeout)
        return self._record([command], started, reply, False)

    def transaction(self, commands: Sequence[Command]) -> Reply:
        """MULTI + commands + EXEC sent together; recorded as one operation whose reply is EXEC's."""
        started = time.monotonic_ns()
        replies = self.conn.pipeline([Command.of("MULTI"), *commands, Command.of("EXEC")], self.timeout)
        broken = next((r for r in replies if r.kind in TRANSPORT), None)
        return self._record(commands, started, broken or replies[-1], True)

    def unrecorded(self, *args: Any) -> Reply:
        """A call that is not an operation of its own (WATCH steps, set-up): a broken link still reconnects."""
        reply = self.conn.call(*args)
        if reply.kind in TRANSPORT:
            self._reconnect()
        return reply

    def call_as(self, commands: Sequence[Command], *args: Any) -> Reply:
        """Send `args` (a script) but record the transaction of `commands` it is equivalent to: a script is atomic
        like one, and its reply is theirs when it returns the array of their replies."""
        started = time.monotonic_ns()
        reply = self.conn.call(*args)
        return self._record(commands, started, reply, True, str(Command.of(*args[:1])))

    def record(self, commands: Sequence[Command], call_ns: int, reply: Reply, transaction: bool) -> Reply:
        """Record an operation the workload assembled itself (e.g. a WATCH round as the atomic step it claims)."""
        return self._record(commands, call_ns, reply, transaction)

    def _record(self, commands: Sequence[Command], call_ns: int, reply: Reply, transaction: bool,
                note: str = "") -> Reply:
        if reply.kind in TRANSPORT:
            self.history.add(self.client, commands, call_ns, None, None, transaction, note)
            self._reconnect()
        else:
            self.history.add(self.client, commands, call_ns, time.monotonic_ns(), reply, transaction, note)
        return reply

    def _reconnect(self) -> None:
        """A connection that timed out may still deliver the late reply: it is never reused."""
        self.conn.close()
        try:
            self.conn = connect(self.address, timeout=self.timeout)
        except OSError:
            pass  # the next call reports CLOSED and records an unknown outcome again

    def close(self) -> None:
        self.conn.close()


def run_clients(history: History, address: tuple[str, int], clients: int,
                work: Callable[[Session, int], None], first_client: int = 0) -> list[BaseException]:
    """Run `work(session, index)` on `clients` threads, each with its own connection; their exceptions returned."""
    failures: list[BaseException] = []

    def body(index: int) -> None:
        try:
            session = Session(history, first_client + index, address)
        except OSError as exc:
            failures.append(exc)
            return
        try:
            work(session, index)
        except BaseException as exc:  # reported by the workload; a thread must not die silently
            failures.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=body, args=(i,), name=f"forkdiff-client{i}") for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures
