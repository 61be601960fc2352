"""Sorted-set algebra and pops: ZUNION, ZINTER, ZDIFF (and STORE forms, WEIGHTS, AGGREGATE, WITHSCORES),
ZINTERCARD, ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP.
"""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, array, bulk, bulks, integer

from .asserts import assert_error, assert_null_array, assert_ok, assert_reply
from .helpers import wait_blocked
from .test_sorted_set import SYNTAX, WRONGTYPE, encoding, score, scored

NOT_INTEGER = "ERR value is not an integer or out of range"


@pytest.fixture
def zz(conn):
    conn.call("ZADD", "z1", 1, "a", 2, "b", 3, "c")
    conn.call("ZADD", "z2", 10, "b", 20, "c", 30, "d")
    conn.call("SADD", "s", "c", "d", "x")
    return conn


# -- ZUNION / ZINTER / ZDIFF ---------------------------------------------------------------------------------------
def test_zunion(zz, resp):
    assert_reply(zz.call("ZUNION", 2, "z1", "z2"), bulks("a", "b", "c", "d"))
    assert_reply(zz.call("ZUNION", 2, "z1", "z2", "WITHSCORES"),
                 scored(resp, ("a", "1"), ("b", "12"), ("c", "23"), ("d", "30")))


def test_zunion_weights_and_aggregate(zz, resp):
    assert_reply(zz.call("ZUNION", 2, "z1", "z2", "WEIGHTS", 2, "0.5", "AGGREGATE", "MAX", "WITHSCORES"),
                 scored(resp, ("a", "2"), ("b", "5"), ("c", "10"), ("d", "15")))
    assert_reply(zz.call("ZUNION", 2, "z1", "z2", "AGGREGATE", "min", "WITHSCORES"),
                 scored(resp, ("a", "1"), ("b", "2"), ("c", "3"), ("d", "30")))


def test_zunion_with_plain_set(zz, resp):
    assert_reply(zz.call("ZUNION", 2, "z1", "s", "WITHSCORES"),
                 scored(resp, ("a", "1"), ("d", "1"), ("x", "1"), ("b", "2"), ("c", "4")))


def test_zunion_inf_minus_inf_is_zero(conn, resp):
    conn.call("ZADD", "p", "inf", "m")
    conn.call("ZADD", "q", "-inf", "m")
    assert_reply(conn.call("ZUNION", 2, "p", "q", "WITHSCORES"), scored(resp, ("m", "0")))
    assert_reply(conn.call("ZUNION", 1, "p", "WEIGHTS", 0, "WITHSCORES"), scored(resp, ("m", "0")))


def test_zinter(zz, resp):
    assert_reply(zz.call("ZINTER", 2, "z1", "z2", "WITHSCORES"), scored(resp, ("b", "12"), ("c", "23")))
    assert_reply(zz.call("ZINTER", 3, "z1", "z2", "s", "AGGREGATE", "MIN", "WITHSCORES"), scored(resp, ("c", "1")))
    assert_reply(zz.call("ZINTER", 2, "z1", "nokey"), bulks())


def test_zdiff(zz, resp):
    assert_reply(zz.call("ZDIFF", 2, "z1", "z2", "WITHSCORES"), scored(resp, ("a", "1")))
    assert_reply(zz.call("ZDIFF", 2, "z2", "s"), bulks("b"))
    assert_reply(zz.call("ZDIFF", 1, "nokey"), bulks())
    assert_reply(zz.call("ZDIFF", 2, "z1", "z1"), bulks())


@pytest.mark.parametrize("command", ["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"])
def test_zunionstore_family(zz, command):
    expected = {"ZUNIONSTORE": 4, "ZINTERSTORE": 2, "ZDIFFSTORE": 1}[command]
    zz.call("SET", "dst", "v", "EX", 100)
    assert_reply(zz.call(command, "dst", 2, "z1", "z2"), integer(expected))
    assert_reply(zz.call("ZCARD", "dst"), integer(expected))
    assert_reply(zz.call("TTL", "dst"), integer(-1))
    assert encoding(zz, "dst") == b"listpack"
    assert_reply(zz.call(command, "dst", 1, "nokey"), integer(0))
    assert_reply(zz.call("EXISTS", "dst"), integer(0))


