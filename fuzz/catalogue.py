"""The divergence catalogue: an append-only JSONL file, one unique divergence stored once, then counted.

Records: ``{"record": "divergence", ...}`` the first time a signature is found (minimal program, the references,
every target's raw replies, versions, repro counts), ``{"record": "seen", "id", "count", "last_seen"}`` when it is
met again, and ``{"record": "reclassified", "id", "at", "status", ...}`` when `forkdiff fuzz reclassify` re-ran
the comparison on the stored replies (fuzz.reclassify). Every record is written and flushed on its own line, so a
killed campaign loses nothing already found. Reading folds the records back into one entry per divergence; entries
resolved or merged by a re-classification stay in the file but are no longer active.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

FILE = "divergences.jsonl"
RESOLVED, MERGED, AS_RECORDED = "resolved", "merged", "as_recorded"
INACTIVE = frozenset({RESOLVED, MERGED})
# what a "reclassified" record may carry besides `set` (the entry fields it replaces)
_NOTES = ("reason", "merged_into", "was")


def divergence_id(signature: str) -> str:
    return hashlib.sha1(signature.encode()).hexdigest()[:12]


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def is_active(entry: dict) -> bool:
    """Still a divergence under the rules it was last classified with (not resolved, not merged into another)."""
    return entry.get("status") not in INACTIVE


def read_records(path: Path, skipped: list[int] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Iterator[dict]:
    """Every complete record; a line cut short by a kill is skipped (its line number added to `skipped`).
    `progress(bytes read, file size)` is called after every line."""
    if not path.exists():
        return
    size, done = path.stat().st_size, 0
    with path.open() as f:
        for number, line in enumerate(f, 1):
            if progress is not None:
                done += len(line)  # records are written as ASCII JSON: characters are bytes
                progress(done, size)
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = None
            if isinstance(record, dict):
                yield record
            elif skipped is not None and line.strip():
                skipped.append(number)


def apply(entries: dict[str, dict], r: dict) -> None:
    """Fold one record into the entries (id -> entry)."""
    kind, ident = r.get("record"), r.get("id")
    if kind == "divergence":
        if ident not in entries:
            entries[ident] = dict(r)
        return
    entry = entries.get(ident)
    if entry is None:
        return
    if kind == "seen":
        entry["count"] = r["count"]
        entry["last_seen"] = r["last_seen"]
    elif kind == "reclassified":
        entry.update(r.get("set", {}))
        entry["status"], entry["reclassified"] = r["status"], r.get("at")
        for note in _NOTES:
            entry.pop(note, None)
            if note in r:
                entry[note] = r[note]


def fold(records: Iterable[dict]) -> dict[str, dict]:
    entries: dict[str, dict] = {}
    for r in records:
        apply(entries, r)
    return entries


def ends_cleanly(path: Path) -> bool:
    """False when the last line was cut short (no newline): the next record must start on a line of its own."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    with path.open("rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


class Catalogue:
    def __init__(self, out_dir: str | Path, progress: Callable[[int, int], None] | None = None) -> None:
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / FILE
        self.skipped: list[int] = []  # line numbers of records cut short by a kill
        self.entries = fold(read_records(self.path, self.skipped, progress))
        self._index: dict[str, str] = {}
        self._reindex()
        self._dirty: set[str] = set()
        clean = ends_cleanly(self.path)
        self._file = self.path.open("a")
        if not clean:
            self._file.write("\n")

    def _reindex(self) -> None:
        self._index = {e["signature"]: ident for ident, e in self.entries.items() if is_active(e)}

    def __contains__(self, signature: str) -> bool:
        return signature in self._index

    def signatures(self) -> set[str]:
        return set(self._index)

    def active(self) -> list[dict]:
        return [e for e in self.entries.values() if is_active(e)]

    def add(self, record: dict) -> dict:
        ident = self._fresh_id(record["signature"])
        stamp = now()
        entry = {"record": "divergence", "id": ident, "first_seen": stamp, "last_seen": stamp, "count": 1,
                 **record}
        self.entries[ident] = entry
        self._index[record["signature"]] = ident
        self._append(entry)
        return entry

    def _fresh_id(self, signature: str) -> str:
        """The signature's hash, unless an entry (resolved, or re-classified to another signature) holds it."""
        ident = divergence_id(signature)
        while ident in self.entries:
            ident = divergence_id(ident + signature)
        return ident

    def seen(self, signature: str) -> None:
        entry = self.entries.get(self._index.get(signature, ""))
        if entry is not None:
            entry["count"] += 1
            entry["last_seen"] = now()
            self._dirty.add(entry["id"])

    def flush_counts(self) -> None:
        for ident in sorted(self._dirty):
            e = self.entries[ident]
            self._append({"record": "seen", "id": ident, "count": e["count"], "last_seen": e["last_seen"]})
        self._dirty.clear()

    def amend(self, records: Iterable[dict]) -> int:
        """Append re-classification records and fold them in; how many were written."""
        self.flush_counts()
        written = 0
        for r in records:
            self._file.write(json.dumps(r, separators=(",", ":")) + "\n")
            apply(self.entries, r)
            written += 1
        self._file.flush()
        os.fsync(self._file.fileno())
        self._reindex()
        return written

    def _append(self, record: dict) -> None:
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self.flush_counts()
        self._file.close()
