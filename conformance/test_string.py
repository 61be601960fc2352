"""String group, whole values: GET, SET and its options, SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX, MGET, MSET,
MSETNX. Expiry is observed through GET after a short wait, so the cases need no other command group.

The in-place and numeric commands and LCS are in test_string_edits.py.
"""
from __future__ import annotations

import time

import pytest

from forkdiff.types import bulk, bulks, integer

from .asserts import assert_error, assert_null, assert_ok, assert_reply

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INTEGER = "ERR value is not an integer or out of range"
SYNTAX = "ERR syntax error"
SHORT_TTL_MS = 30  # short enough to wait out, long enough to read the key back before it expires
WAIT_S = 0.06


def invalid_expire(command: str) -> str:
    return f"ERR invalid expire time in '{command}' command"


def assert_expires(conn, resp, key: str) -> None:
    """The key is still there now and gone once a short expiry has passed."""
    assert conn.call("GET", key).kind.value == "bulk", f"{key} expired too early"
    time.sleep(WAIT_S)
    assert_null(conn.call("GET", key), resp)


def assert_survives(conn, key: str, value: str) -> None:
    """The key outlives a short expiry it was given earlier (its TTL was removed or never set)."""
    time.sleep(WAIT_S)
    assert_reply(conn.call("GET", key), bulk(value))


# -- GET -----------------------------------------------------------------------------------------------------------
def test_get_missing_key(conn, resp):
    assert_null(conn.call("GET", "nokey"), resp)


def test_get_binary_value(conn):
    value = b"a\x00b\r\nc\xff"
    assert_ok(conn.call("SET", "k", value))
    assert_reply(conn.call("GET", "k"), bulk(value))


def test_get_empty_value(conn):
    assert_ok(conn.call("SET", "k", ""))
    assert_reply(conn.call("GET", "k"), bulk(b""))


def test_get_wrongtype(conn):
    conn.call("SADD", "s", "a")
    assert_error(conn.call("GET", "s"), WRONGTYPE)


# -- SET -----------------------------------------------------------------------------------------------------------
def test_set_overwrites_value_of_any_type(conn):
    conn.call("SADD", "k", "a")
    assert_ok(conn.call("SET", "k", "v"))
    assert_reply(conn.call("GET", "k"), bulk("v"))


def test_set_nx(conn, resp):
    assert_ok(conn.call("SET", "k", "v1", "NX"))
    assert_null(conn.call("SET", "k", "v2", "NX"), resp)
    assert_reply(conn.call("GET", "k"), bulk("v1"))


def test_set_nx_on_other_type_is_not_set(conn, resp):
    conn.call("SADD", "k", "a")
    assert_null(conn.call("SET", "k", "v", "NX"), resp)
    assert_error(conn.call("GET", "k"), WRONGTYPE)


def test_set_xx(conn, resp):
    assert_null(conn.call("SET", "k", "v1", "XX"), resp)
    assert_null(conn.call("GET", "k"), resp)
    conn.call("SET", "k", "v1")
    assert_ok(conn.call("SET", "k", "v2", "XX"))
    assert_reply(conn.call("GET", "k"), bulk("v2"))


def test_set_get_returns_the_old_value(conn, resp):
    assert_null(conn.call("SET", "k", "v1", "GET"), resp)
    assert_reply(conn.call("SET", "k", "v2", "GET"), bulk("v1"))
    assert_reply(conn.call("GET", "k"), bulk("v2"))


def test_set_get_wrongtype_leaves_the_key(conn):
    conn.call("SADD", "k", "a")
    assert_error(conn.call("SET", "k", "v", "GET"), WRONGTYPE)
    assert_reply(conn.call("SISMEMBER", "k", "a"), integer(1))


@pytest.mark.since("7.0")
def test_set_nx_get(conn, resp):
    assert_null(conn.call("SET", "k", "v1", "NX", "GET"), resp)
    assert_reply(conn.call("SET", "k", "v2", "NX", "GET"), bulk("v1"))
    assert_reply(conn.call("GET", "k"), bulk("v1"))


def test_set_xx_get(conn, resp):
    assert_null(conn.call("SET", "k", "v1", "XX", "GET"), resp)
    assert_null(conn.call("GET", "k"), resp)
    conn.call("SET", "k", "v1")
    assert_reply(conn.call("SET", "k", "v2", "XX", "GET"), bulk("v1"))
    assert_reply(conn.call("GET", "k"), bulk("v2"))


