"""tools/compare_runs.py: two stored runs compared row by row and score by score."""
from __future__ import annotations

import json
from pathlib import Path

from tools.compare_runs import main


def stored_run(root: Path, outcomes: dict[str, str]) -> Path:
    (root / "data").mkdir(parents=True)
    rows = [{"target": "valkey@9.1", "product": "valkey", "version": "9.1.2", "resp": resp, "group": "string",
             "command": case.split("_")[1], "case": case, "outcome": outcome, "class": "", "message": ""}
            for case, outcome in outcomes.items() for resp in (2, 3)]
    (root / "data" / "conformance.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def test_identical_runs_pass(tmp_path, capsys):
    a = stored_run(tmp_path / "a", {"test_get_a": "passed", "test_set_b": "divergent"})
    b = stored_run(tmp_path / "b", {"test_get_a": "passed", "test_set_b": "divergent"})
    assert main([str(a), str(b)]) == 0
    assert "4 rows compared, 0 moved; scores identical" in capsys.readouterr().out


def test_a_moved_row_is_named_with_both_outcomes(tmp_path, capsys):
    a = stored_run(tmp_path / "a", {"test_get_a": "passed", "test_set_b": "divergent"})
    b = stored_run(tmp_path / "b", {"test_get_a": "passed", "test_set_b": "passed"})
    assert main([str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "valkey@9.1 resp2 test_set_b: divergent -> passed" in out and "score moved" in out


def test_a_directory_without_rows_is_a_clear_error(tmp_path, capsys):
    a = stored_run(tmp_path / "a", {"test_get_a": "passed"})
    assert main([str(a), str(tmp_path / "missing")]) == 2
    assert "no conformance rows" in capsys.readouterr().err


def test_common_compares_only_the_cases_both_runs_have(tmp_path, capsys):
    a = stored_run(tmp_path / "a", {"test_get_a": "passed"})
    b = stored_run(tmp_path / "b", {"test_get_a": "passed", "test_set_new": "divergent"})
    assert main([str(a), str(b)]) == 1
    assert main([str(a), str(b), "--common"]) == 0
    assert "2 rows compared, 0 moved; scores identical" in capsys.readouterr().out
