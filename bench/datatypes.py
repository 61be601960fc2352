"""Throughput of the reference server next to Redis 8.2.3, measured side by side in one run.

    python bench/datatypes.py [--requests N] [--clients C] [--pipeline P] [--rounds R]

Load comes from redis-benchmark (Debian's redis-tools), the same client for both servers; each round measures every
command on both servers back to back, and the figures are the median over rounds, so machine noise hits both alike.
Prints ops/s per command and server, and the reference's share of Redis's throughput.
"""
from __future__ import annotations

import argparse
import csv
import io
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tabulate import tabulate  # noqa: E402

from adapters import make_target  # noqa: E402

# name -> redis-benchmark arguments (built-in tests, or a custom command line after --)
WORKLOADS = {
    "LPUSH": ["-t", "lpush"],
    "LRANGE 0 99": ["-t", "lrange_100"],
    "HSET": ["-t", "hset"],
    "ZADD": ["-t", "zadd"],
    "ZRANGE 0 99": ["--", "ZRANGE", "bench:zset", "0", "99", "WITHSCORES"],
}


def _prepare(address: tuple[str, int]) -> None:
    """A 100-member sorted set for ZRANGE (redis-benchmark fills the list itself for LRANGE)."""
    from forkdiff.client import connect
    with connect(address) as c:
        args = ["ZADD", "bench:zset"]
        for i in range(100):
            args += [str(i * 1.5), f"member:{i}"]
        c.call(*args)


def measure(tool: str, port: int, workload: list[str], args: argparse.Namespace) -> float:
    base = [tool, "-h", "127.0.0.1", "-p", str(port), "-n", str(args.requests), "-c", str(args.clients),
            "-P", str(args.pipeline), "--csv", "-r", "1000"]
    if workload[0] == "--":
        cmd = base + workload[1:]
    else:
        cmd = base + workload
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout
    rows = list(csv.reader(io.StringIO(out)))
    return float(rows[-1][1])  # "test","rps",...


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--pipeline", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    tool = shutil.which("redis-benchmark")
    if tool is None:
        sys.exit("redis-benchmark not found (Debian package redis-tools, installed with redis-server)")
    targets = {spec: make_target(spec) for spec in ("reference", "redis@8.2")}
    try:
        for t in targets.values():
            t.start()
            _prepare(t.address)
        results: dict[str, dict[str, list[float]]] = {w: {s: [] for s in targets} for w in WORKLOADS}
        for r in range(args.rounds):
            for name, workload in WORKLOADS.items():
                for spec, t in targets.items():
                    results[name][spec].append(measure(tool, t.address[1], workload, args))
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    finally:
        for t in targets.values():
            t.stop()
    rows = []
    for name, per in results.items():
        ref, red = statistics.median(per["reference"]), statistics.median(per["redis@8.2"])
        rows.append([name, f"{ref:,.0f}", f"{red:,.0f}", f"{ref / red:.2f}"])
    print(f"{args.clients} clients, pipeline {args.pipeline}, {args.requests} requests, median of {args.rounds}")
    print(tabulate(rows, headers=["command", "reference ops/s", "redis 8.2.3 ops/s", "reference / redis"],
                   tablefmt="github"))


if __name__ == "__main__":
    main()
