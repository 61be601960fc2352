"""`forkdiff fuzz merge`: the catalogues of a sharded campaign's shards, as one.

Each shard writes its own OUT (divergences.jsonl, summary.shard-I-of-N.json). Merging folds every shard's records
(re-classifications applied), keeps one entry per signature and status, and sums what the shards counted for it
(times met, re-runs, reproductions), so nothing a shard found is lost and nothing is counted twice. The merged
catalogue is an ordinary one: `forkdiff fuzz reclassify` and `forkdiff report` read it as they read any other.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from .catalogue import FILE, fold, is_active, read_records

SUMMED = ("count", "reruns", "reproduced")


def shard_entries(shard: Path) -> list[dict]:
    return list(fold(read_records(shard / FILE)).values())


def merge_entries(shards: Iterable[list[dict]]) -> list[dict]:
    """One entry per (signature, status): the earliest found keeps its program and replies, counts are summed."""
    merged: dict[tuple[str, str], dict] = {}
    for number, entries in enumerate(shards, 1):
        for entry in entries:
            key = (entry["signature"], entry.get("status", ""))
            kept = merged.get(key)
            if kept is None:
                merged[key] = {**entry, "record": "divergence", "shards": [number]}
                continue
            _fold_into(kept, entry, number)
    return sorted(merged.values(), key=lambda e: (e["first_seen"], e["signature"]))


def _fold_into(kept: dict, entry: dict, shard: int) -> None:
    if entry["first_seen"] < kept["first_seen"]:  # the earliest find's program, replies and id stand for both
        counts = {k: kept.get(k) for k in (*SUMMED, "shards", "last_seen")}
        kept.clear()
        kept.update(entry, record="divergence", **{k: v for k, v in counts.items() if v is not None})
        kept["first_seen"] = entry["first_seen"]
    for field in SUMMED:
        if isinstance(entry.get(field), int) and isinstance(kept.get(field), int):
            kept[field] += entry[field]
    kept["last_seen"] = max(kept["last_seen"], entry["last_seen"])
    kept["shards"].append(shard)
    if kept.get("reruns"):
        kept["reproduce_rate"] = round(kept.get("reproduced", 0) / kept["reruns"], 3)


def merge_summaries(shards: list[Path]) -> dict:
    """The campaign's summary: work summed over the shards, wall time the longest shard's."""
    parts = [json.loads(p.read_text()) for shard in shards for p in sorted(shard.glob("summary*.json"))]
    if not parts:
        return {}
    total = dict(parts[0])
    for key in ("programs", "commands_executed", "new_divergences"):
        total[key] = sum(p.get(key, 0) for p in parts)
    total["restarts"] = _sum_by_key(p.get("restarts") or {} for p in parts)  # per target
    total["elapsed_s"] = max(p.get("elapsed_s", 0) for p in parts)
    total["shard"] = "merged " + ", ".join(p.get("shard", "?") for p in parts)
    total["commands_per_second"] = round(sum(p.get("commands_per_second", 0) for p in parts), 1)
    return total


def _sum_by_key(counts: Iterable[dict]) -> dict:
    total: dict = {}
    for c in counts:
        for key, n in c.items():
            total[key] = total.get(key, 0) + n
    return total


def merge_shards(shards: list[Path], out: Path) -> tuple[list[dict], dict]:
    """Write OUT/divergences.jsonl and OUT/summary.json from the shards; the merged entries and summary."""
    entries = merge_entries(shard_entries(s) for s in shards)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / FILE, "w") as f:
        for entry in entries:
            f.write(json.dumps(entry, separators=(",", ":")) + "\n")
    summary = merge_summaries(shards)
    if summary:
        summary["divergences"] = sum(1 for e in entries if is_active(e))
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return entries, summary
