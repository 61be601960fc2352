"""`forkdiff fuzz`: a differential fuzzing campaign across targets, or (--protocol) a malformed-frame round.

    forkdiff fuzz --targets reference,redis@8.2,valkey@9.1 --reference redis@8.2,valkey@9.1 --budget 300
    forkdiff fuzz --targets redis@6.2,redis@8.2 --groups hash,zsets --resp 3 --out fuzz-out --shard 1/4

Resuming: Hypothesis's example database lives in OUT/hypothesis and the catalogue in OUT/divergences.jsonl; run
again with the same OUT and already-found divergences are counted, not re-reported. To share one database between
machines or shards, pass ``--database redis://HOST:PORT`` (Hypothesis's RedisExampleDatabase; needs redis-py).

After a change to the comparison rules, bring a stored catalogue up to date without a new campaign:

    forkdiff fuzz reclassify --out fuzz-out [--dry-run]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from .options import parse_groups, parse_list, parse_resp, parse_shard, parse_weights

DEFAULT_OUT = "fuzz-out"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("fuzz", help="differential fuzzing of targets against references",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--targets", type=parse_list, metavar="A,B[,C…]",
                   help="targets to run every program on (see `forkdiff targets`); required for a campaign")
    p.add_argument("--reference", type=parse_list, default=None, metavar="X[,Y]",
                   help="the references (default redis@8.2 when among the targets, else the first target)")
    p.add_argument("--budget", type=float, default=60.0, metavar="SECONDS", help="wall time (default 60)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resp", type=parse_resp, default=(2, 3), metavar="2|3", help="protocol (default both)")
    p.add_argument("--groups", type=parse_groups, default=None, metavar="G,…",
                   help="command groups (default: the nine core groups; 'all' for every group)")
    p.add_argument("--weights", type=parse_weights, default={}, metavar="G=N,…", help="group weights (default 10)")
    p.add_argument("--common", action="store_true", help="fuzz only commands every target implements")
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output directory (default {DEFAULT_OUT})")
    p.add_argument("--shard", type=parse_shard, default=(1, 1), metavar="I/N", help="this is shard I of N")
    p.add_argument("--invalid-rate", type=float, default=0.05, help="share of deliberately invalid commands")
    p.add_argument("--max-steps", type=int, default=60, help="most items in one program (default 60)")
    p.add_argument("--min-steps", type=int, default=20, help="fewest items in one program (default 20)")
    p.add_argument("--batch", type=int, default=32,
                   help="programs per Hypothesis example, each run in every --resp protocol (default 32)")
    p.add_argument("--reruns", type=int, default=5, help="re-runs of each new divergence (still_reproduces)")
    p.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for one reply")
    p.add_argument("--max-restarts", type=int, default=5, metavar="N",
                   help="restarts of a crashed or hung target before it is quarantined (default 5)")
    p.add_argument("--known", default=None, metavar="TOML", help="curated known divergences")
    p.add_argument("--markdown", default=None, metavar="PATH", help="render the catalogue (default OUT/DIVERGENCES.md)")
    p.add_argument("--database", default=None, metavar="redis://HOST:PORT", help="shared Hypothesis database")
    p.add_argument("--protocol", action="store_true", help="send malformed RESP frames instead of programs")
    p.add_argument("--lanes", type=int, default=2, metavar="N",
                   help="instances of every target sharing each batch, so blocking waits overlap (default 2; "
                        "tcp:// endpoints get 1)")
    p.add_argument("--in-process", action="store_true",
                   help="run the reference server in this process (default: a `forkdiff serve` process of its own)")
    p.add_argument("--quiet", action="store_true", help="no live progress")
    p.add_argument("--pull", action="store_true", help="pull the targets' pinned images first, where a registry is reachable")
    p.set_defaults(func=cmd_fuzz)
    actions = p.add_subparsers(dest="action", metavar="ACTION", title="actions (instead of a campaign)")
    r = actions.add_parser("reclassify", help="re-run the current comparison on a stored catalogue",
                           description=RECLASSIFY_ABOUT, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("--out", required=True, metavar="DIR", help="a campaign's output directory (its divergences.jsonl)")
    r.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    r.add_argument("--reference", type=parse_list, default=None, metavar="X[,Y]",
                   help="references for entries that do not record their own (default: those in OUT/summary.json)")
    r.add_argument("--known", default=None, metavar="TOML", help="curated known divergences, to label changed entries")
    r.add_argument("--markdown", default=None, metavar="PATH", help="render the catalogue (default OUT/DIVERGENCES.md)")
    r.add_argument("--quiet", action="store_true", help="no progress, no per-entry lines")
    r.set_defaults(func=cmd_reclassify)
    from .merge_cli import register_merge
    register_merge(actions)


RECLASSIFY_ABOUT = """\
Re-parse every catalogued entry's stored raw replies and re-run the current comparison and blame rules on them,
without starting a server. Entries that no longer diverge are marked resolved, entries whose class, rule or blamed
target changed are updated, entries that now share a signature are merged (counts summed). The file stays
append-only: each change is one "reclassified" record. Entries lacking what the comparison needs are kept as
recorded, and labelled so. Run it when no campaign is writing to the same OUT; then `forkdiff report` re-renders
results/ from the updated store.

    forkdiff fuzz reclassify --out results/data/fuzz --dry-run