def test_set_options_are_case_insensitive(conn, resp):
    assert_ok(conn.call("SET", "k", "v", "nX", "pX", "100000"))
    assert_reply(conn.call("SET", "k", "w", "xx", "gEt", "KeepTtl"), bulk("v"))


def test_set_repeated_options_are_accepted(conn, resp):
    assert_ok(conn.call("SET", "k", "v", "PX", "100000", "PX", SHORT_TTL_MS))
    assert_expires(conn, resp, "k")
    conn.call("SET", "k", "v")
    assert_ok(conn.call("SET", "k", "v1", "XX", "XX"))
    assert_reply(conn.call("SET", "k", "v2", "GET", "GET"), bulk("v1"))


@pytest.mark.parametrize("options", [
    ["NX", "XX"], ["XX", "NX"], ["EX", "10", "PX", "100"], ["PX", "100", "EXAT", "9999999999"],
    ["EXAT", "9999999999", "PXAT", "9999999999999"], ["EX", "10", "KEEPTTL"], ["KEEPTTL", "PX", "10"],
    ["PERSIST"], ["EX"], ["GET", "PX"], ["foo"], ["EX", "10", "bar"], ["NX", "EX"],
], ids=lambda o: "-".join(o))
def test_set_syntax_errors(conn, resp, options):
    assert_error(conn.call("SET", "k", "v", *options), SYNTAX)
    assert_null(conn.call("GET", "k"), resp)


def test_set_option_with_nul_byte_is_cut_there(conn, resp):
    """Redis compares options as C strings: the bytes after a NUL are not seen."""
    assert_ok(conn.call("SET", "k", "v", b"NX\x00junk"))
    assert_null(conn.call("SET", "k", "w", b"nx\x00"), resp)


@pytest.mark.parametrize("amount", ["abc", "1.5", " 1", "1 ", "+1", "01", "-0", "", "9223372036854775808"])
def test_set_expire_not_an_integer(conn, resp, amount):
    assert_error(conn.call("SET", "k", "v", "EX", amount), NOT_INTEGER)
    assert_null(conn.call("GET", "k"), resp)


@pytest.mark.parametrize("option,amount", [
    ("EX", "0"), ("EX", "-1"), ("PX", "0"), ("PX", "-100"), ("EXAT", "0"), ("PXAT", "-5"),
    ("EX", "9223372036854775807"), ("EX", "9223372036854776"), ("EXAT", "9223372036854776"),
    ("EX", "9223372036854775"), ("PX", "9223372036854775807"), ("PX", "9223372036854775000"),
], ids=lambda v: v)
def test_set_invalid_expire_time(conn, resp, option, amount):
    """Not positive, or too large once converted to an absolute time in milliseconds."""
    assert_error(conn.call("SET", "k", "v", option, amount), invalid_expire("set"))
    assert_null(conn.call("GET", "k"), resp)


def test_set_largest_absolute_expiries(conn):
    assert_ok(conn.call("SET", "a", "v", "PXAT", "9223372036854775807"))
    assert_ok(conn.call("SET", "b", "v", "EXAT", "9223372036854775"))
    assert_reply(conn.call("MGET", "a", "b"), bulks("v", "v"))


def test_set_expire_is_checked_before_the_type(conn):
    conn.call("SADD", "s", "a")
    assert_error(conn.call("SET", "s", "v", "GET", "EX", "0"), invalid_expire("set"))
    assert_error(conn.call("SET", "s", "v", "GET", "EX", "x"), NOT_INTEGER)


def test_set_exat_in_the_past_removes_the_key(conn, resp):
    conn.call("SET", "k", "old")
    assert_ok(conn.call("SET", "k", "v", "EXAT", "1"))
    assert_null(conn.call("GET", "k"), resp)
    assert_ok(conn.call("SET", "k", "v", "PXAT", "1000"))
    assert_null(conn.call("GET", "k"), resp)


def test_set_px_expires(conn, resp):
    assert_ok(conn.call("SET", "k", "v", "PX", SHORT_TTL_MS))
    assert_expires(conn, resp, "k")


def test_set_pxat_expires(conn, resp):
    assert_ok(conn.call("SET", "k", "v", "PXAT", int(time.time() * 1000) + SHORT_TTL_MS))
    assert_expires(conn, resp, "k")


