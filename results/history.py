"""Every published run kept, and what changed since the previous one.

`publish` appends one line per run to OUT/history.jsonl (date, code revision, per target: version, scores, cases and
divergence counts) and keeps the divergences of the latest run in OUT/data/divergence-ids.json, one id per failing
conformance case (both protocols folded) or fuzz signature blamed on the target. The next run compares its own with
those: new and resolved divergences go to OUT/data/changes.json and into COMPATIBILITY.md. Re-rendering a stored
run (`forkdiff report`) reads them back and records nothing.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from .divergences import blamed, reproduces
from .summarize import TargetResult

HISTORY = "history.jsonl"
IDS = "data/divergence-ids.json"
CHANGES = "data/changes.json"
LISTED = 25  # new or resolved divergences named per target; the rest are counted


def code_revision() -> str:
    """The commit the code under test came from: CI's variable, else the checkout's HEAD, else "unknown"."""
    for name in ("FORKDIFF_REVISION", "GITHUB_SHA"):
        if os.environ.get(name):
            return os.environ[name][:12]
    try:
        proc = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return proc.stdout.strip() if proc.returncode == 0 else "unknown"


def divergence_ids(results: dict[str, TargetResult], fuzz: list[dict]) -> dict[str, list[str]]:
    ids: dict[str, set[str]] = {}
    for spec, result in results.items():
        ids[spec] = {f"case {row['command']} {row['case']}" for c in result.commands.values() for row in c.failures}
    for entry in fuzz:
        if reproduces(entry):
            ids.setdefault(blamed(entry), set()).add(f"fuzz {entry['signature']}")
    return {spec: sorted(found) for spec, found in ids.items()}


def run_record(data: dict[str, Any], ids: dict[str, list[str]], changes: dict[str, Any]) -> dict[str, Any]:
    """The history line of one run: small enough to append every night for years."""
    targets = {}
    for t in data["targets"]:
        o = t.get("overall")
        entry: dict[str, Any] = {"version": t.get("version", ""), "status": t["status"]}
        if o is not None:
            found = ids.get(t["spec"], [])
            entry.update(strict=o["strict"], semantic=o["semantic"], cases=t.get("cases", {}),
                         divergent_cases=sum(1 for i in found if i.startswith("case ")),
                         fuzz_divergences=t.get("fuzz_divergences", 0))
            delta = changes["targets"].get(t["spec"])
            if delta is not None:
                entry.update(new=len(delta["new"]), resolved=len(delta["resolved"]))
        targets[t["spec"]] = entry
    run = data["run"]
    return {"date": run.get("date"), "revision": run.get("revision", "unknown"), "quick": run.get("quick", False),
            "targets": targets}


def compare(previous: dict[str, list[str]], current: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """New and resolved divergences of every target that the previous run measured too."""
    return {spec: {"new": sorted(set(found) - set(previous[spec])), "resolved": sorted(set(previous[spec]) - set(found))}
            for spec, found in current.items() if spec in previous}


def record_run(out: Path, data: dict[str, Any], ids: dict[str, list[str]]) -> dict[str, Any]:
    """Append this run to the history and store what changed since the previous one; the changes."""
    previous = _read_json(out / IDS, {"date": None, "targets": {}})
    changes = {"date": data["run"].get("date"), "previous": previous["date"],
               "targets": compare(previous["targets"], ids)}
    with open(out / HISTORY, "a") as f:
        f.write(json.dumps(run_record(data, ids, changes), separators=(",", ":")) + "\n")
    (out / IDS).write_text(json.dumps({"date": changes["date"], "targets": ids}, indent=0) + "\n")
    (out / CHANGES).write_text(json.dumps(changes, indent=1) + "\n")
    return changes


def stored_changes(out: Path) -> dict[str, Any] | None:
    return _read_json(out / CHANGES, None)


def load_history(out: Path) -> list[dict[str, Any]]:
    path = out / HISTORY
    if not path.exists():
        return []
    runs = []
    for line in path.read_text().splitlines():
        try:
            runs.append(json.loads(line))
        except ValueError:
            continue  # a line cut by a kill
    return runs


def _read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return default


def changes_markdown(changes: dict[str, Any] | None) -> str:
    """The "since the previous run" section of COMPATIBILITY.md."""
    if not changes or not changes.get("previous"):
        return "## Since the previous run\n\nThe first recorded run: nothing to compare with yet.\n"
    lines = ["## Since the previous run\n", f"Compared with the run of {changes['previous']}.\n"]
    for spec, delta in changes["targets"].items():
        if not delta["new"] and not delta["resolved"]:
            lines.append(f"- **{spec}**: no change")
            continue
        lines.append(f"- **{spec}**: {len(delta['new'])} new, {len(delta['resolved'])} resolved")
        lines += [f"  - new: {_named(delta['new'])}"] if delta["new"] else []
        lines += [f"  - resolved: {_named(delta['resolved'])}"] if delta["resolved"] else []
    return "\n".join(lines) + "\n"


def _named(ids: list[str]) -> str:
    shown = ", ".join(f"`{i}`" for i in ids[:LISTED])
    return shown + (f" and {len(ids) - LISTED} more (data/changes.json)" if len(ids) > LISTED else "")


def with_changes(markdown: str, changes: dict[str, Any] | None) -> str:
    """COMPATIBILITY.md with the section inserted before the group table (at the end if that moved)."""
    section = changes_markdown(changes)
    anchor = "## By command group"
    if anchor in markdown:
        return markdown.replace(anchor, section + "\n" + anchor, 1)
    return markdown.rstrip("\n") + "\n\n" + section
