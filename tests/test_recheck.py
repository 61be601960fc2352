"""A fuzz finding blamed on the reference that Redis itself shows when re-run is resolved, with the reason."""
from __future__ import annotations

import json

from fuzz.catalogue import fold, is_active, read_records
from results.recheck import recheck

# PEXPIRE ... GT after PSETEX with the same milliseconds: 0 within the same millisecond, 1 once the clock moved.
TIMING = {"record": "divergence", "id": "timing", "signature": "target;reference;pexpire;value;integer;integer",
          "verdict": "target", "target": "reference", "command": "pexpire", "class": "value",
          "program": {"resp": 2, "steps": [["PSETEX", "k1", "100000000", "v"], ["PEXPIRE", "k1", "100000000", "GT"]]},
          "mismatch": {"step": 1, "command": ["PEXPIRE", "k1", "100000000", "GT"], "class": "value",
                       "expected": {"kind": "integer", "value": 0, "raw": ":0\r\n"},
                       "got": {"kind": "integer", "value": 1, "raw": ":1\r\n"}, "rules": ["exact"], "detail": ""},
          "traces": {}, "count": 1, "reruns": 5, "reproduced": 2}
# GET of a missing key answering 1: a real bug, which Redis never shows.
BUG = {**TIMING, "id": "bug", "signature": "target;reference;get;value;null;integer", "command": "get",
       "program": {"resp": 2, "steps": [["GET", "k"]]},
       "mismatch": {**TIMING["mismatch"], "step": 0, "command": ["GET", "k"],
                    "expected": {"kind": "null", "value": None, "raw": "$-1\r\n"}}}


def test_only_findings_redis_shows_itself_are_resolved(tmp_path):
    store = tmp_path / "data" / "fuzz"
    store.mkdir(parents=True)
    (store / "divergences.jsonl").write_text("".join(json.dumps(e) + "\n" for e in (TIMING, BUG)))
    assert recheck(tmp_path, runs=3) == ["timing"]
    entries = fold(read_records(store / "divergences.jsonl"))
    assert not is_active(entries["timing"]) and "timing" in entries["timing"]["reason"]
    assert is_active(entries["bug"])