def test_set_ex_counts_seconds(conn):
    assert_ok(conn.call("SET", "k", "v", "EX", "1"))
    assert_survives(conn, "k", "v")


def test_set_keepttl_keeps_the_expiry(conn, resp):
    conn.call("SET", "k", "v1", "PX", SHORT_TTL_MS)
    assert_ok(conn.call("SET", "k", "v2", "KEEPTTL"))
    assert_expires(conn, resp, "k")


def test_set_without_keepttl_clears_the_expiry(conn):
    conn.call("SET", "k", "v1", "PX", SHORT_TTL_MS)
    assert_ok(conn.call("SET", "k", "v2"))
    assert_survives(conn, "k", "v2")


def test_set_nx_failure_keeps_the_expiry(conn, resp):
    conn.call("SET", "k", "v1", "PX", SHORT_TTL_MS)
    assert_null(conn.call("SET", "k", "v2", "NX", "EX", "100"), resp)
    assert_expires(conn, resp, "k")


# -- SETNX, SETEX, PSETEX --------------------------------------------------------------------------------------------
def test_setnx(conn):
    assert_reply(conn.call("SETNX", "k", "v1"), integer(1))
    assert_reply(conn.call("SETNX", "k", "v2"), integer(0))
    assert_reply(conn.call("GET", "k"), bulk("v1"))


def test_setnx_on_other_type(conn):
    conn.call("SADD", "k", "a")
    assert_reply(conn.call("SETNX", "k", "v"), integer(0))


def test_setex_sets_value_and_seconds(conn):
    conn.call("SADD", "k", "a")
    assert_ok(conn.call("SETEX", "k", "1", "v"))
    assert_survives(conn, "k", "v")


def test_psetex_expires(conn, resp):
    assert_ok(conn.call("PSETEX", "k", SHORT_TTL_MS, "v"))
    assert_expires(conn, resp, "k")


@pytest.mark.parametrize("command", ["SETEX", "PSETEX"])
@pytest.mark.parametrize("amount", ["0", "-5", "9223372036854775807"])
def test_setex_invalid_expire_time(conn, resp, command, amount):
    assert_error(conn.call(command, "k", amount, "v"), invalid_expire(command.lower()))
    assert_null(conn.call("GET", "k"), resp)


@pytest.mark.parametrize("command", ["SETEX", "PSETEX"])
def test_setex_expire_not_an_integer(conn, command):
    assert_error(conn.call(command, "k", "1.5", "v"), NOT_INTEGER)


def test_setex_seconds_overflow(conn):
    assert_error(conn.call("SETEX", "k", "9223372036854775", "v"), invalid_expire("setex"))


# -- GETSET, GETDEL ----------------------------------------------------------------------------------------------------
def test_getset(conn, resp):
    assert_null(conn.call("GETSET", "k", "v1"), resp)
    assert_reply(conn.call("GETSET", "k", "v2"), bulk("v1"))
    assert_reply(conn.call("GET", "k"), bulk("v2"))


def test_getset_clears_the_expiry(conn):
    conn.call("SET", "k", "v1", "PX", SHORT_TTL_MS)
    assert_reply(conn.call("GETSET", "k", "v2"), bulk("v1"))
    assert_survives(conn, "k", "v2")


def test_getset_wrongtype(conn):
    conn.call("SADD", "k", "a")
    assert_error(conn.call("GETSET", "k", "v"), WRONGTYPE)
    assert_reply(conn.call("SISMEMBER", "k", "a"), integer(1))


@pytest.mark.since("6.2")
def test_getdel(conn, resp):
    conn.call("SET", "k", "v")
    assert_reply(conn.call("GETDEL", "k"), bulk("v"))
    assert_null(conn.call("GETDEL", "k"), resp)
    assert_null(conn.call("GET", "k"), resp)


@pytest.mark.since("6.2")
def test_getdel_wrongtype_keeps_the_key(conn):
    conn.call("SADD", "k", "a")
    assert_error(conn.call("GETDEL", "k"), WRONGTYPE)
    assert_reply(conn.call("SISMEMBER", "k", "a"), integer(1))


# -- GETEX -------------------------------------------------------------------------------------------------------------
@pytest.mark.since("6.2")
def test_getex_without_options_is_get(conn, resp):
    conn.call("SET", "k", "v", "PX", SHORT_TTL_MS)
    assert_reply(conn.call("GETEX", "k"), bulk("v"))
    assert_null(conn.call("GETEX", "nokey"), resp)
    assert_expires(conn, resp, "k")