def test_zunionstore_converts_big_result(conn):
    conn.call("ZADD", "z", *[x for i in range(200) for x in (i, f"m{i}")])
    conn.call("ZUNIONSTORE", "dst", 1, "z")
    assert encoding(conn, "dst") == b"skiplist"
    conn.call("ZADD", "big", 0, "x" * 100, 1, "a")
    conn.call("ZDIFFSTORE", "dst", 2, "big", "z")
    assert encoding(conn, "dst") == b"skiplist"
    conn.call("ZINTERSTORE", "dst", 2, "big", "big")
    assert encoding(conn, "dst") == b"skiplist"
    conn.call("ZREM", "big", "x" * 100)
    conn.call("ZINTERSTORE", "dst", 2, "big", "big")
    assert encoding(conn, "dst") == b"listpack"


@pytest.mark.parametrize("args,message", [
    ((0, "z1"), "ERR at least 1 input key is needed for '{cmd}' command"),
    ((-1, "z1"), "ERR at least 1 input key is needed for '{cmd}' command"),
    (("x", "z1"), NOT_INTEGER),
    ((3, "z1", "z2"), SYNTAX),
    ((1, "z1", "FOO"), SYNTAX),
    ((2, "z1", "z2", "WEIGHTS", 1), SYNTAX),
    ((2, "z1", "z2", "WEIGHTS", 1, "x"), "ERR weight value is not a float"),
    ((1, "z1", "AGGREGATE", "avg"), SYNTAX),
    ((1, "z1", "AGGREGATE"), SYNTAX),
])
@pytest.mark.parametrize("command", ["ZUNION", "ZINTER", "ZUNIONSTORE"])
def test_zunion_errors(zz, command, args, message):
    dst = ("dst",) if command.endswith("STORE") else ()
    assert_error(zz.call(command, *dst, *args), message.format(cmd=command.lower()))


def test_zunion_option_errors_by_command(zz):
    assert_error(zz.call("ZDIFF", 1, "z1", "WEIGHTS", 1), SYNTAX)
    assert_error(zz.call("ZDIFF", 1, "z1", "AGGREGATE", "SUM"), SYNTAX)
    assert_error(zz.call("ZUNIONSTORE", "dst", 1, "z1", "WITHSCORES"), SYNTAX)
    assert_error(zz.call("ZDIFF", 0, "z1"), "ERR at least 1 input key is needed for 'zdiff' command")
    assert_error(zz.call("ZDIFFSTORE", "dst", 0, "z1"), "ERR at least 1 input key is needed for 'zdiffstore' command")


def test_zunion_wrongtype_before_option_errors(zz):
    zz.call("SET", "str", "v")
    assert_error(zz.call("ZUNION", 2, "z1", "str", "FOO"), WRONGTYPE)
    assert_error(zz.call("ZINTERSTORE", "dst", 1, "str"), WRONGTYPE)
    assert_error(zz.call("ZDIFF", 2, "nokey", "str"), WRONGTYPE)


# -- ZINTERCARD ----------------------------------------------------------------------------------------------------
@pytest.mark.since("7.0")
def test_zintercard(zz):
    assert_reply(zz.call("ZINTERCARD", 2, "z1", "z2"), integer(2))
    assert_reply(zz.call("ZINTERCARD", 3, "z1", "z2", "s"), integer(1))
    assert_reply(zz.call("ZINTERCARD", 2, "z1", "z2", "LIMIT", 1), integer(1))
    assert_reply(zz.call("ZINTERCARD", 2, "z1", "nokey"), integer(0))


