"""The string commands driven on the engine with a manual clock: exact expiry times, encodings kept apart, and the
long double arithmetic of INCRBYFLOAT."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest

from reference_server.commands.generic_object import DigitString
from reference_server.commands.string_lcs import LcsTable
from reference_server.longdouble import (add_long_double, format_long_double_human, parse_long_double,
                                         round_to_long_double)
from reference_server.replies import Err

from conftest import START_MS  # noqa: E402  (the shared manual-clock fixtures live in tests/conftest.py)


def expiry_of(run, key: bytes):
    return run.engine.keyspace[0].expires.get(key)


# -- expiry arithmetic ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("option,amount,expected", [
    ("EX", 10, START_MS + 10_000), ("PX", 100, START_MS + 100), ("EXAT", 1_800_000_000, 1_800_000_000_000),
    ("PXAT", 1_800_000_000_123, 1_800_000_000_123),
])
def test_set_expiry_is_absolute_milliseconds(run, option, amount, expected):
    assert run("SET", "k", "v", option, amount) == "OK"
    assert expiry_of(run, b"k") == expected


def test_px_expires_exactly_at_its_millisecond(run, now):
    run("SET", "k", "v", "PX", 100)
    now[0] += 99
    assert run("GET", "k") == b"v"
    now[0] += 1
    assert run("GET", "k") is None
    assert b"k" not in run.engine.keyspace[0].data


def test_relative_expiry_overflow_depends_on_the_clock(run, now):
    """PX n is valid while now + n fits in 64 bits: the check happens after adding the current time."""
    limit = (1 << 63) - 1
    assert run("SET", "k", "v", "PX", limit - START_MS) == "OK"
    assert run("SET", "k", "v", "PX", limit - START_MS + 1) == Err("ERR invalid expire time in 'set' command")


def test_keepttl_and_plain_set(run):
    run("SET", "k", "v", "EX", 10)
    run("SET", "k", "w", "KEEPTTL")
    assert expiry_of(run, b"k") == START_MS + 10_000
    run("SET", "k", "x")
    assert expiry_of(run, b"k") is None


def test_getex_moves_and_removes_the_expiry(run, now):
    run("SET", "k", "v")
    assert run("GETEX", "k", "PX", 500) == b"v"
    assert expiry_of(run, b"k") == START_MS + 500
    assert run("GETEX", "k", "PERSIST") == b"v"
    assert expiry_of(run, b"k") is None
    assert run("GETEX", "k", "PXAT", START_MS) == b"v"  # an absolute time that is now is already past
    assert run("GET", "k") is None


def test_counters_and_edits_keep_the_expiry(run):
    run("SET", "n", "1", "EX", 5)
    run("INCR", "n")
    run("INCRBYFLOAT", "n", "0.5")
    run("APPEND", "n", "0")
    run("SETRANGE", "n", 0, "3")
    assert run("GET", "n") == b"3.50"
    assert expiry_of(run, b"n") == START_MS + 5_000


def test_setex_psetex_and_getset(run):
    run("SETEX", "a", 3, "v")
    run("PSETEX", "b", 3, "v")
    assert (expiry_of(run, b"a"), expiry_of(run, b"b")) == (START_MS + 3_000, START_MS + 3)
    assert run("GETSET", "a", "w") == b"v"
    assert expiry_of(run, b"a") is None


def test_msetnx_sees_an_expired_key_as_missing(run, now):
    run("SET", "a", "old", "PX", 10)
    now[0] += 10
    assert run("MSETNX", "a", "new") == 1
    assert run("GET", "a") == b"new"


# -- storage -------------------------------------------------------------------------------------------------------
def test_edited_values_are_bytearrays_and_counters_bytes(run):
    data = run.engine.keyspace[0].data
    run("SET", "s", "ab")
    run("APPEND", "new", "x")
    assert type(data[b"s"]) is bytes and type(data[b"new"]) is bytes
    run("APPEND", "s", "c")
    run("SETRANGE", "r", 2, "z")
    assert type(data[b"s"]) is bytearray and type(data[b"r"]) is bytearray
    run("INCR", "s2")
    run("SET", "f", "1")
    run("INCRBYFLOAT", "f", "1")
    assert type(data[b"s2"]) is bytes and type(data[b"f"]) is DigitString  # INCRBYFLOAT's "2" is not int-encoded
    assert type(run("GET", "f")) is bytes  # replies are plain bytes


def test_replies_never_alias_an_edited_value(run):
    run("SET", "s", "a")
    run("APPEND", "s", "b")
    reply = run("GET", "s")
    run("APPEND", "s", "c")
    assert reply == b"ab" and type(reply) is bytes


def test_read_commands_count_keyspace_hits_and_misses(run):
    run("SET", "a", "1")
    run("MGET", "a", "b", "a")
    run("GET", "zz")
    run("INCR", "zz")  # a write lookup: not counted
    stats = run.engine.stats
    assert (stats["keyspace_hits"], stats["keyspace_misses"]) == (2, 2)


# -- long double ---------------------------------------------------------------------------------------------------
def test_long_double_has_64_significant_bits():
    assert round_to_long_double(Fraction(2 ** 64 + 1)) == 2 ** 64
    assert round_to_long_double(Fraction(2 ** 63 + 1)) == 2 ** 63 + 1
    assert round_to_long_double(Fraction(2 ** 64 + 3)) == 2 ** 64 + 4  # ties go to the even significand


def test_long_double_range():
    assert parse_long_double(b"1e4932") is not None and parse_long_double(b"1e4933") is None
    assert parse_long_double(b"4e-4951") == Fraction(2) ** -16445  # the smallest subnormal
    assert parse_long_double(b"1e-4952") is None  # rounds to zero: strtold's underflow
    assert parse_long_double(b"0e-99999") == 0


def test_long_double_sum_is_rounded_once():
    total = add_long_double(parse_long_double(b"0.1"), parse_long_double(b"0.2"))
    assert format_long_double_human(total) == b"0.3"
    assert total != Fraction(3, 10)


@pytest.mark.parametrize("text", [b"", b" 1", b"1 ", b"nan", b"-nan", b"1e", b"0x", b"0x1p", b"--1", b"1\x00"])
def test_long_double_refuses(text):
    assert parse_long_double(text) is None


# -- LCS table -----------------------------------------------------------------------------------------------------
def _prefix_lcs_lengths(a: bytes, b: bytes) -> list[list[int]]:
    """The textbook dynamic programming table, as the oracle for the bit-parallel one."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            same = a[i - 1] == b[j - 1]
            table[i][j] = table[i - 1][j - 1] + 1 if same else max(table[i - 1][j], table[i][j - 1])
    return table


@pytest.mark.parametrize("seed", range(5))
def test_lcs_bit_table_matches_dynamic_programming(seed):
    rng = random.Random(seed)
    a = bytes(rng.choice(b"abc") for _ in range(rng.randint(0, 70)))
    b = bytes(rng.choice(b"abc") for _ in range(rng.randint(0, 70)))
    expected, table = _prefix_lcs_lengths(a, b), LcsTable(a, b)
    assert all(table.length(i, j) == expected[i][j] for i in range(len(a) + 1) for j in range(len(b) + 1))