@pytest.mark.since("6.2")
@pytest.mark.parametrize("option,amount", [("PX", SHORT_TTL_MS), ("PXAT", "now")])
def test_getex_sets_the_expiry(conn, resp, option, amount):
    conn.call("SET", "k", "v")
    if amount == "now":
        amount = int(time.time() * 1000) + SHORT_TTL_MS
    assert_reply(conn.call("GETEX", "k", option, amount), bulk("v"))
    assert_expires(conn, resp, "k")


@pytest.mark.since("6.2")
def test_getex_ex_counts_seconds(conn):
    conn.call("SET", "k", "v")
    assert_reply(conn.call("GETEX", "k", "EX", "1", "EX", "2"), bulk("v"))
    assert_survives(conn, "k", "v")


@pytest.mark.since("6.2")
def test_getex_persist(conn):
    conn.call("SET", "k", "v", "PX", SHORT_TTL_MS)
    assert_reply(conn.call("GETEX", "k", "PERSIST", "persist"), bulk("v"))
    assert_survives(conn, "k", "v")


@pytest.mark.since("6.2")
@pytest.mark.parametrize("option,amount", [("PXAT", "1"), ("EXAT", "1")])
def test_getex_past_absolute_time_deletes_the_key(conn, resp, option, amount):
    conn.call("SET", "k", "v")
    assert_reply(conn.call("GETEX", "k", option, amount), bulk("v"))
    assert_null(conn.call("GET", "k"), resp)


@pytest.mark.since("6.2")
@pytest.mark.parametrize("options", [
    ["PERSIST", "EX", "10"], ["EX", "10", "PERSIST"], ["EX", "10", "PX", "10"], ["KEEPTTL"], ["NX"], ["XX"],
    ["GET"], ["EX"], ["foo"],
], ids=lambda o: "-".join(o))
def test_getex_syntax_errors(conn, options):
    conn.call("SET", "k", "v")
    assert_error(conn.call("GETEX", "k", *options), SYNTAX)
    assert_error(conn.call("GETEX", "nokey", *options), SYNTAX)


@pytest.mark.since("6.2")
@pytest.mark.parametrize("option,amount", [
    ("EX", "0"), ("EX", "-1"), ("PX", "9223372036854775807"), ("EXAT", "9223372036854776"), ("PXAT", "0"),
], ids=lambda v: v)
def test_getex_invalid_expire_time(conn, option, amount):
    conn.call("SET", "k", "v")
    assert_error(conn.call("GETEX", "k", option, amount), invalid_expire("getex"))
    assert_error(conn.call("GETEX", "k", option, "abc"), NOT_INTEGER)
    assert_reply(conn.call("GET", "k"), bulk("v"))


@pytest.mark.since("6.2")
def test_getex_missing_key_ignores_the_expire_value(conn, resp):
    assert_null(conn.call("GETEX", "nokey", "EX", "-1"), resp)
    assert_null(conn.call("GETEX", "nokey", "PX", "abc"), resp)


@pytest.mark.since("6.2")
def test_getex_wrongtype_before_the_expire_value(conn):
    conn.call("SADD", "k", "a")
    assert_error(conn.call("GETEX", "k", "EX", "0"), WRONGTYPE)
    assert_error(conn.call("GETEX", "k", "PERSIST"), WRONGTYPE)


# -- MGET, MSET, MSETNX ------------------------------------------------------------------------------------------------
def test_mget_missing_and_other_types_are_null(conn):
    conn.call("SET", "a", "1")
    conn.call("SET", "b", "")
    conn.call("SADD", "s", "x")
    assert_reply(conn.call("MGET", "a", "nokey", "s", "b", "a"), bulks("1", None, None, b"", "1"))


def test_mset(conn):
    conn.call("SADD", "s", "x")
    assert_ok(conn.call("MSET", "a", "1", "s", "2", "a", "3"))
    assert_reply(conn.call("MGET", "a", "s"), bulks("3", "2"))


def test_mset_clears_the_expiry(conn):
    conn.call("SET", "a", "1", "PX", SHORT_TTL_MS)
    assert_ok(conn.call("MSET", "a", "2"))
    assert_survives(conn, "a", "2")


