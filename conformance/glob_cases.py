"""Glob patterns and the names Redis's matcher accepts or refuses, checked with KEYS on Redis 8.2.3.

Shared by the KEYS conformance cases (which re-check them on every target) and the matcher's unit tests.
Each entry: (case id, pattern, names it matches, names it does not match).
"""
from __future__ import annotations

DEEP = 1001  # one star more than Redis follows

GLOB_CASES: list[tuple[str, bytes, list[bytes], list[bytes]]] = [
    ("question", b"h?llo", [b"hello", b"hallo"], [b"hllo", b"heello"]),
    ("star", b"h*llo", [b"hllo", b"heeeello"], [b"hell", b"hellox"]),
    ("stars-collapse", b"a**b", [b"ab", b"axxb"], [b"ba"]),
    ("class", b"h[ae]llo", [b"hello", b"hallo"], [b"hillo", b"hllo"]),
    ("negated-class", b"h[^e]llo", [b"hallo", b"hbllo"], [b"hello", b"hllo"]),
    ("range", b"h[a-c]llo", [b"hallo", b"hcllo"], [b"hdllo"]),
    ("reversed-range", b"h[c-a]llo", [b"hallo", b"hbllo"], [b"hdllo"]),
    ("escaped-star", b"h\\*llo", [b"h*llo"], [b"hello"]),
    ("escaped-bracket-in-class", b"[\\]]", [b"]"], [b"\\", b"a"]),
    ("trailing-backslash", b"a\\", [b"a\\"], [b"a", b"ab"]),
    ("unterminated-class", b"[abc", [b"a", b"c"], [b"d", b"ab"]),
    ("lone-negation", b"[^", [b"x", b"^"], [b"xy"]),
    ("dash-eats-bracket", b"[a-]x", [b"x", b"_", b"a", b"]"], [b"]x", b"b"]),
    ("signed-bytes-range", b"[a-\xff]", [b"A", b"\xff", b"0"], [b"\x80", b"b"]),
    ("case-sensitive", b"Hello", [b"Hello"], [b"hello"]),
    ("star-then-class", b"*[0-9]", [b"user1", b"9"], [b"user", b"1a"]),
    ("backtracking", b"*a*b*c", [b"abc", b"xaxxbxxc"], [b"acb", b"cba"]),
    ("nul-byte", b"a\x00*", [b"a\x00", b"a\x00b"], [b"a"]),
    ("star-limit-reached", b"*a" * DEEP, [], [b"a" * 1100]),
    ("star-limit-not-reached", b"*a" * (DEEP - 1), [b"a" * 1100], [b"a" * 999]),
    ("star-limit-final-star", b"a*" * DEEP, [b"a" * 1100], [b"b" * 1100]),
]

# nocase matching (CONFIG GET's), checked on Redis 8.2.3 with CONFIG GET against the name "hz".
NOCASE_CASES: list[tuple[bytes, bytes, bool]] = [
    (b"H?", b"hz", True),
    (b"[H]?", b"hz", True),
    (b"[A-I]?", b"hz", True),
    (b"[I-A]Z", b"hz", True),
    (b"\\H?", b"hz", True),
    (b"[\\H]?", b"hz", False),  # an escaped byte inside a class is compared exactly
    (b"[\\h]?", b"hz", True),
]
