"""Re-check the fuzz findings blamed on a reference implementation against Redis itself.

The reference server is meant to answer as Redis 8.2.3 does, so a finding on it is a bug, unless the answer depends
on timing (an expiry that moved by a millisecond, a blocking timeout): then Redis, run again, sometimes gives the
very answer the reference was blamed for. Each such finding is re-run a few times on Redis; when Redis shows the
blamed answer too, the finding is marked resolved in the catalogue (an appended record, with the reason), so it is
neither listed nor counted.

    python -m results.recheck --out results [--runs 5]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Mapping

from adapters import TargetUnavailable, make_target
from forkdiff.client import connect
from forkdiff.types import Reply
from fuzz.catalogue import Catalogue, now
from fuzz.programs import Program

REDIS = "redis@8.2"


def on_reference(entry: Mapping) -> bool:
    """Blamed on a reference implementation (the in-process server, in any runtime)."""
    return entry.get("verdict") == "target" and entry["target"].split(":")[0] == "reference" \
        and bool(entry.get("mismatch"))


def redis_answers(address: tuple[str, int], entry: Mapping, runs: int) -> int:
    """How many of `runs` re-runs on Redis gave the answer the target was blamed for. The runs are paced (one
    command at a time, a few milliseconds apart, as a slower server would take them) since an answer that depends
    on timing shows when the clock moves between commands."""
    program = Program.from_json(entry["program"])
    step = entry["mismatch"]["step"]
    blamed = Reply.from_json(entry["mismatch"]["got"])
    return sum(paced_reply(address, program, step, pause=0.002 * (run + 1)) == blamed for run in range(runs))


def paced_reply(address: tuple[str, int], program: Program, step: int, pause: float) -> Reply:
    """The reply to `step` when the program runs on an emptied server one command at a time, `pause` apart."""
    with connect(address, resp=program.resp) as conn:
        conn.call("FLUSHALL")
        reply = None
        for command in program.steps[:step + 1]:
            time.sleep(pause)
            reply = conn.execute(command)
    return reply


def resolution(entry: Mapping, seen: int, runs: int) -> dict[str, Any]:
    return {"record": "reclassified", "id": entry["id"], "at": now(), "status": "resolved",
            "reason": f"Redis 8.2.3 gave the same answer in {seen} of {runs} re-runs: it depends on timing, not on "
                      f"the target"}


def recheck(out: Path, runs: int = 5) -> list[str]:
    """Resolve the reference findings Redis reproduces itself; their ids."""
    catalogue = Catalogue(out / "data" / "fuzz")
    suspects = [e for e in catalogue.active() if on_reference(e)]
    if not suspects:
        catalogue.close()
        return []
    redis = make_target(REDIS)
    redis.start()
    try:
        records = [resolution(e, seen, runs) for e in suspects if (seen := redis_answers(redis.address, e, runs))]
        catalogue.amend(records)
    finally:
        redis.stop()
        catalogue.close()
    return [r["id"] for r in records]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m results.recheck", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results", help="the published directory holding data/fuzz")
    parser.add_argument("--runs", type=int, default=5, help="re-runs on Redis per finding (default 5)")
    args = parser.parse_args(argv)
    if not (Path(args.out) / "data" / "fuzz").is_dir():
        print(f"recheck: no fuzz catalogue in {args.out}/data/fuzz", file=sys.stderr)
        return 2
    try:
        resolved = recheck(Path(args.out), max(1, args.runs))
    except TargetUnavailable as exc:
        print(f"recheck: {REDIS} is not available: {exc}", file=sys.stderr)
        return 2
    print(f"{len(resolved)} reference finding(s) Redis also shows: {', '.join(resolved) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
