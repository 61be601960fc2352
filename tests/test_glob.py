"""Redis's glob matcher: the cases checked with KEYS and CONFIG GET on Redis 8.2.3, and its structural quirks."""
from __future__ import annotations

import pytest

from conformance.glob_cases import GLOB_CASES, NOCASE_CASES
from reference_server.glob import MAX_NESTING, stringmatch

_EXPANDED = [(case, pattern, name, True) for case, pattern, hits, _ in GLOB_CASES for name in hits] + \
            [(case, pattern, name, False) for case, pattern, _, misses in GLOB_CASES for name in misses]


@pytest.mark.parametrize("case,pattern,name,expected", _EXPANDED,
                         ids=[f"{c}-{'hit' if e else 'miss'}{i}" for i, (c, _, _, e) in enumerate(_EXPANDED)])
def test_glob_cases_checked_on_redis(case, pattern, name, expected):
    assert stringmatch(pattern, name) is expected


@pytest.mark.parametrize("pattern,name,expected", NOCASE_CASES)
def test_glob_nocase(pattern, name, expected):
    assert stringmatch(pattern, name, nocase=True) is expected


def test_glob_nocase_folds_only_ascii_letters():
    assert stringmatch(b"\xc9", b"\xe9", nocase=True) is False
    assert stringmatch(b"ABC", b"abc", nocase=True) is True
    assert stringmatch(b"ABC", b"abc") is False


def test_glob_empty_subject_matches_only_empty_pattern():
    """Redis never enters its loop for an empty subject, so even "*" fails (KEYS special-cases "*")."""
    assert stringmatch(b"", b"") is True
    assert stringmatch(b"*", b"") is False
    assert stringmatch(b"a", b"") is False


def test_glob_nesting_limit_is_per_star_group():
    subject = b"x" * (MAX_NESTING + 5)
    assert stringmatch(b"*x" * MAX_NESTING, subject) is True
    assert stringmatch(b"*x" * (MAX_NESTING + 1), subject) is False
    assert stringmatch(b"*" * 5000 + b"x", subject) is True  # consecutive stars are one group


def test_glob_long_subject_is_linear_enough():
    """The latest-star retry keeps pathological patterns fast (Redis's skipLongerMatches)."""
    assert stringmatch(b"*a*a*a*a*a*a*a*b", b"a" * 5000) is False
