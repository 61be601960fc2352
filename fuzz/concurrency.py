"""Concurrency checks of a target: workloads recorded as histories, each checked for its invariants and for
linearizability against the reference engine.

    with make_target("redis@8.2") as t:  # or InProcessTarget("reference:sharded")
        result = run_workload(t.address, "counters", Settings(clients=8, ops=400))
        print(result.text())

The parts: history.py (recording), model.py + wing_gong.py + explain.py + linearizability.py (the checker),
workload_base.py + workloads.py + workloads_races.py (the workloads).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

from forkdiff.client import connect
from forkdiff.types import Kind

from .linearizability import OK, SKIPPED, UNKNOWN, VIOLATION, Verdict, check
from .workload_base import Check, Run, Settings
from .workloads import counters, lists, mset, register, transfers
from .workloads_races import blocking, lua, watch

__all__ = ["WORKLOADS", "Settings", "Workload", "WorkloadResult", "run_workload", "run_workloads"]


@dataclass(frozen=True)
class Workload:
    name: str
    run: Callable[[Run], list[Check]]
    needs: tuple[str, ...]  # commands the target must implement, else the workload is skipped
    about: str


WORKLOADS: dict[str, Workload] = {w.name: w for w in [
    Workload("counters", counters, ("INCR", "INCRBY", "GET"), "INCR/INCRBY from many clients, GET: no lost update"),
    Workload("register", register, ("SET", "GET"), "SET/GET of one value: reads see written values"),
    Workload("lists", lists, ("RPUSH", "LRANGE"), "RPUSH + LRANGE 0 -1: every read a prefix of the final list"),
    Workload("transfers", transfers, ("MULTI", "EXEC", "DECRBY", "INCRBY", "MGET", "MSET"),
             "MULTI/EXEC transfers, MGET readers: the total never changes"),
    Workload("mset", mset, ("MSET", "MGET"), "MSET/MGET across shards: never a torn read"),
    Workload("watch", watch, ("WATCH", "MULTI", "EXEC", "SET", "GET"),
             "WATCH rounds: exactly one winner each, final value = winners"),
    Workload("blocking", blocking, ("BLPOP", "RPUSH", "LRANGE"),
             "BLPOP consumers racing RPUSH producers: none lost or duplicated, FIFO per producer"),
    Workload("lua", lua, ("EVAL", "MSET", "MGET"), "EVAL transfers, MGET readers: a script is atomic"),
]}


@dataclass
class WorkloadResult:
    workload: str
    target: str
    checks: list[Check] = field(default_factory=list)
    linearizability: Verdict | None = None
    ops: int = 0
    seconds: float = 0.0
    skipped: str = ""

    @property
    def status(self) -> str:
        if self.skipped:
            return SKIPPED
        lin = self.linearizability.status if self.linearizability else SKIPPED
        if lin == VIOLATION or not all(c.ok for c in self.checks):
            return VIOLATION
        return UNKNOWN if lin == UNKNOWN else OK

    def text(self) -> str:
        head = f"{self.workload} on {self.target or 'target'}: {self.status}"
        if self.skipped:
            return f"{head} ({self.skipped})"
        lines = [f"{head} ({self.ops} ops, {self.seconds:.1f}s)"] + [f"  {c}" for c in self.checks]
        if self.linearizability is not None:
            lines.append("  linearizability: " + self.linearizability.text().replace("\n", "\n    "))
        return "\n".join(lines)


def missing_commands(address: tuple[str, int], commands: Iterable[str]) -> list[str]:
    """Commands the server does not know: a bare command name changes nothing and answers 'unknown command'
    only when it is missing (an arity error otherwise)."""
    with connect(address) as conn:
        return [name for name in commands
                if (r := conn.call(name)).kind is Kind.ERROR and r.value.startswith("ERR unknown command")]


def run_workload(address: tuple[str, int], name: str, settings: Settings = Settings(),
                 target: str = "") -> WorkloadResult:
    workload = WORKLOADS[name]
    missing = missing_commands(address, workload.needs)
    if missing:
        return WorkloadResult(name, target, skipped=f"the target has no {', '.join(missing)}")
    started = time.monotonic()
    run = Run(address, settings)
    run.flush()
    checks = workload.run(run)
    if run.failures:
        shown = "; ".join(f"{type(e).__name__}: {e}" for e in run.failures[:3])
        checks.append(Check("every client ran to the end", False, shown))
    verdict = check(run.history.ops, time_limit_s=settings.check_time_s)
    return WorkloadResult(name, target, checks, verdict, len(run.history), time.monotonic() - started)


def run_workloads(address: tuple[str, int], names: Iterable[str] | None = None, settings: Settings = Settings(),
                  target: str = "") -> list[WorkloadResult]:
    return [run_workload(address, name, settings, target) for name in (names or WORKLOADS)]
