"""`forkdiff run` (the main job) and `forkdiff report` (re-render the published files from stored data)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tabulate import tabulate

from .summarize import pct

DEFAULT_OUT = "results"
FULL_BUDGET, QUICK_BUDGET = 300, 30


def _budget(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the budget cannot be negative")
    return value


def print_summary(data: dict) -> None:
    rows = []
    for t in data["targets"]:
        o = t.get("overall")
        if o is None:
            reason = (t.get("reason") or "").splitlines()
            rows.append([t["spec"], t.get("version") or "–", f"{t['status']}: {reason[0] if reason else ''}"[:70],
                         "–", "–", "–"])
        else:
            rows.append([t["spec"], t["version"], t["status"], pct(o["strict"]), pct(o["semantic"]),
                         t["fuzz_divergences"]])
    print(tabulate(rows, headers=["target", "version", "status", "strict", "semantic", "fuzz divergences"]))


def cmd_run(args: argparse.Namespace) -> int:
    from adapters import TargetUnavailable, make_target
    from adapters.cli import apply_bin_options
    from .run import default_targets, run
    if not apply_bin_options(args, "forkdiff run"):
        return 2
    targets = [t.strip() for t in args.targets.split(",") if t.strip()] if args.targets else default_targets()
    for spec in targets:  # a typo is an error now, not a 'not run' row at the end
        try:
            make_target(spec)
        except TargetUnavailable as exc:
            if "unknown target spec" in str(exc):
                print(f"forkdiff run: {exc}", file=sys.stderr)
                return 2
    budget = args.budget if args.budget is not None else (QUICK_BUDGET if args.quick else FULL_BUDGET)
    data = run(targets, Path(args.out), budget, args.quick)
    print_summary(data)
    print(f"\nwrote {args.out}/COMPATIBILITY.md, DIVERGENCES.md, compat.json, index.html")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .run import publish
    out = Path(args.out)
    if not (out / "data" / "targets.json").exists():
        print(f"forkdiff report: no stored run in {out}/data (run `forkdiff run` first)", file=sys.stderr)
        return 2
    previous = json.loads((out / "compat.json").read_text()).get("run", {}) if (out / "compat.json").exists() else {}
    print_summary(publish(out, previous))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from adapters.cli import add_bin_option
    p = sub.add_parser("run", help="conformance + fuzz on every available target; publish the table")
    p.add_argument("--targets", help="comma-separated target specs (default: every known target)")
    p.add_argument("--budget", type=_budget, help=f"fuzz seconds (default {FULL_BUDGET}; {QUICK_BUDGET} with --quick)")
    p.add_argument("--out", default=DEFAULT_OUT, help="where the published files go (default: results)")
    p.add_argument("--quick", action="store_true", help="a few minutes: RESP2 conformance and a short fuzz")
    add_bin_option(p)
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("report", help="re-render the published files from a stored run")
    p.add_argument("--out", default=DEFAULT_OUT)
    p.set_defaults(func=cmd_report)
