"""Argument paths: every decision of every command's tree is in its variant table, and a campaign counts them."""
from __future__ import annotations

from forkdiff.spec import load_spec
from fuzz.paths import Coverage, TOGETHER, covering_variants, tree_elements
from fuzz.programs import build_catalog
from fuzz.strategies import DEFAULT_POOLS, compile_arguments

SPEC = load_spec()


def _elements(name: str) -> set[str]:
    return tree_elements(compile_arguments(name, list(SPEC[name].arguments), DEFAULT_POOLS), name)


def test_every_argument_path_of_every_fuzzable_command_is_in_its_table():
    catalog = build_catalog(groups=["all"], spec=SPEC)
    for names in catalog.commands.values():
        for name in names:
            lines = covering_variants(SPEC, name, count=8, invalid_rate=0.05)
            reached = set().union(*(r for _, r in lines))
            assert _elements(name) <= reached, name


def test_alternatives_given_together_are_generated_and_rejected_as_invalid():
    lines = [c.args for c, r in covering_variants(SPEC, "set", count=48, invalid_rate=0.05)
             if f"set/condition={TOGETHER}" in r]
    assert any({b"NX", b"XX"} <= set(args) for args in lines)
    assert not [c for c, r in covering_variants(SPEC, "set", count=48, invalid_rate=0.0)
                if any(e.endswith(TOGETHER) for e in r)]


def test_coverage_counts_what_ran_per_group_and_scores_rare_paths():
    lines = covering_variants(SPEC, "zadd", count=48, invalid_rate=0.05)
    coverage = Coverage(SPEC, {"sorted-set": ["zadd"]}, dict(lines))
    first = [lines[0][0]]
    assert coverage.observe(first) == len(lines[0][1])
    assert coverage.report()["sorted-set"]["exercised"] == len(lines[0][1])
    coverage.observe([c for c, _ in lines])
    assert coverage.report()["sorted-set"] == {"argument_paths": len(_elements("zadd")) + 1,
                                               "exercised": len(_elements("zadd")) + 1, "share": 1.0}
