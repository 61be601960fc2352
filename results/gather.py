"""Stored runs made apart (one CI job per target: `forkdiff run --targets T --budget 0 --out DIR`) as one stored run.

The nightly workflow measures each target in a job of its own; the publishing job gathers their OUT/data into
results/data (targets.json in the table's order, the conformance rows side by side), merges the fuzz shards with
`forkdiff fuzz merge`, then renders and records the run with `forkdiff report --record`.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from .run import DEFAULT_TARGETS

ROWS = "conformance.jsonl"


class GatherError(Exception):
    pass


def _rows_bytes(data: Path) -> bytes:
    plain, packed = data / ROWS, data / (ROWS + ".gz")
    if plain.exists():
        text = plain.read_bytes()
    elif packed.exists():
        text = gzip.decompress(packed.read_bytes())
    else:
        return b""
    return text if not text or text.endswith(b"\n") else text[:text.rfind(b"\n") + 1]  # drop a line cut by a kill


def _order(meta: dict[str, Any]) -> tuple[int, str]:
    spec = meta["spec"]
    return (DEFAULT_TARGETS.index(spec) if spec in DEFAULT_TARGETS else len(DEFAULT_TARGETS), spec)


def gather_runs(sources: list[Path], out: Path) -> list[str]:
    """Write OUT/data/targets.json and conformance.jsonl.gz from the sources' stored runs; the targets gathered."""
    metas: dict[str, dict] = {}
    rows = []
    for source in sources:
        targets = source / "data" / "targets.json"
        if not targets.is_file():
            raise GatherError(f"no stored run in {source} (no data/targets.json)")
        for meta in json.loads(targets.read_text()):
            metas.setdefault(meta["spec"], meta)  # a target measured twice: the first source's run stands
        rows.append(_rows_bytes(source / "data"))
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    ordered = sorted(metas.values(), key=_order)
    (data / "targets.json").write_text(json.dumps(ordered, indent=1) + "\n")
    (data / ROWS).unlink(missing_ok=True)
    (data / (ROWS + ".gz")).write_bytes(gzip.compress(b"".join(rows), 9, mtime=0))
    return [m["spec"] for m in ordered]