@pytest.mark.parametrize("command", ["MSET", "MSETNX"])
def test_mset_key_without_value(conn, resp, command):
    assert_error(conn.call(command, "a", "1", "b"), f"ERR wrong number of arguments for '{command.lower()}' command")
    assert_null(conn.call("GET", "a"), resp)


def test_msetnx_all_new(conn):
    assert_reply(conn.call("MSETNX", "a", "1", "b", "2"), integer(1))
    assert_reply(conn.call("MGET", "a", "b"), bulks("1", "2"))


def test_msetnx_one_existing_sets_nothing(conn):
    conn.call("SET", "b", "old")
    assert_reply(conn.call("MSETNX", "a", "1", "b", "2"), integer(0))
    assert_reply(conn.call("MGET", "a", "b"), bulks(None, "old"))


def test_msetnx_existing_key_of_other_type(conn):
    conn.call("SADD", "s", "x")
    assert_reply(conn.call("MSETNX", "a", "1", "s", "2"), integer(0))


def test_msetnx_same_key_twice_keeps_the_last(conn):
    assert_reply(conn.call("MSETNX", "a", "1", "a", "2"), integer(1))
    assert_reply(conn.call("GET", "a"), bulk("2"))


@pytest.mark.since("6.2")
def test_getex_without_change_leaves_a_watched_key_alone(conn, connect_client):
    """Commands that end up changing nothing do not abort a transaction WATCHing the key."""
    conn.call("SET", "k", "v")
    conn.call("WATCH", "k")
    other = connect_client()
    for command in (("GETEX", "k"), ("GETEX", "k", "PERSIST"), ("SET", "k", "w", "NX"), ("SETRANGE", "k", "0", ""),
                    ("MSETNX", "k", "w")):
        other.call(*command)
    conn.call("MULTI")
    conn.call("GET", "k")
    assert_reply(conn.call("EXEC"), bulks("v"))


# -- OBJECT ENCODING of a value stored on a key that has a TTL -----------------------------------------------------
@pytest.mark.since("8.0")
@pytest.mark.parametrize("key_len,value_len,encoding", [
    (32, 8, "raw"), (32, 9, "raw"), (40, 0, "raw"), (41, 0, "raw"), (33, 1, "raw"), (32, 1, "embstr"),
    (20, 13, "embstr"), (20, 14, "raw"), (10, 24, "raw")])
@pytest.mark.parametrize("options", [("KEEPTTL",), ("GET", "KEEPTTL"), ("XX", "KEEPTTL"), ("EX", "200")],
                         ids=["keepttl", "get-keepttl", "xx-keepttl", "ex-over-ttl"])
def test_set_over_a_ttl_sizes_the_value_with_its_expiry(conn, options, key_len, value_len, encoding):
    key = "k" * key_len
    assert_ok(conn.call("SET", key, "x", "EX", "100"))
    conn.call("SET", key, "v" * value_len, *options)
    assert_reply(conn.call("OBJECT", "ENCODING", key), bulk(encoding))


@pytest.mark.since("8.0")
@pytest.mark.parametrize("key_len,value_len,encoding", [(32, 8, "embstr"), (41, 0, "embstr"), (20, 14, "raw")])
def test_set_ex_on_a_key_without_ttl_may_use_spare_room(conn, key_len, value_len, encoding):
    key = "k" * key_len
    assert_ok(conn.call("SET", key, "v" * value_len, "EX", "100"))
    assert_reply(conn.call("OBJECT", "ENCODING", key), bulk(encoding))


@pytest.mark.since("8.0")
def test_set_keepttl_integer_stays_int(conn):
    assert_ok(conn.call("SET", "k" * 40, "x", "EX", "100"))
    assert_ok(conn.call("SET", "k" * 40, "123", "KEEPTTL"))
    assert_reply(conn.call("OBJECT", "ENCODING", "k" * 40), bulk("int"))


@pytest.mark.since("8.0")
@pytest.mark.command("rename")
@pytest.mark.parametrize("command", ["RENAME", "COPY"])
def test_set_value_rebuilt_under_a_long_name_with_ttl_is_raw(conn, command):
    assert_ok(conn.call("SET", "a", "v" * 8, "EX", "100"))
    conn.call(command, "a", "k" * 32)
    assert_reply(conn.call("OBJECT", "ENCODING", "k" * 32), bulk("raw"))