"""


def fail(message: str, code: int = 2, command: str = "forkdiff fuzz") -> int:
    print(f"{command}: {message}", file=sys.stderr)
    return code


def cmd_reclassify(args: argparse.Namespace) -> int:
    from .reclassify_cli import run_reclassify
    return run_reclassify(args)


def cmd_fuzz(args: argparse.Namespace) -> int:
    from adapters import TargetUnavailable
    from .known import KnownFileError, load_known
    from .reference_process import campaign_target
    from .targets import start_targets, stop_targets, unflushable_endpoints
    from forkdiff.outdir import out_dir_problem

    if not args.targets:
        return fail("--targets is required for a campaign (or give an action: forkdiff fuzz reclassify --out DIR)")
    references = args.reference or (["redis@8.2"] if "redis@8.2" in args.targets else args.targets[:1])
    names = list(dict.fromkeys(references + args.targets))
    if args.budget <= 0 or args.timeout <= 0 or not 0 <= args.invalid_rate <= 1 or not 1 <= args.min_steps <= args.max_steps \
            or args.batch < 1 or args.lanes < 1 or args.max_restarts < 0:
        return fail("--budget and --timeout must be positive, --invalid-rate within 0..1, "
                    "1 <= --min-steps <= --max-steps, --batch and --lanes at least 1, --max-restarts at least 0")
    if len(names) < 2:
        return fail("need at least two distinct targets to compare (with --reference)")
    refusals = unflushable_endpoints(names)  # before anything is written or started
    if refusals:
        return fail("refusing to start: " + "; ".join(refusals))
    problem = out_dir_problem(Path(args.out))
    if problem:  # before any server starts
        return fail(problem)
    if args.pull:
        from adapters.pull import pull_pinned
        for line in pull_pinned(names):
            print(f"pull: {line}", file=sys.stderr)
    try:
        known = load_known(args.known)
    except KnownFileError as exc:
        return fail(str(exc))
    targets: dict[str, Any] = {}
    lanes: list[dict[str, Any]] = []
    factory = lambda name: campaign_target(name, args.in_process)  # noqa: E731
    try:
        targets = start_targets(names, factory=factory)
        if args.protocol:
            return _protocol(targets, references, args)
        # an endpoint is one server whatever we do: a second "instance" would share its keyspace
        extra = 0 if any(n.startswith("tcp://") for n in names) else args.lanes - 1
        for _ in range(extra):
            lanes.append(start_targets(names, factory=factory))
        return _campaign(targets, references, known, args, lanes)
    except TargetUnavailable as exc:
        return fail(f"target unavailable: {exc}", 1)
    except KeyboardInterrupt:
        print("\nforkdiff fuzz: interrupted; targets stopped, results kept", file=sys.stderr)
        return 130
    finally:
        for lane in [targets, *lanes]:
            stop_targets(lane)


def _campaign(targets: dict, references: list[str], known: list, args: argparse.Namespace,
              lanes: list[dict] = ()) -> int:
    from hypothesis.errors import InvalidArgument

    from .campaign import Campaign, Options
    from .catalogue import Catalogue
    from .encoding import program_batches
    from .paths import Coverage
    from .programs import build_catalog
    from .render import write_markdown
    from .run import Runner
    from .targets import fuzz_commands, versions
    from forkdiff.spec import load_spec

    spec = load_spec()
    catalog = build_catalog(fuzz_commands(targets, references, args.common, spec), args.groups, args.weights, spec)
    if not len(catalog):
        from .programs import normalise_group
        from .skips import unfuzzable_groups
        why = unfuzzable_groups(spec, {normalise_group(g) for g in args.groups or ()})
        listed = "".join(f"\n  {group}: {reason}" for group, reason in sorted(why.items()))
        return fail("no command to fuzz: the chosen groups have no command that the targets implement" + listed)
    index, count = args.shard
    out = Path(args.out)
    try:
        database = _database(args.database, out)
        paths: dict = {}
        strategy = program_batches(catalog, spec=spec, invalid_rate=args.invalid_rate, resp=args.resp,
                                   max_steps=args.max_steps, min_steps=args.min_steps, batch=args.batch,
                                   seed=args.seed + (index - 1) * 1_000_003, paths=paths)
    except (ValueError, InvalidArgument, ImportError) as exc:
        return fail(str(exc))
    catalogue = Catalogue(out)
    progress = Progress(enabled=not args.quiet)
    runner = Runner(targets, timeout=args.timeout, spec=spec, lanes=lanes, max_restarts=args.max_restarts)
    campaign = Campaign(runner, references, strategy, catalogue, spec,
                        Options(budget_s=args.budget, reruns=args.reruns,
                                database=database), known, progress.update, versions(targets))
    campaign.coverage = Coverage(spec, catalog.commands, paths)
    runner.on_batch = lambda: progress.update(campaign)  # also while shrinking and re-running a divergence
    interrupted = False
    try:
        campaign.run()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        catalogue.close()
        progress.done(campaign)
        summary = _summary(campaign, catalog, args, targets)
        name = "summary.json" if count == 1 else f"summary.shard-{index}-of-{count}.json"
        (out / name).write_text(json.dumps(summary, indent=2) + "\n")
        active = catalogue.active()
        write_markdown(args.markdown or out / "DIVERGENCES.md", active, known, len(catalogue.entries) - len(active))
    print(closing_report(summary, out / name, catalogue.path, Path(args.markdown or out / "DIVERGENCES.md"),
                         database))
    if interrupted:
        raise KeyboardInterrupt
    return 0


def closing_report(summary: dict, summary_path: Path, catalogue_path: Path, markdown_path: Path,
                   database: Any) -> str:
    """What the campaign did and where each output went, for a person reading the terminal."""
    lines = [f"forkdiff fuzz: {summary['programs']:,} programs, {summary['commands_executed']:,} compared commands "
             f"in {summary['elapsed_s']:.0f} s ({summary['commands_per_second']:,.0f}/s); "
             f"{summary['divergences']} divergences, {summary['new_divergences']} new",
             f"  summary (counts, restarts, coverage): {summary_path}",
             f"  divergences, each with its program and raw replies: {catalogue_path}",
             f"  the same as a readable list with repros: {markdown_path}"]
    where = getattr(database, "path", None)
    if where:
        lines.append(f"  Hypothesis examples (replayed first when resumed): {where}")
    for name, reason in summary.get("quarantined", {}).items():
        lines.append(f"  quarantined {name}: {reason}")
    for name, commands in summary.get("pipeline_stalls", {}).items():
        lines.append(f"  {name} left a pipeline unanswered after {', '.join(c.upper() for c in commands)}: "
                     "what follows those commands was then sent once they had answered")
    return "\n".join(lines)


def _database(url: str | None, out: Path) -> Any:
    from .campaign import directory_database
    if not url:
        return directory_database(out)
    if not url.startswith("redis://"):
        raise ValueError(f"--database must be a redis:// URL, not {url!r}")
    import redis
    from hypothesis.extra.redis import RedisExampleDatabase
    return RedisExampleDatabase(redis.Redis.from_url(url))


def _summary(campaign: Any, catalog: Any, args: argparse.Namespace, targets: dict) -> dict:
    from .targets import versions
    runner = campaign.runner
    elapsed = max(1e-9, time.monotonic() - campaign.started) if campaign.started else 0.0
    return {"programs": runner.programs, "commands_executed": runner.commands,
            "commands_per_second": round(runner.commands / elapsed, 1) if elapsed else 0.0,
            "elapsed_s": round(elapsed, 2), "divergences": len(campaign.catalogue.active()),
            "new_divergences": campaign.new_divergences, "targets": versions(targets),
            "references": list(campaign.references), "restarts": runner.restarts, "seed": args.seed,
            "shard": "%d/%d" % args.shard, "resp": list(args.resp), "budget_s": args.budget,
            "groups": {g: len(v) for g, v in catalog.commands.items()},
            "quarantined": dict(runner.quarantined),
            "pipeline_stalls": {name: sorted(names) for name, names in runner.stalled.items()},
            "stopped_early": campaign.stopped_because,
            "argument_paths": campaign.coverage.report() if campaign.coverage is not None else {}}


class Progress:
    """Live progress on stderr: at most a few updates a second, one line rewritten in place on a terminal."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def line(self, c: Any) -> str:
        elapsed = max(1e-9, time.monotonic() - c.started)
        r = c.runner
        restarts = sum(r.restarts.values())
        trouble = f"  restarts {restarts}" if restarts else ""
        if r.quarantined:
            trouble += f"  quarantined {','.join(r.quarantined)}"
        return (f"[fuzz {elapsed:6.1f}s] programs {r.programs}  commands {r.commands} "
                f"({r.commands / elapsed:,.0f}/s)  divergences {len(c.catalogue.active())} (new {c.new_divergences})"
                + trouble)

    def update(self, c: Any) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < (0.5 if self.tty else 5.0):
            return
        self.last = now
        print(("\r" if self.tty else "") + self.line(c), end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def done(self, c: Any) -> None:
        if self.enabled and c.started:
            print(("\r" if self.tty else "") + self.line(c), file=sys.stderr, flush=True)


def _protocol(targets: dict, references: list[str], args: argparse.Namespace) -> int:
    from .protocol_mode import run_protocol_mode
    report = run_protocol_mode(targets, references[0], timeout=min(args.timeout, 1.0))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "protocol.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({"frames": report["frames"], "differences": len(report["differences"])}))
    print(f"wrote {out / 'protocol.json'}", file=sys.stderr)
    for d in report["differences"]:
        print(f"  {d['frame']!r}: {d['target']} {d['got']} vs {d['expected']}", file=sys.stderr)
    return 0

