"""Compare two stored runs row by row: which case outcomes changed, and each target's scores in both.

    python tools/compare_runs.py RUN_A RUN_B [--targets T1,T2] [--common]

RUN_A and RUN_B are `--out` directories of `forkdiff run` (their data/conformance.jsonl or .jsonl.gz). Two runs of
the same code on the same servers must give the same outcome per (target, case, protocol) and so the same scores;
every row that moved is printed with both outcomes. With --common only the cases both runs have are compared (for
runs of code that added cases in between). Exit status 1 when any row or score differs.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from results.summarize import load_rows, pct, summarize  # noqa: E402

Key = tuple[str, str, int]


def outcomes(rows: list[dict]) -> dict[Key, str]:
    return {(r["target"], r["case"], int(r.get("resp") or 0)): r["outcome"] for r in rows}


def scores(rows: list[dict]) -> dict[str, tuple[str, str]]:
    return {target: (pct(result.score("strict")), pct(result.score("semantic")))
            for target, result in summarize(rows).items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_a", type=Path)
    ap.add_argument("run_b", type=Path)
    ap.add_argument("--targets", default="", help="only these targets (comma-separated); default: all in either")
    ap.add_argument("--common", action="store_true", help="only the (target, case, protocol) rows both runs have")
    args = ap.parse_args(argv)
    runs = []
    for run in (args.run_a, args.run_b):
        rows = load_rows(run / "data" / "conformance.jsonl")
        if not rows:
            print(f"compare_runs: no conformance rows in {run}/data (conformance.jsonl or .jsonl.gz)", file=sys.stderr)
            return 2
        runs.append(rows)
    wanted = set(filter(None, args.targets.split(",")))
    if wanted:
        runs = [[r for r in rows if r["target"] in wanted] for rows in runs]
    if args.common:
        shared = set(outcomes(runs[0])) & set(outcomes(runs[1]))
        runs = [[r for r in rows if (r["target"], r["case"], int(r.get("resp") or 0)) in shared] for rows in runs]
    a, b = (outcomes(rows) for rows in runs)
    sa, sb = (scores(rows) for rows in runs)
    moved = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    print(f"{'target':<14} {'rows':>6} {'moved':>6}   strict A / B        semantic A / B")
    for target in sorted(sa.keys() | sb.keys()):
        n = sum(1 for k in a.keys() | b.keys() if k[0] == target)
        m = sum(1 for k in moved if k[0] == target)
        (stA, seA), (stB, seB) = sa.get(target, ("-", "-")), sb.get(target, ("-", "-"))
        flag = "" if (stA, seA) == (stB, seB) else "   <- score moved"
        print(f"{target:<14} {n:>6} {m:>6}   {stA:>7} / {stB:<7}   {seA:>7} / {seB:<7}{flag}")
    for target, case, resp in moved:
        print(f"  {target} resp{resp} {case}: {a.get((target, case, resp), 'absent')} -> "
              f"{b.get((target, case, resp), 'absent')}")
    same = not moved and sa == sb
    print(f"{len(a.keys() | b.keys()):,} rows compared, {len(moved)} moved; scores "
          f"{'identical' if sa == sb else 'differ'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
