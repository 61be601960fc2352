"""Generic (keyspace) group: DEL, UNLINK, EXISTS, TOUCH, TYPE, KEYS, RANDOMKEY, RENAME, RENAMENX, MOVE, COPY,
OBJECT, WAIT, WAITAOF. Expiry commands are in test_generic_expiry.py, SCAN in test_generic_scan.py.

Values are strings only, so the cases need no other data type group.
"""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, array, bulk, bulks, integer, simple

from .asserts import assert_error, assert_help, assert_members, assert_null, assert_ok, assert_reply
from .glob_cases import GLOB_CASES

SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
DB_INDEX = "ERR DB index is out of range"
SAME_OBJECT = "ERR source and destination objects are the same"
NO_SUCH_KEY = "ERR no such key"
INT_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647"


def put(conn, *pairs: str) -> None:
    assert_ok(conn.call("MSET", *pairs))


# -- DEL / UNLINK / EXISTS / TOUCH ---------------------------------------------------------------------------------
def test_del_counts_deleted_keys_once(conn):
    put(conn, "a", "1", "b", "2")
    assert_reply(conn.call("DEL", "a", "b", "a", "missing"), integer(2))
    assert_reply(conn.call("EXISTS", "a", "b"), integer(0))


def test_unlink_counts_deleted_keys(conn):
    put(conn, "a", "1", "b", "2")
    assert_reply(conn.call("UNLINK", "a", "missing", "b"), integer(2))
    assert_reply(conn.call("DEL", "a"), integer(0))


def test_del_wrong_arity(conn):
    assert_error(conn.call("DEL"), "ERR wrong number of arguments for 'del' command")


def test_exists_counts_repeats(conn):
    put(conn, "a", "1")
    assert_reply(conn.call("EXISTS", "a", "a", "a", "missing"), integer(3))


def test_exists_expired_key(conn):
    put(conn, "a", "1")
    assert_reply(conn.call("PEXPIREAT", "a", "1"), integer(1))
    assert_reply(conn.call("EXISTS", "a"), integer(0))


def test_touch_counts_existing(conn):
    put(conn, "a", "1", "b", "2")
    assert_reply(conn.call("TOUCH", "a", "a", "b", "missing"), integer(3))


# -- TYPE ----------------------------------------------------------------------------------------------------------
def test_type_string_and_none(conn):
    put(conn, "a", "1")
    assert_reply(conn.call("TYPE", "a"), simple("string"))
    assert_reply(conn.call("TYPE", "missing"), simple("none"))


def test_type_wrong_arity(conn):
    assert_error(conn.call("TYPE", "a", "b"), "ERR wrong number of arguments for 'type' command")


# -- KEYS ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case,pattern,hits,misses", GLOB_CASES, ids=[c[0] for c in GLOB_CASES])
def test_keys_glob(conn, case, pattern, hits, misses):
    for name in hits + misses:
        assert_ok(conn.call("SET", name, "1"))
    assert_members(conn.call("KEYS", pattern), [bulk(n) for n in hits])


def test_keys_star_lists_every_key_even_the_empty_name(conn):
    put(conn, "", "1", "a", "2")
    assert_members(conn.call("KEYS", "*"), bulks("", "a").value)
    assert_members(conn.call("KEYS", "**"), bulks("a").value)


def test_keys_then_the_pipelined_commands_are_answered(conn):
    put(conn, "a", "1")
    conn.send_raw(b"*2\r\n$4\r\nKEYS\r\n$1\r\n*\r\n*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n")
    assert_members(conn.read_reply(timeout=2), bulks("a").value)
    assert_reply(conn.read_reply(timeout=2), simple("PONG"))
    assert_reply(conn.read_reply(timeout=2), bulk("1"))


def test_keys_empty_pattern_matches_the_empty_name(conn):
    put(conn, "", "1", "a", "2")
    assert_reply(conn.call("KEYS", ""), bulks(""))


def test_keys_empty_keyspace(conn):
    assert_reply(conn.call("KEYS", "*"), bulks())


def test_keys_skips_expired(conn):
    put(conn, "a", "1", "b", "2")
    assert_reply(conn.call("PEXPIREAT", "a", "1"), integer(1))
    assert_reply(conn.call("KEYS", "*"), bulks("b"))


# -- RANDOMKEY -----------------------------------------------------------------------------------------------------
def test_randomkey_empty(conn, resp):
    assert_null(conn.call("RANDOMKEY"), resp)


