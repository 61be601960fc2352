"""`forkdiff run` (the main job) and `forkdiff report` (re-render the published files from stored data)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tabulate import tabulate

from .summarize import pct

# In the current directory, never the repository's tracked results/ (publishing those is `--out results`).
DEFAULT_OUT = "forkdiff-results"
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
    """The table, then the full reason of each target that did not run (never cut: it is the useful half)."""
    rows, reasons = [], []
    for t in data["targets"]:
        o = t.get("overall")
        if o is None and t["status"] == "ok":
            rows.append([t["spec"], t.get("version") or "–", "ok, no case ran", "–", "–", t["fuzz_divergences"]])
        elif o is None:
            reasons.append(f"  ({len(reasons) + 1}) {t['spec']}: {' '.join((t.get('reason') or 'no reason recorded').split())}")
            rows.append([t["spec"], t.get("version") or "–", f"{t['status']} ({len(reasons)})", "–", "–", "–"])
        else:
            rows.append([t["spec"], t["version"], t["status"], pct(o["strict"]), pct(o["semantic"]),
                         t["fuzz_divergences"]])
    print(tabulate(rows, headers=["target", "version", "status", "strict", "semantic", "fuzz divergences"]))
    if reasons:
        print("\n" + "\n".join(reasons))


def print_written(out: Path) -> None:
    print(f"\nwrote {out}/: COMPATIBILITY.md (the table), DIVERGENCES.md (the catalogue), compat.json (the figures), "
          f"index.html (the page); the stored run is in {out}/data/")


def cmd_run(args: argparse.Namespace) -> int:
    from adapters import TargetUnavailable, make_target
    from adapters.cli import apply_bin_options
    from forkdiff.outdir import out_dir_problem
    from .run import DeadTargets, default_targets, run, say
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
    out = Path(args.out)
    problem = out_dir_problem(out)
    if problem:
        print(f"forkdiff run: {problem}", file=sys.stderr)
        return 2
    if args.pull:
        from adapters.pull import pull_pinned
        for line in pull_pinned(targets):
            say(f"pull: {line}")
    budget = args.budget if args.budget is not None else (QUICK_BUDGET if args.quick else FULL_BUDGET)
    try:
        data = run(targets, out, budget, args.quick, required=bool(args.targets))
    except DeadTargets as exc:
        print(f"forkdiff run: {exc}; nothing run or published (leave it out of --targets to run the others)",
              file=sys.stderr)
        return 1
    print_summary(data)
    print_written(out)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from forkdiff.outdir import out_dir_problem
    from .run import publish
    out = Path(args.out)
    if args.gather:
        from .gather import GatherError, gather_runs
        problem = out_dir_problem(out)
        if problem:
            print(f"forkdiff report: {problem}", file=sys.stderr)
            return 2
        try:
            specs = gather_runs([Path(d) for d in args.gather], out)
        except GatherError as exc:
            print(f"forkdiff report: {exc}", file=sys.stderr)
            return 2
        print(f"gathered {len(specs)} targets into {out}/data: {', '.join(specs)}", file=sys.stderr)
    if not (out / "data" / "targets.json").exists():
        print(f"forkdiff report: no stored run in {out}/data (run `forkdiff run --out {out}` first)", file=sys.stderr)
        return 2
    print_summary(publish(out, _run_info(out, args), record=args.record))
    print_written(out)
    if args.record:
        print(f"recorded the run in {out}/history.jsonl")
    return 0


def _run_info(out: Path, args: argparse.Namespace) -> dict:
    """A re-render keeps the stored run's description; a gathered run describes itself."""
    from .history import code_revision
    if not args.gather:
        compat = out / "compat.json"
        return json.loads(compat.read_text()).get("run", {}) if compat.exists() else {}
    summary = out / "data" / "fuzz" / "summary.json"
    budget = json.loads(summary.read_text()).get("budget_s", 0) if summary.exists() else 0
    return {"quick": False, "fuzz_budget": budget, "resp": [2, 3], "gathered": len(args.gather),
            "revision": code_revision()}


def register(sub: argparse._SubParsersAction) -> None:
    from adapters.cli import add_bin_option
    p = sub.add_parser("run", help="conformance + fuzz on every available target; publish the table")
    p.add_argument("--targets", help="comma-separated target specs (default: every known target)")
    p.add_argument("--budget", type=_budget, help=f"fuzz seconds (default {FULL_BUDGET}; {QUICK_BUDGET} with --quick)")
    p.add_argument("--out", default=DEFAULT_OUT,
                   help=f"where the published files go (default: ./{DEFAULT_OUT}; the repository's table: results)")
    p.add_argument("--quick", action="store_true", help="a few minutes: RESP2 conformance and a short fuzz")
    add_bin_option(p)
    p.add_argument("--pull", action="store_true",
                   help="pull the pinned images of the chosen targets first, where a registry is reachable")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("report", help="re-render the published files from a stored run")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"a stored run (default: ./{DEFAULT_OUT})")
    p.add_argument("--gather", nargs="+", metavar="RUN_DIR",
                   help="first gather the stored runs of these directories (one target each) into OUT/data")
    p.add_argument("--record", action="store_true",
                   help="append the run to OUT/history.jsonl and compare it with the previous one (as `run` does)")
    p.set_defaults(func=cmd_report)