@pytest.mark.since("7.0")
def test_zintercard_errors(zz):
    assert_error(zz.call("ZINTERCARD", 0, "z1"), "ERR at least 1 input key is needed for 'zintercard' command")
    assert_error(zz.call("ZINTERCARD", 1, "z1", "LIMIT", -1), "ERR LIMIT can't be negative")
    assert_error(zz.call("ZINTERCARD", 1, "z1", "WEIGHTS", 1), SYNTAX)
    assert_error(zz.call("ZINTERCARD", 1, "z1", "WITHSCORES"), SYNTAX)


# -- ZPOPMIN / ZPOPMAX ---------------------------------------------------------------------------------------------
def test_zpopmin_single_is_flat(zz, resp):
    assert_reply(zz.call("ZPOPMIN", "z1"), array(bulk("a"), score(resp, "1")))
    assert_reply(zz.call("ZPOPMAX", "z1"), array(bulk("c"), score(resp, "3")))


def test_zpopmin_count(zz, resp):
    assert_reply(zz.call("ZPOPMIN", "z1", 2), scored(resp, ("a", "1"), ("b", "2")))
    assert_reply(zz.call("ZPOPMAX", "z2", 10), scored(resp, ("d", "30"), ("c", "20"), ("b", "10")))
    assert_reply(zz.call("EXISTS", "z2"), integer(0))


def test_zpopmin_empty_and_zero(zz):
    assert_reply(zz.call("ZPOPMIN", "nokey"), array())
    assert_reply(zz.call("ZPOPMIN", "nokey", 2), array())
    assert_reply(zz.call("ZPOPMAX", "z1", 0), array())
    assert_reply(zz.call("ZCARD", "z1"), integer(3))


def test_zpopmin_errors(zz):
    assert_error(zz.call("ZPOPMIN", "z1", -1), "ERR value is out of range, must be positive")
    assert_error(zz.call("ZPOPMIN", "z1", "x"), "ERR value is out of range, must be positive")
    assert_error(zz.call("ZPOPMIN", "z1", 1, 2), SYNTAX)
    assert_error(zz.call("ZPOPMAX", "s"), WRONGTYPE)
    assert_error(zz.call("ZPOPMAX", "s", 0), WRONGTYPE)


# -- ZMPOP ---------------------------------------------------------------------------------------------------------
@pytest.mark.since("7.0")
def test_zmpop(zz, resp):
    assert_reply(zz.call("ZMPOP", 2, "nokey", "z1", "MIN"), array(bulk("z1"), scored(3, ("a", "1"))
                                                                  if resp == 3 else array(array(bulk("a"), bulk("1")))))
    reply = zz.call("ZMPOP", 1, "z2", "MAX", "COUNT", 5)
    assert reply.value[0] == bulk("z2") and [p.value[0].value for p in reply.value[1].value] == [b"d", b"c", b"b"]
    assert_reply(zz.call("EXISTS", "z2"), integer(0))
    assert_null_array(zz.call("ZMPOP", 1, "nokey", "MIN"), resp)


@pytest.mark.since("7.0")
@pytest.mark.parametrize("args,message", [
    ((0, "z1", "MIN"), "ERR numkeys should be greater than 0"),
    (("x", "z1", "MIN"), "ERR numkeys should be greater than 0"),
    ((2, "z1", "MIN"), SYNTAX),
    ((1, "z1", "MID"), SYNTAX),
    ((1, "z1", "MIN", "COUNT", 0), "ERR count should be greater than 0"),
    ((1, "z1", "MIN", "COUNT", "x"), "ERR count should be greater than 0"),
    ((1, "z1", "MIN", "COUNT", 1, "COUNT", 1), SYNTAX),
    ((1, "z1", "MIN", "COUNT"), SYNTAX),
    ((1, "s", "MIN"), WRONGTYPE),
])
def test_zmpop_errors(zz, args, message):
    assert_error(zz.call("ZMPOP", *args), message)


# -- blocking pops -------------------------------------------------------------------------------------------------
def test_bzpopmin_immediate(zz, resp):
    assert_reply(zz.call("BZPOPMIN", "nokey", "z1", 0), array(bulk("z1"), bulk("a"), score(resp, "1")))
    assert_reply(zz.call("BZPOPMAX", "z2", 0), array(bulk("z2"), bulk("d"), score(resp, "30")))


