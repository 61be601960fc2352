"""`forkdiff fuzz reclassify`: bring a stored catalogue up to date with the current comparison rules (fuzz.reclassify).

Prints one line per entry that changed, then the summary; progress goes to stderr while a large file is re-checked.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable

from forkdiff.spec import load_spec

from .catalogue import FILE, Catalogue, fold, read_records
from .cli import fail
from .known import KnownFileError, load_known
from .reclassify import Plan, plan
from .render import write_markdown


def run_reclassify(args: argparse.Namespace) -> int:
    command = "forkdiff fuzz reclassify"
    out = Path(args.out)
    path = out / FILE
    if not path.is_file():
        return fail(f"no catalogue in {out} (a campaign's --out directory holds {FILE})", command=command)
    try:
        known = load_known(args.known)
        references = args.reference or _summary_references(out)
    except (KnownFileError, ValueError) as exc:
        return fail(str(exc), command=command)
    ticker = Ticker(enabled=not args.quiet)
    reading = ticker.updater(lambda done, total: f"read {done / 1e6:.1f} of {total / 1e6:.1f} MB")
    catalogue = None if args.dry_run else Catalogue(out, reading)
    skipped: list[int] = []
    if catalogue is None:
        entries = fold(read_records(path, skipped, reading))
    else:
        entries, skipped = catalogue.entries, catalogue.skipped
    result = plan(list(entries.values()), load_spec(), references, known,
                  ticker.updater(lambda done, total: f"re-checked {done} of {total} entries"))
    ticker.done()
    print(f"{command}: {len(entries)} entries in {path}" + (
        f"; {len(skipped)} line(s) cut short skipped ({', '.join(map(str, skipped[:5]))})" if skipped else ""))
    if not args.quiet:
        for line in _outcome_lines(result):
            print(line)
    reopened = len(result.reopened())
    print(f"kept {result.count('kept')}, changed {result.count('changed')}, resolved {result.count('resolved')}, "
          f"merged {result.count('merged')}, kept as recorded {result.count('as_recorded')}"
          + (f", reopened {reopened}" if reopened else "")
          + (f" ({result.untouched} merged earlier, not re-checked)" if result.untouched else ""))
    if catalogue is None:
        print(f"dry run: nothing written ({len(result.records)} record(s) would be appended)")
        return 0
    written = catalogue.amend(result.records)
    catalogue.close()
    active = catalogue.active()
    markdown = Path(args.markdown) if args.markdown else out / "DIVERGENCES.md"
    write_markdown(markdown, active, known, len(catalogue.entries) - len(active))
    print(f"appended {written} record(s) to {path}; wrote {markdown}")
    return 0


def _summary_references(out: Path) -> list[str]:
    """The references of the campaign that wrote OUT (entries filed before they recorded their own)."""
    for summary in [out / "summary.json", *sorted(out.glob("summary.shard-*.json"))]:
        if summary.is_file():
            try:
                refs = json.loads(summary.read_text()).get("references")
            except (json.JSONDecodeError, AttributeError) as exc:
                raise ValueError(f"{summary} is not a campaign summary: {exc}") from None
            if refs:
                return list(refs)
    return []


LISTED = 50  # per outcome: past this many, a count


def _outcome_lines(result: Plan) -> list[str]:
    lines = []
    for status, about in (("changed", lambda o: f"{o.entry.get('signature')}  ->  {o.finding.signature}"),
                          ("resolved", lambda o: f"{o.entry.get('signature')}: {o.reason}"),
                          ("merged", lambda o: f"{o.entry.get('signature')}  into {o.merged_into}"),
                          ("as_recorded", lambda o: f"{o.entry.get('signature')}: {o.reason}")):
        chosen = [o for o in result.outcomes if o.status == status]
        lines += [f"  {status:<11} {o.id}  {about(o)}" for o in chosen[:LISTED]]
        if len(chosen) > LISTED:
            lines.append(f"  {status:<11} … and {len(chosen) - LISTED} more")
    return lines


class Ticker:
    """Progress on stderr, like the campaign's: nothing for a quick job, then a few updates a second at most (one
    line rewritten in place on a terminal, one line every few seconds in a log)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.last = time.monotonic()
        self.shown = False

    def updater(self, describe: Callable[[int, int], str]) -> Callable[[int, int], None]:
        def update(done: int, total: int) -> None:
            now = time.monotonic()
            if not self.enabled or now - self.last < (0.5 if self.tty else 5.0):
                return
            self.last, self.shown = now, True
            text = f"[reclassify] {describe(done, total)}"
            print(("\r" if self.tty else "") + text.ljust(60), end="" if self.tty else "\n", file=sys.stderr,
                  flush=True)
        return update

    def done(self) -> None:
        if self.shown and self.tty:
            print(file=sys.stderr, flush=True)