def test_randomkey_returns_a_key(conn):
    put(conn, "a", "1", "b", "2")
    got = conn.call("RANDOMKEY")
    assert got.kind is Kind.BULK and got.value in (b"a", b"b")


# -- RENAME / RENAMENX ---------------------------------------------------------------------------------------------
def test_rename_moves_value(conn, resp):
    put(conn, "a", "1")
    assert_ok(conn.call("RENAME", "a", "b"))
    assert_null(conn.call("GET", "a"), resp)
    assert_reply(conn.call("GET", "b"), bulk("1"))


@pytest.mark.since("7.0")
def test_rename_overwrites_and_carries_ttl(conn):
    put(conn, "a", "1", "b", "2")
    assert_reply(conn.call("PEXPIREAT", "a", "4000000000000"), integer(1))
    assert_ok(conn.call("RENAME", "a", "b"))
    assert_reply(conn.call("PEXPIRETIME", "b"), integer(4000000000000))
    assert_reply(conn.call("GET", "b"), bulk("1"))


def test_rename_drops_destination_ttl(conn):
    put(conn, "a", "1", "b", "2")
    assert_reply(conn.call("EXPIRE", "b", "100"), integer(1))
    assert_ok(conn.call("RENAME", "a", "b"))
    assert_reply(conn.call("TTL", "b"), integer(-1))


def test_rename_missing_key(conn):
    assert_error(conn.call("RENAME", "missing", "x"), NO_SUCH_KEY)


def test_rename_missing_key_onto_itself(conn):
    assert_error(conn.call("RENAME", "missing", "missing"), NO_SUCH_KEY)


def test_rename_same_name(conn):
    put(conn, "a", "1")
    assert_ok(conn.call("RENAME", "a", "a"))
    assert_reply(conn.call("GET", "a"), bulk("1"))


def test_renamenx_only_to_a_free_name(conn):
    put(conn, "a", "1", "b", "2")
    assert_reply(conn.call("RENAMENX", "a", "b"), integer(0))
    assert_reply(conn.call("RENAMENX", "a", "c"), integer(1))
    assert_reply(conn.call("GET", "c"), bulk("1"))


@pytest.mark.since("7.0")
def test_renamenx_carries_ttl(conn):
    put(conn, "a", "1")
    assert_reply(conn.call("PEXPIREAT", "a", "4000000000000"), integer(1))
    assert_reply(conn.call("RENAMENX", "a", "c"), integer(1))
    assert_reply(conn.call("PEXPIRETIME", "c"), integer(4000000000000))


def test_renamenx_same_name(conn):
    put(conn, "a", "1")
    assert_reply(conn.call("RENAMENX", "a", "a"), integer(0))


def test_renamenx_missing_key(conn):
    assert_error(conn.call("RENAMENX", "missing", "x"), NO_SUCH_KEY)


# -- MOVE ----------------------------------------------------------------------------------------------------------
@pytest.mark.since("7.0")
def test_move_to_another_db(conn, resp):
    put(conn, "a", "1")
    assert_reply(conn.call("PEXPIREAT", "a", "4000000000000"), integer(1))
    assert_reply(conn.call("MOVE", "a", "1"), integer(1))
    assert_null(conn.call("GET", "a"), resp)
    assert_ok(conn.call("SELECT", "1"))
    assert_reply(conn.call("GET", "a"), bulk("1"))
    assert_reply(conn.call("PEXPIRETIME", "a"), integer(4000000000000))


def test_move_refused_when_target_has_key(conn):
    put(conn, "a", "1")
    assert_ok(conn.call("SELECT", "1"))
    put(conn, "a", "other")
    assert_ok(conn.call("SELECT", "0"))
    assert_reply(conn.call("MOVE", "a", "1"), integer(0))
    assert_reply(conn.call("GET", "a"), bulk("1"))


def test_move_missing_key(conn):
    assert_reply(conn.call("MOVE", "missing", "1"), integer(0))


@pytest.mark.parametrize("db,message", [("0", SAME_OBJECT), ("16", DB_INDEX), ("-1", DB_INDEX),
                                        ("x", NOT_INTEGER), ("4294967296", INT_RANGE)])
def test_move_bad_db(conn, db, message):
    put(conn, "a", "1")
    assert_error(conn.call("MOVE", "a", db), message)


def test_move_same_db_checked_before_key(conn):
    assert_error(conn.call("MOVE", "missing", "0"), SAME_OBJECT)


