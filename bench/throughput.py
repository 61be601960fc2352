"""Per-command overhead: SET and GET throughput of the reference next to Redis 8.2.3, side by side in one run.

    python -m bench.throughput [--rounds 3] [--runtime reactor] [--scale 1.0] [--baseline DIR]

Load comes from redis-benchmark (Debian's redis-tools), the same client for both servers, in three modes: one
client, 50 clients, and 50 clients each pipelining 16 commands; Redis gets more requests than the reference where
it is much faster, so that each figure comes from seconds of load (see MODES). Both servers run for the whole
measurement as separate processes (the reference through `forkdiff serve`, Redis as its binary, no persistence);
every round measures every mode on both, alternating which goes first, so machine noise hits both alike. Prints
ops/s (median over rounds) per server and the reference's share of Redis's throughput. Every server started is
stopped by its process, also on failure or Ctrl-C. `--baseline DIR` also measures the reference from another
source tree (say `git archive <commit> | tar -x -C DIR`) in the same rounds, for a before/after comparison under
the same load.
"""
from __future__ import annotations

import argparse
import csv
import io
import shutil
import statistics
import subprocess
import sys
from contextlib import ExitStack

from tabulate import tabulate

from bench.runtimes import redis_server, reference_server

# label -> (clients, pipeline, requests at scale 1, Redis's multiple): the requests give the reference about two
# seconds of work; Redis, several times faster, gets that many times the requests, so that its figure too comes from
# seconds rather than a fraction of one (a run that short is mostly its clients connecting, and noisy)
MODES = {
    "1 client": (1, 1, 20_000, 1),
    "50 clients": (50, 1, 50_000, 2),
    "50 clients x 16 pipelined": (50, 16, 200_000, 6),
}
TESTS = ("SET", "GET")


def run_benchmark(tool: str, port: int, clients: int, pipeline: int, requests: int) -> dict[str, float]:
    """ops/s per test (SET, GET) from one redis-benchmark run."""
    cmd = [tool, "-h", "127.0.0.1", "-p", str(port), "-n", str(requests), "-c", str(clients), "-P", str(pipeline),
           "-t", ",".join(t.lower() for t in TESTS), "--csv"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    rates = {row[0]: float(row[1]) for row in csv.reader(io.StringIO(done.stdout)) if row and row[0] in TESTS}
    if set(rates) != set(TESTS):
        raise RuntimeError(f"redis-benchmark gave no figures for {TESTS}: {done.stdout!r} {done.stderr!r}")
    return rates


def measure(tool: str, ports: dict[str, int], rounds: int, scale: float) -> dict[tuple[str, str, str], list[float]]:
    """(mode, test, server) -> ops/s of every round."""
    results: dict[tuple[str, str, str], list[float]] = {}
    servers = tuple(ports)
    for r in range(rounds):
        order = servers if r % 2 == 0 else tuple(reversed(servers))
        for mode, (clients, pipeline, requests, multiple) in MODES.items():
            for server in order:
                count = requests * (multiple if server == "redis" else 1)
                rates = run_benchmark(tool, ports[server], clients, pipeline, max(1000, int(count * scale)))
                for test, rate in rates.items():
                    results.setdefault((mode, test, server), []).append(rate)
        print(f"round {r + 1}/{rounds} done", file=sys.stderr, flush=True)
    return results


def table(results: dict[tuple[str, str, str], list[float]], with_baseline: bool) -> str:
    rows = []
    for mode in MODES:
        for test in TESTS:
            median = {server: statistics.median(results[(mode, test, server)])
                      for server in (("baseline",) if with_baseline else ()) + ("reference", "redis")}
            row = [mode, test] + [f"{rate:,.0f}" for rate in median.values()]
            if with_baseline:
                row.append(f"{median['baseline'] / median['redis']:.3f}")
            rows.append(row + [f"{median['reference'] / median['redis']:.3f}"])
    headers = ["mode", "command"] + (["baseline ops/s"] if with_baseline else []) + ["reference ops/s",
               "redis 8.2.3 ops/s"] + (["baseline / redis"] if with_baseline else []) + ["reference / redis"]
    return tabulate(rows, headers=headers, tablefmt="github")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3, help="measurements per cell, median kept (default 3)")
    ap.add_argument("--runtime", default="reactor", help="the reference's runtime (default reactor)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every mode's request count")
    ap.add_argument("--baseline", metavar="DIR", help="also measure the reference from this source tree")
    args = ap.parse_args()
    tool = shutil.which("redis-benchmark")
    if tool is None:
        sys.exit("redis-benchmark not found (Debian package redis-tools, installed with redis-server)")
    with ExitStack() as servers:  # leaving it stops both servers, whatever happened
        ports = {"reference": servers.enter_context(reference_server(args.runtime))[1],
                 "redis": servers.enter_context(redis_server())[1]}
        if args.baseline:
            ports["baseline"] = servers.enter_context(reference_server(args.runtime, args.baseline))[1]
        results = measure(tool, ports, args.rounds, args.scale)
    print(f"runtime {args.runtime}, median of {args.rounds} rounds, request counts x{args.scale:g}"
          + (f", baseline from {args.baseline}" if args.baseline else ""))
    print(table(results, bool(args.baseline)))


if __name__ == "__main__":
    main()
