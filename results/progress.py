"""Live progress of the conformance stage of `forkdiff run`, read from the rows the pytest child appends.

The child loads this module as a pytest plugin (`-p results.progress`): once collection is done it writes how many
cases each target will run to the file named by FORKDIFF_CASE_COUNTS. The parent reads that file and the rows file,
so neither process slows the other down and a killed child loses nothing of what was shown.
"""
from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

COUNTS_ENV = "FORKDIFF_CASE_COUNTS"
RUN_OUTCOMES = ("passed", "failed", "divergent")


def pytest_collection_finish(session) -> None:  # the child's side
    path = os.environ.get(COUNTS_ENV)
    if not path:
        return
    specs = (getattr(getattr(item, "callspec", None), "params", {}).get("target_spec") for item in session.items)
    counts = Counter(spec for spec in specs if isinstance(spec, str))  # an empty parametrization holds NOTSET
    Path(path).write_text(json.dumps(counts))


@dataclass
class TargetTally:
    done: int = 0
    passed: int = 0
    run: int = 0
    skipped: int = 0

    def add(self, outcome: str) -> None:
        self.done += 1
        self.passed += outcome == "passed"
        self.run += outcome in RUN_OUTCOMES
        self.skipped += outcome == "skipped"

    @property
    def score(self) -> str:
        return f"{100 * self.passed / self.run:.1f}%" if self.run else "–"


@dataclass
class RowsReader:
    """Tallies per target from the rows file, reading only what was appended since the last call."""
    path: Path
    tallies: dict[str, TargetTally] = field(default_factory=dict)
    offset: int = 0
    last_target: str = ""

    def read(self) -> None:
        if not self.path.exists():
            return
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            chunk = f.read()
        complete = chunk[:chunk.rfind(b"\n") + 1]  # a row being written is read next time
        self.offset += len(complete)
        for line in complete.splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            self.tallies.setdefault(row["target"], TargetTally()).add(row["outcome"])
            self.last_target = row["target"]


class ConformanceProgress:
    """One status line (rewritten in place on a terminal, every 30 s in a log) and one line per target at the end."""

    def __init__(self, rows: Path, counts: Path, specs: list[str]) -> None:
        self.reader = RowsReader(rows)
        self.counts_path = counts
        self.specs = specs
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.last_shown = 0.0

    def totals(self) -> dict[str, int]:
        try:
            return json.loads(self.counts_path.read_text())
        except (OSError, ValueError):
            return {}

    def status_line(self) -> str:
        totals = self.totals()
        tallies = self.reader.tallies
        done = sum(t.done for spec, t in tallies.items() if spec in totals or not totals)  # only the targets run
        line = f"  [{_clock(time.monotonic() - self.started)}] {done:,}/{_count(sum(totals.values()))} cases"
        now = self.reader.last_target
        if now:
            t = tallies[now]
            line += f"; {now}: {t.done:,}/{_count(totals.get(now, 0))}, {t.score} passed so far"
        return line if totals or done else line + " (collecting)"

    def poll(self) -> None:
        self.reader.read()
        now = time.monotonic()
        if now - self.last_shown < (1.0 if self.tty else 30.0):
            return
        self.last_shown = now
        _show(self.status_line(), self.tty)

    def finish(self) -> None:
        self.reader.read()
        if self.tty:
            print("\r\033[K", end="", file=sys.stderr)
        totals = self.totals()
        for spec in self.specs:
            t = self.reader.tallies.get(spec, TargetTally())
            print(f"  {spec:<22} {t.done:,}/{totals.get(spec, 0):,} cases: {t.passed:,} passed, "
                  f"{t.run - t.passed:,} divergent, {t.skipped:,} skipped ({t.score} strict)",
                  file=sys.stderr, flush=True)


def _show(line: str, tty: bool) -> None:
    if tty:
        print("\r\033[K" + line, end="", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def _count(total: int) -> str:
    return f"{total:,}" if total else "?"


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}m{int(seconds) % 60:02d}s"
