"""The parser of runtest's output in bench/tcl_suite.py, on output shaped as runtest 8.x prints it."""
from __future__ import annotations

from bench.tcl_suite import UnitOutcome, parse_runtest_output, passed_on_both, render, row, summary

GREEN, RED, END = "\x1b[0;32;49m", "\x1b[0;31;49m", "\x1b[0m"

RUNTEST_OUTPUT = f"""Cleanup: may take some time... OK
Starting test server at port 21079
[ready]: 13273
Testing unit/type/incr
[{GREEN}ok{END}]: INCR against non existing key (1 ms)
[{GREEN}ok{END}]: INCR against non existing key (0 ms)
[{RED}err{END}]: INCR uses shared objects in the 0-9999 range in tests/unit/type/incr.tcl
Expected '1' to be more than '1' (context: type source line 122)
[skip]: INCR fails against a key holding a list
[{GREEN}ok{END}]: INCRBYFLOAT decrement (12 ms)
[1/1 done]: unit/type/incr (0 seconds)

                   The End

!!! WARNING The following tests failed:

*** [{RED}err{END}]: INCR uses shared objects in the 0-9999 range in tests/unit/type/incr.tcl
Expected '1' to be more than '1'
"""


def test_verdicts_are_read_by_name_and_the_summary_is_not_counted_twice():
    outcome = parse_runtest_output(RUNTEST_OUTPUT)
    assert outcome.passed == ["INCR against non existing key", "INCR against non existing key",
                              "INCRBYFLOAT decrement"]
    assert outcome.failed == ["INCR uses shared objects in the 0-9999 range"]
    assert outcome.skipped == ["INCR fails against a key holding a list"]
    assert outcome.status == "done"


def test_an_exception_and_a_timeout_are_reported():
    text = ("[ok]: MULTI basics (0 ms)\n[exception]: Executing test client: ERR Unknown option\n"
            "    while executing\n[TIMEOUT]: clients state report follows.\n")
    outcome = parse_runtest_output(text)
    assert outcome.passed == ["MULTI basics"]
    assert outcome.exception == "Executing test client: ERR Unknown option"
    assert outcome.timed_out and outcome.status == "timeout"


def test_passed_on_both_counts_repeated_names_with_their_multiplicity():
    redis = UnitOutcome(passed=["a", "a", "b", "c"])
    reference = UnitOutcome(passed=["a", "b", "b", "d"])
    assert passed_on_both(redis, reference) == 2


def test_the_table_reports_ratio_and_unresponsive_units():
    rows = [row("unit/x", UnitOutcome(passed=["a", "b"]), UnitOutcome(passed=["a"], unresponsive=True))]
    total = summary(rows)
    assert (total["redis_passed"], total["passed_on_both"], total["ratio"]) == (2, 1, 0.5)
    assert total["unresponsive"] == ["unit/x"]
    assert rows[0]["missing"] == ["b"]
    table = render(rows)
    assert "50%" in table and "unresponsive" in table
