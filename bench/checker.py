"""How fast the linearizability checker is: histories of 1,000 and 10,000 operations recorded on Redis 8.2.3,
then checked (operations checked per second, with the verdicts)."""
from __future__ import annotations

import time

from tabulate import tabulate

from adapters import make_target
from fuzz.concurrency import WORKLOADS
from fuzz.linearizability import check
from fuzz.workload_base import Run, Settings

SIZES = (1_000, 10_000)
CHECKED = ("counters", "register", "transfers")
CLIENTS = 8


def record(address: tuple[str, int], workload: str, ops: int) -> Run:
    run = Run(address, Settings(clients=CLIENTS, ops=ops, time_limit_s=60))
    run.flush()
    WORKLOADS[workload].run(run)
    return run


def checker_table(check_time_s: float = 60.0) -> str:
    target = make_target("redis@8.2")
    target.start()
    try:
        runs = [(name, size, record(target.address, name, size)) for name in CHECKED for size in SIZES]
    finally:
        target.stop()
    check([])  # the engine's first start (command table, spec) is not the checker's speed
    rows = []
    for name, size, run in runs:
        started = time.monotonic()
        verdict = check(run.history.ops, time_limit_s=check_time_s)
        elapsed = time.monotonic() - started
        rows.append([name, len(run.history), verdict.partitions, verdict.steps, f"{elapsed:.2f}",
                     f"{len(run.history) / elapsed:,.0f}", verdict.status])
    return tabulate(rows, headers=["history", "ops", "partitions", "search steps", "seconds", "ops checked/s",
                                   "verdict"])
