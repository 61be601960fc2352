"""Cases left out of the scores because their outcome depends on timing: listed per target with the reason, so a
reader sees what was not counted and why (compat.json `targets[].excluded`, index.html, DIVERGENCES.md)."""
from __future__ import annotations

from typing import Any

from .summarize import TargetResult


def excluded_cases(result: TargetResult) -> list[dict[str, Any]]:
    """Each excluded case once (its RESP2 and RESP3 runs folded), with its outcomes and the reason."""
    folded: dict[str, dict[str, Any]] = {}
    for command in result.commands.values():
        for row in command.excluded:
            entry = folded.setdefault(row["case"], {"case": row["case"], "command": row.get("command", ""),
                                                    "reason": row["timing"], "outcomes": {}})
            entry["outcomes"][f"resp{row.get('resp')}"] = row["outcome"]
    return sorted(folded.values(), key=lambda e: e["case"])


def attach(data: dict[str, Any], results: dict[str, TargetResult]) -> None:
    for t in data["targets"]:
        if t["spec"] in results:
            t["excluded"] = excluded_cases(results[t["spec"]])
