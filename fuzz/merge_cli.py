"""The `forkdiff fuzz merge` action: shards' output directories in, one catalogue out."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ABOUT = """\
Merge the output directories of a sharded campaign (`forkdiff fuzz --shard I/N --out DIR_I`, one per shard) into
one catalogue: one entry per signature, the counts of every shard summed, the earliest find's program and replies
kept; the shards' summaries become one summary.json. Then `forkdiff report` publishes it like any campaign's.

    forkdiff fuzz merge --out results/data/fuzz shard-1 shard-2 shard-3
"""


def register_merge(actions: argparse._SubParsersAction) -> None:
    m = actions.add_parser("merge", help="merge the catalogues of a sharded campaign's shards",
                           description=ABOUT, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_argument("shards", nargs="+", metavar="SHARD_DIR", help="a shard's --out directory")
    m.add_argument("--out", required=True, metavar="DIR", help="where the merged catalogue goes")
    m.add_argument("--known", default=None, metavar="TOML", help="curated known divergences, to label entries")
    m.set_defaults(func=cmd_merge)


def fail(message: str) -> int:
    print(f"forkdiff fuzz merge: {message}", file=sys.stderr)
    return 2


def cmd_merge(args: argparse.Namespace) -> int:
    from forkdiff.outdir import out_dir_problem
    from .catalogue import FILE, is_active
    from .known import KnownFileError, load_known
    from .merge import merge_shards
    from .render import write_markdown

    shards, out = [Path(s) for s in args.shards], Path(args.out)
    empty = [str(s) for s in shards if not (s / FILE).is_file()]
    if empty:
        return fail(f"no {FILE} in {', '.join(empty)} (each argument is a shard's --out directory)")
    if any(s.resolve() == out.resolve() for s in shards):
        return fail("--out must be a directory of its own, not one of the shards")
    problem = out_dir_problem(out)
    if problem:
        return fail(problem)
    try:
        known = load_known(args.known)
    except KnownFileError as exc:
        return fail(str(exc))
    entries, summary = merge_shards(shards, out)
    active = [e for e in entries if is_active(e)]
    write_markdown(out / "DIVERGENCES.md", active, known, len(entries) - len(active))
    print(f"merged {len(shards)} shards: {len(entries)} entries ({len(active)} active) from "
          f"{sum(e.get('count', 1) for e in entries):,} finds")
    print(f"wrote {out}/: {FILE}, DIVERGENCES.md" + (", summary.json" if summary else ""))
    return 0
