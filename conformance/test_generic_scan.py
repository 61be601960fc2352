"""SCAN: a full iteration returns every key exactly as present throughout, whatever COUNT; MATCH, TYPE, cursors."""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, bulk, integer

from .asserts import assert_error, assert_ok, assert_reply

SYNTAX = "ERR syntax error"
INVALID_CURSOR = "ERR invalid cursor"


def fill(conn, count: int, prefix: str = "key:") -> set[bytes]:
    names = [f"{prefix}{i}" for i in range(count)]
    args = [x for name in names for x in (name, "v")]
    assert_ok(conn.call("MSET", *args))
    return {n.encode() for n in names}


def full_scan(conn, *options: str, limit: int = 10_000) -> list[bytes]:
    """Every key a whole SCAN iteration returns (duplicates kept), checking each page's shape."""
    cursor, seen = b"0", []
    for _ in range(limit):
        page = conn.call("SCAN", cursor, *options)
        assert page.kind is Kind.ARRAY and len(page.value) == 2, page
        cursor_reply, keys = page.value
        assert cursor_reply.kind is Kind.BULK and keys.kind is Kind.ARRAY
        seen.extend(k.value for k in keys.value)
        cursor = cursor_reply.value
        if cursor == b"0":
            return seen
    raise AssertionError("SCAN did not finish")


def test_scan_empty_keyspace(conn):
    page = conn.call("SCAN", "0")
    assert page.value[0] == bulk("0") and page.value[1].value == ()


@pytest.mark.parametrize("count", ["1", "3", "10", "1000"])
def test_scan_full_iteration(conn, count):
    names = fill(conn, 100)
    assert set(full_scan(conn, "COUNT", count)) == names


def test_scan_keys_present_throughout_survive_changes(conn):
    """Keys added and deleted mid-scan (resizing the table) never hide the ones that stay."""
    stay = fill(conn, 50, "stay:")
    fill(conn, 50, "gone:")
    cursor, seen, rounds = b"0", set(), 0
    while True:
        page = conn.call("SCAN", cursor, "COUNT", "5")
        cursor = page.value[0].value
        seen.update(k.value for k in page.value[1].value)
        rounds += 1
        if rounds == 3:
            conn.call("DEL", *[f"gone:{i}" for i in range(50)])
        if rounds == 6:
            fill(conn, 200, "new:")
        if cursor == b"0":
            break
    assert stay <= seen


def test_scan_match(conn):
    fill(conn, 30, "user:")
    fill(conn, 30, "item:")
    seen = full_scan(conn, "MATCH", "user:1*", "COUNT", "7")
    assert set(seen) == {f"user:{i}".encode() for i in (1, *range(10, 20))}


def test_scan_match_star_is_no_filter(conn):
    assert_ok(conn.call("SET", "", "empty name"))
    assert set(full_scan(conn, "MATCH", "*")) == {b""}


def test_scan_type(conn):
    names = fill(conn, 20)
    assert set(full_scan(conn, "TYPE", "string")) == names
    assert set(full_scan(conn, "TYPE", "STRING")) == names
    assert full_scan(conn, "TYPE", "list") == []


def test_scan_unknown_type_matches_nothing(conn):
    fill(conn, 5)
    assert full_scan(conn, "TYPE", "foo") == []


def test_scan_skips_expired(conn):
    fill(conn, 5)
    assert_reply(conn.call("PEXPIREAT", "key:0", "1"), integer(1))
    assert_reply(conn.call("PEXPIREAT", "key:1", "1"), integer(1))
    assert set(full_scan(conn)) == {f"key:{i}".encode() for i in range(2, 5)}


def test_scan_options_repeat_last_wins(conn):
    names = fill(conn, 10)
    assert set(full_scan(conn, "COUNT", "1", "COUNT", "100", "MATCH", "x", "MATCH", "key:*")) == names


@pytest.mark.parametrize("cursor", ["01", " 1", "+1", "-0", "18446744073709551615", " -1"])
def test_scan_lenient_cursor_forms(conn, cursor):
    page = conn.call("SCAN", cursor)
    assert page.kind is Kind.ARRAY and page.value[1].kind is Kind.ARRAY


@pytest.mark.parametrize("cursor", ["-1", "18446744073709551616", "1.0", "", "x", "1 ", "0x10"])
def test_scan_invalid_cursor(conn, cursor):
    assert_error(conn.call("SCAN", cursor), INVALID_CURSOR)


@pytest.mark.parametrize("options,message", [
    (("COUNT", "0"), SYNTAX), (("COUNT", "-1"), SYNTAX),
    (("COUNT", "x"), "ERR value is not an integer or out of range"), (("MATCH",), SYNTAX), (("foo",), SYNTAX),
    pytest.param(("NOVALUES",), "ERR NOVALUES option can only be used in HSCAN", marks=pytest.mark.since("7.4")),
    (("COUNT", "1", "COUNT", "0"), SYNTAX),
    (("TYPE",), SYNTAX),
], ids=["count-zero", "count-negative", "count-not-integer", "match-without-pattern", "unknown",
        "novalues", "second-count-bad", "type-without-name"])
def test_scan_errors(conn, options, message):
    assert_error(conn.call("SCAN", "0", *options), message)


def test_scan_invalid_cursor_checked_first(conn):
    assert_error(conn.call("SCAN", "x", "COUNT", "0"), INVALID_CURSOR)
