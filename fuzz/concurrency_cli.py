"""forkdiff concurrency: run the concurrency workloads on each target, check every history (its invariants and its
linearizability against the reference engine) and print a verdict table. Exit status 1 when a violation is found.

Workloads: {workloads}
"""
from __future__ import annotations

import argparse
import sys

from tabulate import tabulate

from adapters import TargetUnavailable, make_target

from .concurrency import WORKLOADS, Settings, WorkloadResult, run_workloads
from .linearizability import OK, SKIPPED, VIOLATION
from .options import parse_list


def _workloads(text: str) -> list[str]:
    names = parse_list(text)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown workload {', '.join(unknown)}; known: {', '.join(WORKLOADS)}")
    return names


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    about = "\n".join(f"  {w.name:10} {w.about}" for w in WORKLOADS.values())
    p = subparsers.add_parser("concurrency", help="check targets under concurrent clients (linearizability)",
                              description=__doc__.format(workloads="\n" + about),
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--targets", required=True, type=parse_list, metavar="A,B[,C…]",
                   help="targets, e.g. reference:sharded,redis@8.2 (see `forkdiff targets`)")
    p.add_argument("--workloads", type=_workloads, default=list(WORKLOADS), metavar="W,…",
                   help="workloads to run (default all)")
    p.add_argument("--clients", type=_positive, default=4, help="concurrent clients (default 4)")
    p.add_argument("--ops", type=_positive, default=200, help="operations per workload (default 200)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--time-limit", type=float, default=10.0, metavar="SECONDS",
                   help="recording time per workload (default 10)")
    p.add_argument("--check-time", type=float, default=10.0, metavar="SECONDS",
                   help="linearizability search time per workload before the verdict is unknown (default 10)")
    p.add_argument("--details", action="store_true", help="print every result's checks, not only the failures")
    p.set_defaults(func=cmd_concurrency)


def cmd_concurrency(args: argparse.Namespace) -> int:
    settings = Settings(args.clients, args.ops, args.seed, args.time_limit, args.check_time)
    results: list[WorkloadResult] = []
    for spec in args.targets:
        try:
            results += _run_on(spec, args.workloads, settings)
        except (TargetUnavailable, ValueError) as exc:
            print(f"forkdiff concurrency: {spec}: {exc}", file=sys.stderr)
            return 2
    print(verdict_table(results, args.targets, args.workloads))
    for result in results:
        if args.details or result.status not in (OK, SKIPPED):
            print()
            print(result.text())
    return 1 if any(r.status == VIOLATION for r in results) else 0


def _run_on(spec: str, workloads: list[str], settings: Settings) -> list[WorkloadResult]:
    target = make_target(spec)
    target.start()
    try:
        return run_workloads(target.address, workloads, settings, spec)
    finally:
        target.stop()


def verdict_table(results: list[WorkloadResult], targets: list[str], workloads: list[str]) -> str:
    """Workloads down, targets across; each cell the verdict (the reason when skipped)."""
    cells = {(r.workload, r.target): _cell(r) for r in results}
    rows = [[w] + [cells.get((w, t), "-") for t in targets] for w in workloads]
    return tabulate(rows, headers=["workload", *targets])


def _cell(result: WorkloadResult) -> str:
    if result.status == SKIPPED:
        return f"skipped ({result.skipped.removeprefix('the target has no ')} missing)"
    if result.status == VIOLATION:
        return "VIOLATION"
    return f"{result.status} ({result.ops} ops)"
