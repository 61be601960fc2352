"""The nightly's publishing step: runs made one target per job, gathered into one published and recorded run."""
from __future__ import annotations

import json
import subprocess
import sys

from results.run import run
from results.summarize import load_rows


def test_runs_of_separate_jobs_publish_as_one(tmp_path):
    jobs = {spec: tmp_path / spec.replace("@", "-") for spec in ("valkey@9.1", "reference")}
    for spec, out in jobs.items():
        run([spec], out, budget=0, quick=True, files=["test_hash.py"])
    published = tmp_path / "published"
    proc = subprocess.run([sys.executable, "-m", "forkdiff", "report", "--record", "--out", str(published),
                           "--gather", *map(str, jobs.values())], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    targets = json.loads((published / "data" / "targets.json").read_text())
    assert [t["spec"] for t in targets] == ["reference", "valkey@9.1"]  # the table's order, not the jobs'
    rows = load_rows(published / "data" / "conformance.jsonl")
    assert len(rows) == sum(len(load_rows(out / "data" / "conformance.jsonl")) for out in jobs.values())
    compat = json.loads((published / "compat.json").read_text())
    assert {t["spec"]: t["overall"]["strict"] == 1.0 for t in compat["targets"]} == \
        {"reference": True, "valkey@9.1": False}
    history = (published / "history.jsonl").read_text().splitlines()
    assert len(history) == 1 and set(json.loads(history[0])["targets"]) == {"reference", "valkey@9.1"}
    assert f"recorded the run in {published}/history.jsonl" in proc.stdout
