"""The divergence catalogue: an append-only JSONL file, one unique divergence stored once, then counted.

Records: ``{"record": "divergence", ...}`` the first time a signature is found (minimal program, every target's
raw replies, versions, repro counts), ``{"record": "seen", "id", "count", "last_seen"}`` when it is met again.
Every record is written and flushed on its own line, so a killed campaign loses nothing already found. Reading
folds the records back into one entry per divergence.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Iterator

FILE = "divergences.jsonl"


def divergence_id(signature: str) -> str:
    return hashlib.sha1(signature.encode()).hexdigest()[:12]


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def read_records(path: Path) -> Iterator[dict]:
    """Every complete record; a line cut short by a kill is skipped."""
    if not path.exists():
        return
    with path.open() as f:
        for line in f:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue


def fold(records: Iterator[dict]) -> dict[str, dict]:
    entries: dict[str, dict] = {}
    for r in records:
        kind, ident = r.get("record"), r.get("id")
        if kind == "divergence" and ident not in entries:
            entries[ident] = dict(r)
        elif kind == "seen" and ident in entries:
            entries[ident]["count"] = r["count"]
            entries[ident]["last_seen"] = r["last_seen"]
    return entries


class Catalogue:
    def __init__(self, out_dir: str | Path) -> None:
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / FILE
        self.entries = fold(read_records(self.path))
        self._dirty: set[str] = set()
        self._file = self.path.open("a")

    def __contains__(self, signature: str) -> bool:
        return divergence_id(signature) in self.entries

    def signatures(self) -> set[str]:
        return {e["signature"] for e in self.entries.values()}

    def add(self, record: dict) -> dict:
        ident = divergence_id(record["signature"])
        stamp = now()
        entry = {"record": "divergence", "id": ident, "first_seen": stamp, "last_seen": stamp, "count": 1,
                 **record}
        self.entries[ident] = entry
        self._append(entry)
        return entry

    def seen(self, signature: str) -> None:
        entry = self.entries.get(divergence_id(signature))
        if entry is not None:
            entry["count"] += 1
            entry["last_seen"] = now()
            self._dirty.add(entry["id"])

    def flush_counts(self) -> None:
        for ident in sorted(self._dirty):
            e = self.entries[ident]
            self._append({"record": "seen", "id": ident, "count": e["count"], "last_seen": e["last_seen"]})
        self._dirty.clear()

    def _append(self, record: dict) -> None:
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self.flush_counts()
        self._file.close()
