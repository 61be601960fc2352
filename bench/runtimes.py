"""Throughput of every reference runtime next to Redis 8.2.3, measured side by side in one run, and the speed of
the linearizability checker.

    python -m bench.runtimes [--seconds 1.0] [--rounds 2]

Every server is a separate process (the reference through `forkdiff serve`, Redis as its binary); the load comes
from this process: one thread driving all connections with non-blocking sockets, so the client costs the same for
every server. Commands cycle through SET, GET and INCR on per-connection keys. Each cell is the best of `rounds`
measurements taken in interleaved order (the machine is noisy); the ratio is to Redis in the same mode.
"""
from __future__ import annotations

import argparse
import os
import selectors
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import Iterator

import hiredis
from tabulate import tabulate

from adapters import make_target
from forkdiff.client import wait_ready
from forkdiff.resp import encode_command
from reference_server.runtimes import RUNTIMES

MODES = [("1 client", 1, 1), ("8 clients", 8, 1), ("50 clients", 50, 1), ("8 x pipeline 50", 8, 50)]
REDIS = "redis@8.2"


# -- servers -------------------------------------------------------------------------------------------------------
@contextmanager
def reference_server(runtime: str, source: str | None = None) -> Iterator[tuple[str, int]]:
    """`forkdiff serve` on a free port; `source`: run the code of another source tree (an earlier commit's)."""
    env = None if source is None else {**os.environ, "PYTHONPATH": source}
    proc = subprocess.Popen([sys.executable, "-m", "forkdiff.cli", "serve", "--runtime", runtime, "--port", "0"],
                            stdout=subprocess.PIPE, text=True, env=env, cwd=source)
    try:
        port = _announced_port(proc)
        wait_ready(("127.0.0.1", port))
        yield ("127.0.0.1", port)
    finally:
        proc.terminate()
        proc.wait(10)


def _announced_port(proc: subprocess.Popen) -> int:
    for line in proc.stdout:
        if line.startswith("port "):
            return int(line.split()[1])
    raise RuntimeError("the reference server exited before announcing its port")


@contextmanager
def redis_server() -> Iterator[tuple[str, int]]:
    target = make_target(REDIS)
    target.start()
    try:
        yield target.address
    finally:
        target.stop()


# -- load ----------------------------------------------------------------------------------------------------------
class _Client:
    def __init__(self, address: tuple[str, int], index: int, pipeline: int) -> None:
        self.sock = socket.create_connection(address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.reader = hiredis.Reader()
        key, counter = f"bench:{index}", f"bench:counter:{index}"
        cycle = [("SET", key, "value"), ("GET", key), ("INCR", counter)]
        self.batch = b"".join(encode_command(a.encode() for a in cycle[i % 3]) for i in range(pipeline))
        self.size, self.waiting = pipeline, 0

    def send(self) -> None:
        self.sock.sendall(self.batch)  # small enough for the socket buffer
        self.waiting = self.size

    def receive(self) -> int:
        data = self.sock.recv(1 << 16)
        if not data:
            raise ConnectionError("server closed the connection")
        self.reader.feed(data)
        got = 0
        while self.reader.gets() is not False:
            got += 1
        self.waiting -= got
        return got


def throughput(address: tuple[str, int], clients: int, pipeline: int, seconds: float) -> float:
    """Replies per second over `seconds`, after a short warm-up."""
    conns = [_Client(address, i, pipeline) for i in range(clients)]
    selector = selectors.DefaultSelector()
    for c in conns:
        selector.register(c.sock, selectors.EVENT_READ, c)
        c.send()
    try:
        _drive(selector, time.monotonic() + 0.2)
        started = time.monotonic()
        done = _drive(selector, started + seconds)
        return done / (time.monotonic() - started)
    finally:
        for c in conns:
            c.sock.close()
        selector.close()


def _drive(selector: selectors.BaseSelector, until: float) -> int:
    done = 0
    while time.monotonic() < until:
        for key, _ in selector.select(0.1):
            client = key.data
            done += client.receive()
            if client.waiting == 0:
                client.send()
    return done


# -- the table -----------------------------------------------------------------------------------------------------
def measure_servers(seconds: float, rounds: int) -> dict[str, dict[str, float]]:
    names = [REDIS, *RUNTIMES]
    best: dict[str, dict[str, float]] = {n: {} for n in names}
    for round_number in range(rounds):
        order = names if round_number % 2 == 0 else list(reversed(names))
        for name in order:
            with (redis_server() if name == REDIS else reference_server(name)) as address:
                for mode, clients, pipeline in MODES:
                    rate = throughput(address, clients, pipeline, seconds)
                    best[name][mode] = max(best[name].get(mode, 0.0), rate)
            print(f"  measured {name} (round {round_number + 1})", file=sys.stderr, flush=True)
    return best


def server_table(best: dict[str, dict[str, float]]) -> str:
    rows = []
    for name, rates in best.items():
        label = "redis 8.2.3" if name == REDIS else f"reference:{name}"
        rows.append([label] + [f"{rates[m]:,.0f} ({rates[m] / best[REDIS][m]:.2f}x)" for m, _, _ in MODES])
    return tabulate(rows, headers=["server", *(f"{m} ops/s (vs redis)" for m, _, _ in MODES)])


if __name__ == "__main__":
    from bench.checker import checker_table

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=1.0, help="measuring time per cell (default 1.0)")
    ap.add_argument("--rounds", type=int, default=2, help="measurements per cell, best kept (default 2)")
    args = ap.parse_args()
    started = time.monotonic()
    print("Throughput: SET/GET/INCR cycle, one load-generating thread, best of", args.rounds, "rounds")
    print(server_table(measure_servers(args.seconds, args.rounds)))
    print()
    print("Linearizability checker speed")
    print(checker_table())
    print(f"\n(whole run: {time.monotonic() - started:.0f}s)")