# -- COPY ----------------------------------------------------------------------------------------------------------
@pytest.mark.since("7.0")
def test_copy_duplicates_value_and_ttl(conn):
    put(conn, "a", "1")
    assert_reply(conn.call("PEXPIREAT", "a", "4000000000000"), integer(1))
    assert_reply(conn.call("COPY", "a", "b"), integer(1))
    assert_reply(conn.call("GET", "b"), bulk("1"))
    assert_reply(conn.call("PEXPIRETIME", "b"), integer(4000000000000))


def test_copy_is_independent(conn):
    put(conn, "a", "hello")
    assert_reply(conn.call("APPEND", "a", "!"), integer(6))
    assert_reply(conn.call("COPY", "a", "b"), integer(1))
    assert_reply(conn.call("APPEND", "b", "?"), integer(7))
    assert_reply(conn.call("GET", "a"), bulk("hello!"))


def test_copy_refuses_existing_destination(conn):
    put(conn, "a", "1", "b", "2")
    assert_reply(conn.call("COPY", "a", "b"), integer(0))
    assert_reply(conn.call("GET", "b"), bulk("2"))


def test_copy_replace(conn):
    put(conn, "a", "1", "b", "2")
    assert_reply(conn.call("EXPIRE", "b", "100"), integer(1))
    assert_reply(conn.call("COPY", "a", "b", "REPLACE"), integer(1))
    assert_reply(conn.call("GET", "b"), bulk("1"))
    assert_reply(conn.call("TTL", "b"), integer(-1))


def test_copy_to_db(conn):
    put(conn, "a", "1")
    assert_reply(conn.call("COPY", "a", "a", "DB", "1"), integer(1))
    assert_reply(conn.call("COPY", "a", "a", "db", "1"), integer(0))
    assert_reply(conn.call("COPY", "a", "a", "DB", "1", "REPLACE"), integer(1))
    assert_ok(conn.call("SELECT", "1"))
    assert_reply(conn.call("GET", "a"), bulk("1"))


def test_copy_missing_source(conn):
    assert_reply(conn.call("COPY", "missing", "b"), integer(0))


def test_copy_repeated_replace(conn):
    put(conn, "a", "1")
    assert_reply(conn.call("COPY", "a", "b", "REPLACE", "REPLACE"), integer(1))


@pytest.mark.parametrize("args,message", [
    (("a", "a"), SAME_OBJECT), (("a", "a", "DB", "0"), SAME_OBJECT), (("a", "b", "DB"), SYNTAX),
    (("a", "b", "REPLACE", "foo"), SYNTAX), (("a", "b", "DB", "16"), DB_INDEX), (("a", "b", "DB", "x"), NOT_INTEGER),
    (("missing", "missing"), SAME_OBJECT), (("a", "b", "DB", "x", "foo"), NOT_INTEGER),
], ids=["same-key", "same-key-same-db", "db-without-index", "unknown-option", "db-out-of-range",
        "db-not-integer", "missing-same-key", "first-error-wins"])
def test_copy_errors(conn, args, message):
    put(conn, "a", "1")
    assert_error(conn.call("COPY", *args), message)


# -- OBJECT --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,encoding", [
    ("1", "int"), ("-9223372036854775808", "int"), ("9223372036854775808", "embstr"), ("-0", "embstr"),
    ("01", "embstr"), ("", "embstr"), ("x" * 40, "embstr"), ("x" * 41, "raw"), ("x" * 100, "raw"),
])
def test_object_encoding_strings(conn, value, encoding):
    assert_ok(conn.call("SET", "k", value))
    assert_reply(conn.call("OBJECT", "ENCODING", "k"), bulk(encoding))


@pytest.mark.parametrize("key_len,value_len,encoding", [(1, 40, "embstr"), (20, 21, "embstr"), (20, 22, "raw"),
                                                        (41, 0, "embstr"), (42, 0, "raw")])
def test_object_encoding_key_and_value_share_an_allocation(conn, key_len, value_len, encoding):
    assert_ok(conn.call("SET", "k" * key_len, "v" * value_len))
    assert_reply(conn.call("OBJECT", "ENCODING", "k" * key_len), bulk(encoding))


@pytest.mark.parametrize("value_len,encoding", [(20, "embstr"), (32, "embstr"), (33, "raw"), (38, "raw")])
def test_object_encoding_after_expire(conn, value_len, encoding):
    assert_ok(conn.call("SET", "k", "v" * value_len))
    assert_reply(conn.call("EXPIRE", "k", "100"), integer(1))
    assert_reply(conn.call("OBJECT", "ENCODING", "k"), bulk(encoding))


