"""Server group, keyspace-wide commands: DBSIZE, FLUSHALL, FLUSHDB, SWAPDB, TIME, LASTSAVE.

INFO is in test_server_info.py, CONFIG in test_server_config.py, COMMAND in test_server_command.py.
"""
from __future__ import annotations

import time

import pytest

from forkdiff.types import Kind, bulk, bulks, integer

from .asserts import assert_error, assert_null_array, assert_ok, assert_reply

SYNTAX = "ERR syntax error"


# -- DBSIZE, FLUSHALL, FLUSHDB -------------------------------------------------------------------------------------
def test_dbsize_counts_keys_of_the_selected_database(conn):
    assert_reply(conn.call("DBSIZE"), integer(0))
    conn.call("MSET", "a", "1", "b", "2")
    assert_reply(conn.call("DBSIZE"), integer(2))
    conn.call("SELECT", "1")
    assert_reply(conn.call("DBSIZE"), integer(0))


def test_dbsize_arity(conn):
    assert_error(conn.call("DBSIZE", "x"), "ERR wrong number of arguments for 'dbsize' command")


@pytest.mark.parametrize("option", [[], ["SYNC"], ["ASYNC"], ["async"]])
def test_flushall_empties_every_database(conn, option):
    conn.call("SET", "a", "1")
    conn.call("SELECT", "3")
    conn.call("SET", "b", "1")
    assert_ok(conn.call("FLUSHALL", *option))
    assert_reply(conn.call("DBSIZE"), integer(0))
    conn.call("SELECT", "0")
    assert_reply(conn.call("DBSIZE"), integer(0))


@pytest.mark.parametrize("option", [[], ["SYNC"], ["ASYNC"]])
def test_flushdb_empties_only_the_selected_database(conn, option):
    conn.call("SET", "a", "1")
    conn.call("SELECT", "3")
    conn.call("SET", "b", "1")
    assert_ok(conn.call("FLUSHDB", *option))
    assert_reply(conn.call("DBSIZE"), integer(0))
    conn.call("SELECT", "0")
    assert_reply(conn.call("DBSIZE"), integer(1))


@pytest.mark.parametrize("command", ["FLUSHALL", "FLUSHDB"])
@pytest.mark.parametrize("args", [["x"], ["ASYNC", "SYNC"], ["SYNC", "SYNC"], ["a", "b"]])
def test_flushall_syntax_error(conn, command, args):
    conn.call("SET", "a", "1")
    assert_error(conn.call(command, *args), SYNTAX)
    assert_reply(conn.call("DBSIZE"), integer(1))


def test_flushall_touches_watched_keys(conn, connect_client):
    conn.call("SET", "k", "1")
    conn.call("WATCH", "k")
    connect_client().call("FLUSHALL")
    conn.call("MULTI")
    conn.call("PING")
    assert_null_array(conn.call("EXEC"), conn.resp)


# -- SWAPDB --------------------------------------------------------------------------------------------------------
def test_swapdb_exchanges_contents(conn):
    conn.call("SET", "in0", "a")
    conn.call("SELECT", "1")
    conn.call("SET", "in1", "b")
    conn.call("SET", "x", "c")
    assert_ok(conn.call("SWAPDB", "0", "1"))
    assert_reply(conn.call("DBSIZE"), integer(1))
    assert_reply(conn.call("GET", "in0"), bulk("a"))
    conn.call("SELECT", "0")
    assert_reply(conn.call("MGET", "in0", "in1", "x"), bulks(None, "b", "c"))


def test_swapdb_same_index_is_a_no_op(conn):
    conn.call("SET", "k", "v")
    assert_ok(conn.call("SWAPDB", "0", "0"))
    assert_reply(conn.call("GET", "k"), bulk("v"))


def test_swapdb_keeps_expiries(conn):
    conn.call("SET", "k", "v", "EX", "100")
    assert_ok(conn.call("SWAPDB", "0", "2"))
    conn.call("SELECT", "2")
    assert 0 < conn.call("TTL", "k").value <= 100


def test_swapdb_touches_watched_keys(conn, connect_client):
    conn.call("WATCH", "k")
    other = connect_client()
    other.call("SELECT", "1")
    other.call("SET", "k", "v")
    other.call("SWAPDB", "0", "1")
    conn.call("MULTI")
    conn.call("PING")
    assert_null_array(conn.call("EXEC"), conn.resp)


@pytest.mark.parametrize("first,second,message", [
    ("0", "16", "ERR DB index is out of range"),
    ("-1", "0", "ERR DB index is out of range"),
    ("0", "-1", "ERR DB index is out of range"),
    ("0", "2147483647", "ERR DB index is out of range"),
    ("a", "0", "ERR invalid first DB index"),
    ("0", "a", "ERR invalid second DB index"),
    ("16", "a", "ERR invalid second DB index"),
    ("01", "0", "ERR invalid first DB index"),
    ("+1", "0", "ERR invalid first DB index"),
    ("0", "9999999999", "ERR invalid second DB index"),
    ("0", "99999999999999999999", "ERR invalid second DB index"),
])
def test_swapdb_errors(conn, first, second, message):
    assert_error(conn.call("SWAPDB", first, second), message)


def test_swapdb_arity(conn):
    assert_error(conn.call("SWAPDB", "0"), "ERR wrong number of arguments for 'swapdb' command")


# -- TIME, LASTSAVE ------------------------------------------------------------------------------------------------
def test_time_is_seconds_and_microseconds(conn):
    reply = conn.call("TIME")
    assert reply.kind is Kind.ARRAY and [r.kind for r in reply.value] == [Kind.BULK, Kind.BULK]
    seconds, micros = (int(r.value) for r in reply.value)
    assert abs(seconds - time.time()) < 5 and 0 <= micros < 1_000_000


def test_time_arity(conn):
    assert_error(conn.call("TIME", "x"), "ERR wrong number of arguments for 'time' command")


def test_lastsave_is_a_unix_time(conn):
    reply = conn.call("LASTSAVE")
    assert reply.kind is Kind.INTEGER and 0 < reply.value <= time.time() + 1


def test_lastsave_is_not_moved_by_flushall_without_save_points(conn):
    before = conn.call("LASTSAVE")
    conn.call("FLUSHALL")
    assert_reply(conn.call("LASTSAVE"), before)
