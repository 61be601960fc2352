"""`forkdiff fuzz merge` on the catalogues of two real shards of one campaign: nothing found is lost or doubled.

Redis 6.2 against Redis 8.2 diverges within seconds (commands added since 6.2), so both shards find entries, and
the two shards of one campaign meet some of the same signatures.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from fuzz.catalogue import fold, read_records

SHARDS = 2


def _forkdiff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "forkdiff", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def shards(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("shards")
    dirs = []
    for index in range(1, SHARDS + 1):
        out = root / f"shard-{index}"
        proc = _forkdiff("fuzz", "--targets", "redis@8.2,redis@6.2", "--budget", "4", "--lanes", "1", "--quiet",
                         "--shard", f"{index}/{SHARDS}", "--out", str(out))
        assert proc.returncode == 0, proc.stderr
        dirs.append(out)
    return dirs


def _entries(directory: Path) -> list[dict]:
    return list(fold(read_records(directory / "divergences.jsonl")).values())


def test_merge_keeps_every_signature_once_with_counts_summed(shards, tmp_path):
    proc = _forkdiff("fuzz", "merge", "--out", str(tmp_path / "merged"), *map(str, shards))
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {tmp_path / 'merged'}/" in proc.stdout
    found = [_entries(s) for s in shards]
    assert all(found), "each shard finds divergences"
    counts: Counter = Counter()
    for entries in found:
        for e in entries:
            counts[e["signature"]] += e["count"]
    merged = _entries(tmp_path / "merged")
    assert sorted(e["signature"] for e in merged) == sorted(counts)  # each once, none lost
    assert {e["signature"]: e["count"] for e in merged} == dict(counts)
    for e in merged:
        assert e["program"]["steps"] and e["traces"], "the repro and the raw replies are kept"
    summaries = [json.loads(next(s.glob("summary.shard-*.json")).read_text()) for s in shards]
    total = json.loads((tmp_path / "merged" / "summary.json").read_text())
    assert total["programs"] == sum(s["programs"] for s in summaries)
    assert total["divergences"] == len(merged)


def test_merge_refuses_a_directory_without_a_catalogue(shards, tmp_path):
    proc = _forkdiff("fuzz", "merge", "--out", str(tmp_path / "merged"), str(shards[0]), str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"forkdiff fuzz merge: no divergences.jsonl in {tmp_path} " \
                                  "(each argument is a shard's --out directory)"