def test_object_encoding_stays_raw_after_persist(conn):
    assert_ok(conn.call("SET", "k", "v" * 38))
    assert_reply(conn.call("EXPIRE", "k", "100"), integer(1))
    assert_reply(conn.call("PERSIST", "k"), integer(1))
    assert_reply(conn.call("OBJECT", "ENCODING", "k"), bulk("raw"))


def test_object_encoding_follows_renamed_key(conn):
    assert_ok(conn.call("SET", "a", "v" * 30))
    assert_ok(conn.call("RENAME", "a", "b" * 30))
    assert_reply(conn.call("OBJECT", "ENCODING", "b" * 30), bulk("raw"))
    assert_ok(conn.call("SET", "c" * 30, "v" * 20))
    assert_ok(conn.call("RENAME", "c" * 30, "d"))
    assert_reply(conn.call("OBJECT", "ENCODING", "d"), bulk("raw"))


def test_object_encoding_appended_string_is_raw(conn):
    assert_ok(conn.call("SET", "a", "hello"))
    assert_reply(conn.call("APPEND", "a", "x"), integer(6))
    assert_reply(conn.call("OBJECT", "ENCODING", "a"), bulk("raw"))


@pytest.mark.parametrize("sub", ["ENCODING", "REFCOUNT", "IDLETIME", "FREQ"])
def test_object_missing_key(conn, resp, sub):
    assert_null(conn.call("OBJECT", sub, "missing"), resp)


def test_object_refcount(conn):
    put(conn, "a", "1", "b", "hello")
    assert_reply(conn.call("OBJECT", "REFCOUNT", "a"), integer(1))
    assert_reply(conn.call("OBJECT", "REFCOUNT", "b"), integer(1))


def test_object_idletime_fresh_key(conn):
    # Not a small integer: older servers share those objects, whose idle time is the server's uptime (flaky).
    # Written and read in one transaction: the idle clock ticks in whole seconds and does not move during EXEC,
    # so a second boundary falling between the two commands cannot make it read 1.
    assert_ok(conn.call("MULTI"))
    conn.call("SET", "a", "v")
    conn.call("OBJECT", "IDLETIME", "a")
    assert_reply(conn.call("EXEC"), array(simple("OK"), integer(0)))


@pytest.mark.parametrize("command,reply,db,key", [
    (("RENAME", "a", "b"), simple("OK"), 0, "b"), (("RENAMENX", "a", "b"), integer(1), 0, "b"),
    (("MOVE", "a", "1"), integer(1), 1, "a"), (("COPY", "a", "b"), integer(1), 0, "b")],
    ids=["rename", "renamenx", "move", "copy"])
def test_object_idletime_key_added_anew_starts_at_zero(conn, command, reply, db, key):
    put(conn, "src", "hello")
    payload = conn.call("DUMP", "src").value
    assert_ok(conn.call("RESTORE", "a", "0", payload, "IDLETIME", "1000"))
    assert_ok(conn.call("MULTI"))  # one transaction: the idle clock cannot tick between the commands
    conn.call(*command)
    conn.call("SELECT", db)
    conn.call("OBJECT", "IDLETIME", key)
    assert_reply(conn.call("EXEC"), array(reply, simple("OK"), integer(0)))


def test_object_freq_without_lfu_policy(conn):
    put(conn, "a", "1")
    assert_error(conn.call("OBJECT", "FREQ", "a"),
                 "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when "
                 "switching between policies at runtime LRU and LFU data will take some time to adjust.")


def test_object_help(conn):
    assert_help(conn.call("OBJECT", "HELP"), "OBJECT", 15)


@pytest.mark.parametrize("args,message", [
    (("OBJECT",), "ERR wrong number of arguments for 'object' command"),
    (("OBJECT", "foo"), "ERR unknown subcommand 'foo'. Try OBJECT HELP."),
    (("OBJECT", "ENCODING"), "ERR wrong number of arguments for 'object|encoding' command"),
    (("OBJECT", "ENCODING", "a", "b"), "ERR wrong number of arguments for 'object|encoding' command"),
    (("OBJECT", "HELP", "x"), "ERR wrong number of arguments for 'object|help' command"),
], ids=["no-subcommand", "unknown-subcommand", "encoding-no-key", "encoding-two-keys", "help-extra"])
def test_object_errors(conn, args, message):
    assert_error(conn.call(*args), message)


# -- WAIT / WAITAOF ------------------------------------------------------------------------------------------------
def test_wait_no_replicas(conn):
    assert_reply(conn.call("WAIT", "0", "0"), integer(0))
    assert_reply(conn.call("WAIT", "-1", "0"), integer(0))


