"""EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX/XX/GT/LT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST.

Absolute times far in the future (or the past) keep the replies exact without sleeping."""
from __future__ import annotations

import pytest

from forkdiff.types import integer

from .asserts import assert_error, assert_ok, assert_reply

FUTURE_S = 4_000_000_000
FUTURE_MS = FUTURE_S * 1000
NOT_INTEGER = "ERR value is not an integer or out of range"
NX_AND_OTHERS = "ERR NX and XX, GT or LT options at the same time are not compatible"
GT_AND_LT = "ERR GT and LT options at the same time are not compatible"


def invalid(command: str) -> str:
    return f"ERR invalid expire time in '{command}' command"


@pytest.fixture
def key(conn):
    assert_ok(conn.call("SET", "k", "v"))
    return "k"


# -- setting expiries ----------------------------------------------------------------------------------------------
def test_expire_sets_ttl(conn, key):
    assert_reply(conn.call("EXPIRE", key, "100"), integer(1))
    assert_reply(conn.call("TTL", key), integer(100))


def test_pexpire_sets_ttl(conn, key):
    assert_reply(conn.call("PEXPIRE", key, "100000"), integer(1))
    assert conn.call("PTTL", key).value in range(99_000, 100_001)


@pytest.mark.since("7.0")
def test_expireat_and_expiretime(conn, key):
    assert_reply(conn.call("EXPIREAT", key, str(FUTURE_S)), integer(1))
    assert_reply(conn.call("EXPIRETIME", key), integer(FUTURE_S))
    assert_reply(conn.call("PEXPIRETIME", key), integer(FUTURE_MS))


@pytest.mark.since("7.0")
def test_pexpireat_and_pexpiretime(conn, key):
    assert_reply(conn.call("PEXPIREAT", key, str(FUTURE_MS + 1)), integer(1))
    assert_reply(conn.call("PEXPIRETIME", key), integer(FUTURE_MS + 1))
    assert_reply(conn.call("EXPIRETIME", key), integer(FUTURE_S))


def test_expire_missing_key(conn):
    assert_reply(conn.call("EXPIRE", "missing", "100"), integer(0))
    assert_reply(conn.call("PEXPIREAT", "missing", str(FUTURE_MS)), integer(0))


@pytest.mark.parametrize("command,amount", [("EXPIRE", "0"), ("EXPIRE", "-5"), ("PEXPIRE", "-1"),
                                            ("EXPIREAT", "1"), ("PEXPIREAT", "0"),
                                            ("PEXPIREAT", "-9223372036854775808")])
def test_expire_in_the_past_deletes(conn, key, command, amount):
    assert_reply(conn.call(command, key, amount), integer(1))
    assert_reply(conn.call("EXISTS", key), integer(0))


@pytest.mark.parametrize("command,amount", [
    ("EXPIRE", "9223372036854775"), ("EXPIRE", "9223372036854776"), ("EXPIRE", "-9223372036854776"),
    ("PEXPIRE", "9223372036854775807"), ("EXPIREAT", "9223372036854776"), ("EXPIREAT", "-9223372036854776"),
])
def test_expire_overflow(conn, key, command, amount):
    assert_error(conn.call(command, key, amount), invalid(command.lower()))


@pytest.mark.since("7.0")
def test_expireat_largest_time(conn, key):
    assert_reply(conn.call("EXPIREAT", key, "9223372036854775"), integer(1))
    assert_reply(conn.call("EXPIRETIME", key), integer(9223372036854775))
    assert_reply(conn.call("PEXPIREAT", key, "9223372036854775807"), integer(1))
    assert_reply(conn.call("PEXPIRETIME", key), integer(9223372036854775807))


@pytest.mark.parametrize("amount", ["x", "", " 1", "1.5", "9223372036854775808"])
def test_expire_not_integer(conn, key, amount):
    assert_error(conn.call("EXPIRE", key, amount), NOT_INTEGER)


# -- NX / XX / GT / LT ---------------------------------------------------------------------------------------------
@pytest.mark.since("7.0")
def test_expire_nx(conn, key):
    assert_reply(conn.call("EXPIRE", key, "100", "NX"), integer(1))
    assert_reply(conn.call("EXPIRE", key, "200", "nx"), integer(0))
    assert_reply(conn.call("TTL", key), integer(100))


