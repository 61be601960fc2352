"""What every concurrency workload shares: its settings, the run it records into, the checks it returns."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

from forkdiff.client import connect
from forkdiff.types import Kind, Reply

from .history import History, Op, Session, run_clients


@dataclass(frozen=True)
class Settings:
    clients: int = 4
    ops: int = 200  # operations in one workload, shared among its clients (bounded: it stops by itself)
    seed: int = 0
    time_limit_s: float = 10.0  # recording stops after this even if operations remain
    check_time_s: float = 10.0  # the linearizability search gives up (unknown) after this

    def per_client(self, clients: int | None = None) -> int:
        return max(1, self.ops // max(1, clients or self.clients))


@dataclass(frozen=True)
class Check:
    """One invariant of a workload, with what broke it."""

    name: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'FAILED'} {self.name}" + (f": {self.detail}" if self.detail else "")


def check_that(name: str, problems: Iterable[str]) -> Check:
    """A check that holds when there are no problems; the first few are kept as the detail."""
    problems = list(problems)
    if not problems:
        return Check(name, True)
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return Check(name, False, "; ".join(problems[:3]) + more)


@dataclass
class Run:
    """One workload on one target: its history, its settings and a deadline for recording."""

    address: tuple[str, int]
    settings: Settings
    history: History = field(default_factory=History)
    failures: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.settings.time_limit_s
        self._next_client = 0

    def time_left(self) -> bool:
        return time.monotonic() < self.deadline

    def rng(self, index: int) -> random.Random:
        return random.Random(f"{self.settings.seed}/{index}")

    def clients(self, count: int, work: Callable[[Session, int], None]) -> None:
        """Run `count` concurrent clients (numbered after any earlier ones) until each finishes its work."""
        first, self._next_client = self._next_client, self._next_client + count
        self.failures += run_clients(self.history, self.address, count, work, first)

    def one_client(self, work: Callable[[Session], None]) -> list[Op]:
        """A recorded client on its own (set-up before the concurrent part, final reads after it): its ops."""
        client = self._next_client
        self.clients(1, lambda session, _: work(session))
        return self.history.by_client(client)

    def flush(self) -> None:
        with connect(self.address) as conn:
            conn.call("FLUSHALL")


def integer_value(reply: Reply | None) -> int | None:
    """The integer a reply carries (INTEGER, or a BULK holding digits); None otherwise."""
    if reply is None:
        return None
    if reply.kind is Kind.INTEGER:
        return reply.value
    if reply.kind is Kind.BULK:
        try:
            return int(reply.value)
        except ValueError:
            return None
    return None


def bulk_values(reply: Reply | None) -> list[bytes | None] | None:
    """The items of an array of bulks/nulls (MGET, LRANGE); None when the reply is not such an array."""
    if reply is None or reply.kind is not Kind.ARRAY:
        return None
    return [r.value if r.kind is Kind.BULK else None for r in reply.value]