def test_wait_times_out_with_zero_acks(conn):
    assert_reply(conn.call("WAIT", "1", "20"), integer(0))


def test_wait_inside_multi_does_not_block(conn):
    assert_ok(conn.call("MULTI"))
    assert_reply(conn.call("WAIT", "1", "0"), simple("QUEUED"))
    assert_reply(conn.call("EXEC"), conn_array(0))


@pytest.mark.parametrize("args,message", [
    (("x", "0"), NOT_INTEGER), (("0", "x"), "ERR timeout is not an integer or out of range"),
    (("0", "-1"), "ERR timeout is negative"), (("0", "9223372036854775807"), "ERR timeout is out of range"),
], ids=["replicas-not-integer", "timeout-not-integer", "timeout-negative", "timeout-overflow"])
def test_wait_errors(conn, args, message):
    assert_error(conn.call("WAIT", *args), message)


@pytest.mark.since("7.2")
def test_waitaof_nothing_to_wait_for(conn):
    assert_reply(conn.call("WAITAOF", "0", "0", "0"), conn_array(0, 0))


@pytest.mark.since("7.2")
def test_waitaof_times_out(conn):
    assert_reply(conn.call("WAITAOF", "0", "1", "20"), conn_array(0, 0))


@pytest.mark.since("7.2")
@pytest.mark.parametrize("args,message", [
    (("x", "0", "0"), NOT_INTEGER), (("-1", "0", "0"), "ERR value is out of range, value must between 0 and 1"),
    (("2", "0", "0"), "ERR value is out of range, value must between 0 and 1"),
    (("0", "-1", "0"), "ERR value is out of range, must be positive"),
    (("0", "x", "0"), "ERR value is out of range, must be positive"),
    (("0", "0", "x"), "ERR timeout is not an integer or out of range"), (("0", "0", "-1"), "ERR timeout is negative"),
    (("1", "0", "0"), "ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled."),
    (("1", "0", "x"), "ERR timeout is not an integer or out of range"),
], ids=["numlocal-not-integer", "numlocal-negative", "numlocal-two", "replicas-negative", "replicas-not-integer",
        "timeout-not-integer", "timeout-negative", "no-appendonly", "timeout-checked-first"])
def test_waitaof_errors(conn, args, message):
    assert_error(conn.call("WAITAOF", *args), message)


def conn_array(*numbers: int):
    return array(*(integer(n) for n in numbers))


# -- MIGRATE: what can be seen without a second server (the transfer itself is a unit test between two servers) ---
MIGRATE_KEYS_NEED_EMPTY = "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"


def test_migrate_missing_keys_answer_nokey(conn):
    assert_reply(conn.call("MIGRATE", "127.0.0.1", "1", "missing", "0", "100"), simple("NOKEY"))
    assert_reply(conn.call("MIGRATE", "127.0.0.1", "1", "", "0", "100", "KEYS", "a", "b"), simple("NOKEY"))


def test_migrate_to_nothing_listening_is_ioerr_and_keeps_the_key(conn):
    put(conn, "k", "v")
    assert_error(conn.call("MIGRATE", "127.0.0.1", "1", "k", "0", "100"),
                 "IOERR error or timeout writing to target instance")
    assert_error(conn.call("MIGRATE", "nosuchhost.invalid", "1", "k", "0", "100"),
                 "IOERR error or timeout connecting to the client")
    assert_reply(conn.call("GET", "k"), bulk("v"))


@pytest.mark.parametrize("args, message", [
    (["k", "0", "100", "KEYS", "a"], MIGRATE_KEYS_NEED_EMPTY),
    (["k", "0", "100", "FOO"], "ERR syntax error"),
    (["k", "0", "100", "AUTH"], "ERR syntax error"),
    (["k", "0", "100", "AUTH2", "u"], "ERR syntax error"),
    (["k", "0", "x"], "ERR value is not an integer or out of range"),
    (["k", "x", "100"], "ERR value is not an integer or out of range"),
    (["k", "0", "100", "COPY", "REPLACE", "FOO"], "ERR syntax error"),
])
def test_migrate_argument_errors(conn, args, message):
    put(conn, "k", "v")
    assert_error(conn.call("MIGRATE", "127.0.0.1", "1", *args), message)


def test_migrate_arity(conn):
    assert_error(conn.call("MIGRATE", "h", "1", "k", "0"), "ERR wrong number of arguments for 'migrate' command")
