"""History: each published run is appended, the next one says what changed, the page draws the trend.

Two real runs on Valkey 9.1 into one output directory: the first on the hash and string cases, the second on the
string cases alone, so the hash divergences of the first are resolved (no longer measured) and nothing is new.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from results.history import CHANGES, HISTORY, IDS
from results.run import run

TARGET = "valkey@9.1"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, dict, dict]:
    out = tmp_path_factory.mktemp("history")
    run([TARGET], out, budget=0, quick=True, files=["test_hash.py", "test_string.py"])
    first = json.loads((out / IDS).read_text())
    run([TARGET], out, budget=0, quick=True, files=["test_string.py"])
    second = json.loads((out / IDS).read_text())
    return out, first["targets"][TARGET], second["targets"][TARGET]


def test_every_published_run_is_a_history_line(two_runs):
    out, _, _ = two_runs
    runs = [json.loads(line) for line in (out / HISTORY).read_text().splitlines()]
    assert len(runs) == 2
    for r in runs:
        assert r["date"] and r["revision"]
        entry = r["targets"][TARGET]
        assert entry["version"] == "9.1.2" and 0 < entry["strict"] < 1 and entry["divergent_cases"] > 0
    assert runs[1]["targets"][TARGET]["resolved"] > 0 and runs[1]["targets"][TARGET]["new"] == 0


def test_changes_name_the_resolved_divergences(two_runs):
    out, first, second = two_runs
    changes = json.loads((out / CHANGES).read_text())
    delta = changes["targets"][TARGET]
    assert any(i.startswith("case h") for i in first), "Valkey 9.1 diverges on some hash cases"
    assert set(delta["resolved"]) == set(first) - set(second) and delta["new"] == []
    assert set(second) <= set(first)
    text = (out / "COMPATIBILITY.md").read_text()
    assert "## Since the previous run" in text and f"**{TARGET}**: 0 new, {len(delta['resolved'])} resolved" in text


def test_page_shows_a_trend_point_per_run(two_runs):
    out, _, _ = two_runs
    page = (out / "index.html").read_text()
    trend = page[page.index("<table id='trend'>"):]
    trend = trend[:trend.index("</table>")]
    assert TARGET in trend and trend.count("<circle") == 2


def test_report_re_renders_without_recording(two_runs):
    from results.run import publish
    out, _, _ = two_runs
    before = (out / HISTORY).read_text()
    publish(out, {"date": "re-render"})
    assert (out / HISTORY).read_text() == before
    assert "## Since the previous run" in (out / "COMPATIBILITY.md").read_text()
