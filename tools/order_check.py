"""Run the conformance suite on one target in several case orders and show every case whose outcome changed.

    python tools/order_check.py --target keydb [--resp 2] [--orders normal,reverse,shuffle:7] [--out DIR]
                                [-- extra pytest arguments, e.g. conformance/test_string.py]

A case's outcome must depend only on the behaviour it tests, so the same code on the same server gives the same
outcome per case in any order; a case that passes in one order and fails in another leans on what an earlier case
left behind. Exit status 1 when any outcome differs.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_in_order(target: str, order: str, resps: list[str], rows: Path, extra: list[str]) -> None:
    rows.unlink(missing_ok=True)
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=no", "--no-header",
            "--report-only", target, "--order", order, "--results-json", str(rows),
            *(a for r in resps for a in ("--resp", r)), *(extra or ["conformance"])]
    started = time.monotonic()
    subprocess.run(args, cwd=ROOT, stdout=subprocess.DEVNULL)
    print(f"  {order:<12} {len(rows.read_text().splitlines()) if rows.exists() else 0:>6} rows "
          f"in {time.monotonic() - started:.0f} s", flush=True)


def outcomes(rows: Path) -> dict[tuple[str, int, str], str]:
    out = {}
    for line in rows.read_text().splitlines():
        r = json.loads(line)
        out[(r["case"], r["resp"], r["command"])] = r["outcome"]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", required=True)
    ap.add_argument("--resp", action="append", default=[], choices=["2", "3"])
    ap.add_argument("--orders", default="normal,reverse,shuffle:7")
    ap.add_argument("--out", default="out/order-check")
    ap.add_argument("extra", nargs="*", help="pytest arguments after --, e.g. a test file")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    orders = args.orders.split(",")
    print(f"conformance on {args.target} in {len(orders)} orders", flush=True)
    runs = {}
    for order in orders:
        rows = out / f"{order.replace(':', '-')}.jsonl"
        run_in_order(args.target, order, args.resp or ["2"], rows, args.extra)
        runs[order] = outcomes(rows)
    first, *others = orders
    differing = sorted(k for o in others for k in runs[first].keys() | runs[o].keys()
                       if runs[first].get(k) != runs[o].get(k))
    for case, resp, command in dict.fromkeys(differing):
        shown = ", ".join(f"{o}: {runs[o].get((case, resp, command), 'absent')}" for o in orders)
        print(f"  differs  {case} (RESP{resp}, {command}): {shown}")
    counts = ", ".join(f"{o} {sum(v == 'passed' for v in runs[o].values())}/{len(runs[o])} passed" for o in orders)
    print(f"{len(dict.fromkeys(differing))} cases differ between orders ({counts}); rows in {out}/")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
