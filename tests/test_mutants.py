"""The mutation tool's fixed list of mutants stays applicable: each text occurs once in its file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.mutants import MUTANTS
from bench.mutate import SUITE_FILES, scores

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.ident)
def test_each_mutant_applies_once_and_has_a_suite(mutant):
    text = (ROOT / "reference_server" / mutant.path).read_text()
    assert text.count(mutant.old) == 1 and mutant.old != mutant.new
    assert all((ROOT / "conformance" / f).exists() for f in SUITE_FILES[mutant.group])


def test_mutant_names_are_unique_and_scores_count_both_sides():
    assert len({m.ident for m in MUTANTS}) == len(MUTANTS)
    rows = [{"ident": "a", "fuzz": {"found": True}, "suite": {"found": True}},
            {"ident": "b", "fuzz": {"found": False}, "suite": {"found": True}},
            {"ident": "c", "fuzz": {"found": True}, "suite": {"found": False}}]
    s = scores(rows)
    assert (s["fuzzer"], s["suite"], s["both"], s["fuzzer_share_of_suite"]) == (2, 2, 1, 0.5)
    assert s["suite_only"] == ["b"] and s["fuzzer_only"] == ["c"]


def test_a_partial_run_leaves_the_published_score_alone(tmp_path, monkeypatch, capsys):
    import bench.mutate as mutate

    published = tmp_path / "mutation.json"
    published.write_text("{}\n")
    monkeypatch.setattr(mutate, "PUBLISHED", published)
    monkeypatch.setattr(mutate, "ROOT", tmp_path)
    monkeypatch.setattr(mutate, "make_copy", lambda dest: dest)  # no mutant is chosen: nothing is run on a copy
    assert mutate.main(["--only", "no-such-mutant", "--suite-only"]) == 0
    assert published.read_text() == "{}\n"
    assert "not written: a partial run" in capsys.readouterr().out
    kept = tmp_path / "partial.json"
    assert mutate.main(["--only", "no-such-mutant", "--suite-only", "--json", str(kept)]) == 0
    assert json.loads(kept.read_text())["rows"] == []