def test_bzpopmin_wakes_on_zadd(conn, connect_client, resp):
    conn.send("BZPOPMIN", "k1", "k2", 5)
    other = connect_client()
    wait_blocked(other, 1)
    other.call("ZADD", "k2", 7, "m")
    assert_reply(conn.read_reply(), array(bulk("k2"), bulk("m"), score(resp, "7")))
    assert_reply(conn.call("EXISTS", "k2"), integer(0))


def test_bzpopmax_serves_clients_in_order(conn, connect_client, resp):
    first, second = connect_client(), connect_client()
    first.send("BZPOPMAX", "k", 5)
    wait_blocked(conn, 1)
    second.send("BZPOPMAX", "k", 5)
    wait_blocked(conn, 2)
    conn.call("ZADD", "k", 1, "a", 2, "b")
    assert_reply(first.read_reply(), array(bulk("k"), bulk("b"), score(resp, "2")))
    assert_reply(second.read_reply(), array(bulk("k"), bulk("a"), score(resp, "1")))


def test_bzpopmin_timeout(conn, resp):
    assert_null_array(conn.call("BZPOPMIN", "k", "0.05"), resp)


def test_bzpopmin_inside_multi_does_not_block(conn, resp):
    assert_ok(conn.call("MULTI"))
    conn.call("BZPOPMIN", "k", 0)
    exec_reply = conn.call("EXEC")
    assert exec_reply.kind is Kind.ARRAY and len(exec_reply.value) == 1
    assert_null_array(exec_reply.value[0], resp)


def test_bzpopmin_errors(zz):
    assert_error(zz.call("BZPOPMIN", "z1", "x"), "ERR timeout is not a float or out of range")
    assert_error(zz.call("BZPOPMIN", "z1", "-1"), "ERR timeout is negative")
    assert_error(zz.call("BZPOPMIN", "z1", "inf"), "ERR timeout is out of range")
    assert_error(zz.call("BZPOPMIN", "z1", "nan"), "ERR timeout is not a float or out of range")
    assert_error(zz.call("BZPOPMAX", "s", 0), WRONGTYPE)
    assert_error(zz.call("BZPOPMAX", "nokey", "s", 0), WRONGTYPE)


@pytest.mark.since("7.0")
def test_bzmpop(zz, resp):
    reply = zz.call("BZMPOP", 0, 2, "nokey", "z1", "MAX", "COUNT", 2)
    assert reply.value[0] == bulk("z1")
    assert [p.value[0].value for p in reply.value[1].value] == [b"c", b"b"]
    assert_null_array(zz.call("BZMPOP", "0.05", 1, "nokey", "MIN"), resp)


@pytest.mark.since("7.0")
def test_bzmpop_wakes_on_zunionstore(conn, connect_client):
    conn.send("BZMPOP", 5, 1, "k", "MIN", "COUNT", 10)
    other = connect_client()
    wait_blocked(other, 1)
    other.call("ZADD", "src", 1, "a", 2, "b")
    other.call("ZUNIONSTORE", "k", 1, "src")
    reply = conn.read_reply()
    assert reply.value[0] == bulk("k") and [p.value[0].value for p in reply.value[1].value] == [b"a", b"b"]


@pytest.mark.since("7.0")
def test_bzmpop_errors(zz):
    assert_error(zz.call("BZMPOP", "x", 1, "z1", "MIN"), "ERR timeout is not a float or out of range")
    assert_error(zz.call("BZMPOP", "x", 0, "z1", "MIN"), "ERR numkeys should be greater than 0")
    assert_error(zz.call("BZMPOP", "-1", 1, "z1", "MIN"), "ERR timeout is negative")
    assert_error(zz.call("BZMPOP", 0, 1, "z1", "FOO"), SYNTAX)
    assert_error(zz.call("BZMPOP", 0, 1, "s", "MIN"), WRONGTYPE)
