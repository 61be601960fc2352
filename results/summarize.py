"""From conformance rows to compatibility figures.

Definitions (written next to every number in COMPATIBILITY.md):
- a case is one conformance test in one protocol version; it is *run* when it passed or failed (skips don't count);
- command score = cases passed / cases run for that command;
- group and overall scores = the mean of command scores, so a command with many cases does not dominate;
- *strict* counts every difference; *semantic* forgives a difference in error text alone (same error code);
- a case marked `timing` (its outcome depends on timing) is run and shown with its reason, but not scored;
- a command is *missing* when the target does not list it in COMMAND LIST (or answers "unknown command"),
  *pass* when every case passed, *partial* when some did, *fail* when none did.
"""
from __future__ import annotations

import gzip
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Iterable

FAILED = ("failed", "divergent")


@dataclass
class CommandResult:
    command: str
    group: str
    run: int = 0
    passed: int = 0
    error_text_only: int = 0
    unknown_command: int = 0
    failures: list[dict] = field(default_factory=list)
    excluded: list[dict] = field(default_factory=list)  # cases marked `timing`: run but not scored

    @property
    def strict(self) -> float:
        return self.passed / self.run if self.run else 0.0

    @property
    def semantic(self) -> float:
        return (self.passed + self.error_text_only) / self.run if self.run else 0.0

    def status(self, listed: bool) -> str:
        if not listed or (self.run and self.unknown_command == self.run):
            return "missing"
        if self.run == 0:
            return "not run"
        if self.passed == self.run:
            return "pass"
        return "partial" if self.passed else "fail"


@dataclass
class TargetResult:
    spec: str
    product: str = ""
    version: str = ""
    commands: dict[str, CommandResult] = field(default_factory=dict)
    by_resp: dict[int, dict[str, CommandResult]] = field(default_factory=dict)
    harness_errors: list[dict] = field(default_factory=list)  # the harness failed: never counted for or against
    needs_missing: dict[str, int] = field(default_factory=dict)  # cases not measurable: a set-up command missing
    left_broken: int = 0  # cases after which the target had to be restarted (counted as failures of those cases)

    def groups(self) -> dict[str, list[CommandResult]]:
        out: dict[str, list[CommandResult]] = defaultdict(list)
        for c in self.commands.values():
            if c.run:
                out[c.group].append(c)
        return dict(sorted(out.items()))

    def score(self, kind: str = "strict", resp: int | None = None) -> float | None:
        pool = self.commands if resp is None else self.by_resp.get(resp, {})
        values = [getattr(c, kind) for c in pool.values() if c.run]
        return mean(values) if values else None

    def group_score(self, group: str, kind: str = "strict") -> float | None:
        values = [getattr(c, kind) for c in self.groups().get(group, [])]
        return mean(values) if values else None


def load_rows(path: Path) -> list[dict]:
    """The rows of a conformance run: PATH, or PATH.gz once the run has finished and packed it."""
    rows: list[dict] = []
    packed = path.with_name(path.name + ".gz")
    if path.exists():
        text = path.read_text()
    elif packed.exists():
        text = gzip.decompress(packed.read_bytes()).decode()
    else:
        return rows
    for line in text.splitlines():
        line = line.strip()
        if line:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a kill: everything before it still counts
    return rows


PROTOCOL_ROW = "resp framing"  # the protocol group's cases are about the wire format, whatever command carries them


def _add(results: dict[str, CommandResult], row: dict) -> None:
    cmd = PROTOCOL_ROW if row.get("group") == "protocol" else row.get("command") or "?"
    c = results.setdefault(cmd, CommandResult(cmd, row.get("group", "")))
    if row.get("timing") and row["outcome"] in ("passed", *FAILED):
        c.excluded.append(row)  # its outcome depends on timing: shown with the reason, not scored
        return
    if row["outcome"] == "passed":
        c.run += 1
        c.passed += 1
    elif row["outcome"] in FAILED:
        c.run += 1
        if row.get("class") == "error-text":
            c.error_text_only += 1
        if "unknown command" in row.get("message", "") or "unknown subcommand" in row.get("message", ""):
            c.unknown_command += 1
        c.failures.append(row)


def _account(t: TargetResult, row: dict) -> None:
    """The rows that are not a case's verdict on the target: harness errors, unmeasurable cases, restarts."""
    if row["outcome"] == "error":
        t.harness_errors.append(row)
    elif row.get("class") == "missing-dependency":
        name = row.get("needs", "?")
        t.needs_missing[name] = t.needs_missing.get(name, 0) + 1
    elif row.get("class") == "left-broken" or "the case left the target" in row.get("message", ""):
        t.left_broken += 1


def summarize(rows: Iterable[dict]) -> dict[str, TargetResult]:
    out: dict[str, TargetResult] = {}
    for row in rows:
        t = out.setdefault(row["target"], TargetResult(row["target"]))
        t.product = row.get("product") or t.product
        t.version = row.get("version") or t.version
        _account(t, row)
        _add(t.commands, row)
        resp = row.get("resp")
        if resp in (2, 3):
            _add(t.by_resp.setdefault(resp, {}), row)
    return out


def pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"
