"""Instructions the reference executes per command, counted by valgrind's callgrind: repeatable where timings are not.

    python -m bench.instructions [--modes set16,get16,set1,get1] [--baseline DIR]

One connection of the reactor runtime is fed whole reads straight from memory (no socket, no event loop: what is
counted is parsing, executing and encoding): SET (a 3-byte value) or GET (a hit), 16 commands per read or one.
Each mode runs twice under callgrind, with N and 3N reads after the same warm-up; the difference divided by the
2N reads' commands is the cost of one command, start-up and warm-up cancelled out. `--baseline DIR` counts another
source tree (say `git archive <commit> | tar -x -C DIR`) the same way, for a before/after comparison. Needs
valgrind (Debian's package); each count takes about a minute.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parent.parent
MODES = {"set16": ("SET", 16), "get16": ("GET", 16), "set1": ("SET", 1), "get1": ("GET", 1)}
READS = 100  # N: the counted runs make N and 3 * N reads
WARM_UP = 50


def _request(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


class _Transport:
    """What the connection writes to: nothing is kept."""

    def write(self, data: bytes) -> None:
        pass

    def get_extra_info(self, name: str, default=None):
        return ("127.0.0.1", 6379) if name in ("peername", "sockname") else default

    def close(self) -> None:
        pass


async def _feed(command: str, per_read: int, reads: int) -> None:
    from reference_server.runtimes.connection import ClientConnection
    from reference_server.runtimes.reactor import ReactorServer

    conn = ClientConnection(ReactorServer())
    conn.connection_made(_Transport())  # type: ignore[arg-type]
    key = b"key:__rand_int__"  # redis-benchmark's key
    conn.data_received(_request(b"SET", key, b"xxx"))  # GET hits
    one = _request(b"SET", key, b"xxx") if command == "SET" else _request(b"GET", key)
    read = one * per_read
    for _ in range(WARM_UP + reads):
        conn.data_received(read)


def _count(source: Path, mode: str, reads: int) -> int:
    """Instructions of one process feeding `reads` reads of the mode (callgrind's program total)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        # this file runs the feeding (a baseline tree may not have it); the reference imported is the source's
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, str(Path(__file__)),
               "--run", mode, "--reads", str(reads)]
        done = subprocess.run(cmd, cwd=source, capture_output=True, text=True, timeout=1800,
                              env={**os.environ, "PYTHONPATH": str(source), "PYTHONHASHSEED": "0"})
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"callgrind run failed ({mode}, {reads} reads): {done.stderr[-2000:]}")
        totals = re.search(r"^summary:\s+(\d+)", out.read_text(errors="replace"), re.M)
        if totals is None:
            raise RuntimeError(f"no instruction total in callgrind's output ({mode})")
        return int(totals.group(1))


def per_command(source: Path, mode: str) -> float:
    _command, per_read = MODES[mode]
    low, high = _count(source, mode, READS), _count(source, mode, 3 * READS)
    return (high - low) / (2 * READS * per_read)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    ap.add_argument("--baseline", default=None, metavar="DIR", help="another source tree, counted the same way")
    ap.add_argument("--run", default=None, help=argparse.SUPPRESS)  # the process callgrind counts
    ap.add_argument("--reads", type=int, default=READS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run is not None:
        command, per_read = MODES[args.run]
        asyncio.run(_feed(command, per_read, args.reads))
        return
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        ap.error(f"unknown mode(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(MODES)}")
    baseline = Path(args.baseline).resolve() if args.baseline else None
    if baseline is not None and not (baseline / "reference_server").is_dir():
        ap.error(f"--baseline {args.baseline}: no reference_server/ there")
    if shutil.which("valgrind") is None:
        sys.exit("bench.instructions: valgrind is not installed (Debian's package 'valgrind')")
    rows = []
    for mode in modes:
        command, per_read = MODES[mode]
        row = [command, per_read]
        if baseline is not None:
            before = per_command(baseline, mode)
            row.append(f"{before:,.0f}")
        now = per_command(ROOT, mode)
        row.append(f"{now:,.0f}")
        if baseline is not None:
            row.append(f"{now / before:.2f}")
        rows.append(row)
        print(f"{mode} done", file=sys.stderr, flush=True)
    headers = ["command", "per read"] + (["baseline instr/command"] if baseline else []) + ["instr/command"] + (
        ["now / baseline"] if baseline else [])
    print(tabulate(rows, headers=headers, tablefmt="github"))


if __name__ == "__main__":
    main()