@pytest.mark.since("7.0")
def test_expire_xx(conn, key):
    assert_reply(conn.call("EXPIRE", key, "100", "XX"), integer(0))
    assert_reply(conn.call("TTL", key), integer(-1))
    assert_reply(conn.call("EXPIRE", key, "100"), integer(1))
    assert_reply(conn.call("EXPIRE", key, "200", "xx"), integer(1))
    assert_reply(conn.call("TTL", key), integer(200))


@pytest.mark.since("7.0")
def test_expire_gt(conn, key):
    assert_reply(conn.call("EXPIRE", key, "100", "GT"), integer(0))  # no expiry counts as infinite
    assert_reply(conn.call("EXPIRE", key, "100"), integer(1))
    assert_reply(conn.call("EXPIRE", key, "50", "GT"), integer(0))
    assert_reply(conn.call("EXPIRE", key, "200", "gt"), integer(1))
    assert_reply(conn.call("TTL", key), integer(200))


@pytest.mark.since("7.0")
def test_expire_lt(conn, key):
    assert_reply(conn.call("EXPIRE", key, "100", "LT"), integer(1))  # anything is less than infinite
    assert_reply(conn.call("EXPIRE", key, "200", "LT"), integer(0))
    assert_reply(conn.call("EXPIRE", key, "50", "lt"), integer(1))
    assert_reply(conn.call("TTL", key), integer(50))


@pytest.mark.since("7.0")
def test_expire_xx_gt_together(conn, key):
    assert_reply(conn.call("PEXPIREAT", key, str(FUTURE_MS), "XX", "GT"), integer(0))
    assert_reply(conn.call("PEXPIREAT", key, str(FUTURE_MS)), integer(1))
    assert_reply(conn.call("PEXPIREAT", key, str(FUTURE_MS + 1), "XX", "GT"), integer(1))
    assert_reply(conn.call("PEXPIREAT", key, str(FUTURE_MS + 1), "GT"), integer(0))


@pytest.mark.since("7.0")
def test_expire_lt_in_the_past_deletes(conn, key):
    assert_reply(conn.call("EXPIRE", key, "-5", "LT"), integer(1))
    assert_reply(conn.call("EXISTS", key), integer(0))


@pytest.mark.since("7.0")
def test_expire_condition_on_missing_key(conn):
    assert_reply(conn.call("EXPIRE", "missing", "10", "XX", "GT"), integer(0))


@pytest.mark.since("7.0")
@pytest.mark.parametrize("options,message", [
    (("NX", "XX"), NX_AND_OTHERS), (("NX", "GT"), NX_AND_OTHERS), (("LT", "NX"), NX_AND_OTHERS),
    (("GT", "LT"), GT_AND_LT), (("XX", "GT", "LT"), GT_AND_LT), (("foo",), "ERR Unsupported option foo"),
    (("NX", "XX", "bar"), "ERR Unsupported option bar"),
], ids=["nx-xx", "nx-gt", "lt-nx", "gt-lt", "xx-gt-lt", "unknown", "unknown-wins"])
def test_expire_incompatible_options(conn, key, options, message):
    assert_error(conn.call("EXPIRE", key, "10", *options), message)


@pytest.mark.since("7.0")
def test_expire_options_checked_before_time(conn, key):
    assert_error(conn.call("PEXPIRE", key, "x", "NX", "XX"), NX_AND_OTHERS)
    assert_error(conn.call("EXPIREAT", "missing", "x", "GT", "LT"), GT_AND_LT)


# -- reading expiries ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["TTL", "PTTL", *(pytest.param(c, marks=pytest.mark.since("7.0"))
                                                      for c in ("EXPIRETIME", "PEXPIRETIME"))])
def test_ttl_family_missing_and_persistent(conn, key, command):
    assert_reply(conn.call(command, "missing"), integer(-2))
    assert_reply(conn.call(command, key), integer(-1))


def test_ttl_rounds_to_nearest_second(conn, key):
    assert_reply(conn.call("PEXPIRE", key, "100600"), integer(1))
    assert_reply(conn.call("TTL", key), integer(101))


# -- PERSIST -------------------------------------------------------------------------------------------------------
def test_persist(conn, key):
    assert_reply(conn.call("PERSIST", key), integer(0))
    assert_reply(conn.call("EXPIRE", key, "100"), integer(1))
    assert_reply(conn.call("PERSIST", key), integer(1))
    assert_reply(conn.call("TTL", key), integer(-1))


def test_persist_missing_key(conn):
    assert_reply(conn.call("PERSIST", "missing"), integer(0))
