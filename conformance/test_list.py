"""List group: pushes and pops (with COUNT), ranges, LPOS, LINSERT, LSET, LREM, LTRIM, LMOVE, LMPOP, the blocking
commands (served by other clients' pushes, FIFO, timeouts, MULTI, CLIENT UNBLOCK) and OBJECT ENCODING changes.
"""
from __future__ import annotations

import pytest

from forkdiff.resp import encode_command
from forkdiff.types import Kind, array, bulk, bulks, integer, simple

from .asserts import assert_error, assert_null, assert_null_array, assert_ok, assert_reply
from .helpers import encoding, wait_blocked

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
MUST_BE_POSITIVE = "ERR value is out of range, must be positive"


def items(conn, key: str = "l") -> list[bytes]:
    return [r.value for r in conn.call("LRANGE", key, 0, -1).value]


# Commands newer than the oldest Redis targets: their cases skip there (see the `since` marker).
NEWER_COMMANDS = {"lmpop": "7.0", "blmpop": "7.0"}


def by_command(name: str) -> list:
    """The marks of a case about one command: the command, and the Redis version that introduced it."""
    marks = [pytest.mark.command(name)]
    if name in NEWER_COMMANDS:
        marks.append(pytest.mark.since(NEWER_COMMANDS[name]))
    return marks


# -- pushes ----------------------------------------------------------------------------------------------------------
def test_lpush_prepends_in_argument_order(conn):
    assert_reply(conn.call("LPUSH", "l", "a", "b", "c"), integer(3))
    assert items(conn) == [b"c", b"b", b"a"]


def test_rpush_appends(conn):
    assert_reply(conn.call("RPUSH", "l", "a", "b"), integer(2))
    assert_reply(conn.call("RPUSH", "l", "c"), integer(3))
    assert items(conn) == [b"a", b"b", b"c"]


def test_lpushx_rpushx_only_existing(conn):
    assert_reply(conn.call("LPUSHX", "l", "a"), integer(0))
    assert_reply(conn.call("RPUSHX", "l", "a"), integer(0))
    assert_reply(conn.call("EXISTS", "l"), integer(0))
    conn.call("RPUSH", "l", "m")
    assert_reply(conn.call("LPUSHX", "l", "a", "b"), integer(3))
    assert_reply(conn.call("RPUSHX", "l", "z"), integer(4))
    assert items(conn) == [b"b", b"a", b"m", b"z"]


# -- pops ------------------------------------------------------------------------------------------------------------
def test_lpop_rpop_single(conn, resp):
    conn.call("RPUSH", "l", "a", "b", "c")
    assert_reply(conn.call("LPOP", "l"), bulk("a"))
    assert_reply(conn.call("RPOP", "l"), bulk("c"))
    assert_null(conn.call("LPOP", "missing"), resp)
    assert_null(conn.call("RPOP", "missing"), resp)


def test_lpop_count(conn, resp):
    conn.call("RPUSH", "l", "a", "b", "c")
    assert_reply(conn.call("LPOP", "l", 2), bulks("a", "b"))
    assert_reply(conn.call("RPOP", "l", 5), bulks("c"))
    assert_reply(conn.call("EXISTS", "l"), integer(0))
    assert_null_array(conn.call("LPOP", "l", 2), resp)
    assert_null_array(conn.call("RPOP", "l", 0), resp)


def test_lpop_count_zero_on_existing_list(conn):
    conn.call("RPUSH", "l", "a")
    assert_reply(conn.call("LPOP", "l", 0), array())
    assert_reply(conn.call("RPOP", "l", 0), array())
    assert_reply(conn.call("LLEN", "l"), integer(1))


@pytest.mark.parametrize("count", ["-1", "x", "1.5"])
def test_lpop_bad_count(conn, count):
    conn.call("RPUSH", "l", "a")
    assert_error(conn.call("LPOP", "l", count), MUST_BE_POSITIVE)
    assert_error(conn.call("RPOP", "missing", count), MUST_BE_POSITIVE)


def test_rpop_wrong_arity(conn):
    assert_error(conn.call("RPOP", "l", 1, 2), "ERR wrong number of arguments for 'rpop' command")


# -- reading ---------------------------------------------------------------------------------------------------------
def test_lrange_index_arithmetic(conn):
    conn.call("RPUSH", "l", "a", "b", "c", "d", "e")
    assert_reply(conn.call("LRANGE", "l", 1, 2), bulks("b", "c"))
    assert_reply(conn.call("LRANGE", "l", -2, -1), bulks("d", "e"))
    assert_reply(conn.call("LRANGE", "l", -100, 100), bulks("a", "b", "c", "d", "e"))
    assert_reply(conn.call("LRANGE", "l", 3, 1), array())
    assert_reply(conn.call("LRANGE", "l", 5, 10), array())
    assert_reply(conn.call("LRANGE", "missing", 0, -1), array())


def test_lindex(conn, resp):
    conn.call("RPUSH", "l", "a", "b", "c")
    assert_reply(conn.call("LINDEX", "l", 0), bulk("a"))
    assert_reply(conn.call("LINDEX", "l", -1), bulk("c"))
    assert_null(conn.call("LINDEX", "l", 3), resp)
    assert_null(conn.call("LINDEX", "l", -4), resp)
    assert_null(conn.call("LINDEX", "missing", "not-a-number"), resp)  # the key is looked up first
    assert_error(conn.call("LINDEX", "l", "x"), NOT_INTEGER)


def test_llen(conn):
    assert_reply(conn.call("LLEN", "l"), integer(0))
    conn.call("RPUSH", "l", "a", "b")
    assert_reply(conn.call("LLEN", "l"), integer(2))


def test_lpos_first_match_and_options(conn, resp):
    conn.call("RPUSH", "l", "a", "b", "a", "c", "a")
    assert_reply(conn.call("LPOS", "l", "a"), integer(0))
    assert_reply(conn.call("LPOS", "l", "a", "RANK", 2), integer(2))
    assert_reply(conn.call("LPOS", "l", "a", "RANK", -1), integer(4))
    assert_reply(conn.call("LPOS", "l", "a", "RANK", -2, "COUNT", 2), array(integer(2), integer(0)))
    assert_reply(conn.call("LPOS", "l", "a", "COUNT", 0), array(integer(0), integer(2), integer(4)))
    assert_reply(conn.call("LPOS", "l", "a", "MAXLEN", 3, "COUNT", 0), array(integer(0), integer(2)))
    assert_reply(conn.call("LPOS", "l", "a", "rank", 2, "count", 1, "maxlen", 0), array(integer(2)))
    assert_null(conn.call("LPOS", "l", "a", "RANK", 4), resp)
    assert_null(conn.call("LPOS", "l", "zz"), resp)
    assert_reply(conn.call("LPOS", "l", "zz", "COUNT", 0), array())


def test_lpos_missing_key(conn, resp):
    assert_null(conn.call("LPOS", "missing", "a"), resp)
    assert_reply(conn.call("LPOS", "missing", "a", "COUNT", 1), array())


@pytest.mark.parametrize("options,message", [
    (["RANK", 0], "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
                  "negative to start from the end of the list"),
    (["RANK", "-9223372036854775808"],
     "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"),
    (["RANK", "x"], NOT_INTEGER),
    (["COUNT", -1], "ERR COUNT can't be negative"),
    (["COUNT", "x"], "ERR COUNT can't be negative"),
    (["MAXLEN", -1], "ERR MAXLEN can't be negative"),
    (["RANK"], SYNTAX),
    (["FOO", 1], SYNTAX),
], ids=["rank-zero", "rank-llong-min", "rank-nan", "count-neg", "count-nan", "maxlen-neg", "rank-alone", "unknown"])
def test_lpos_errors(conn, options, message):
    conn.call("RPUSH", "l", "a")
    assert_error(conn.call("LPOS", "l", "a", *options), message)
    assert_error(conn.call("LPOS", "missing", "a", *options), message)


def test_lpos_rank_llong_min_plus_one_is_accepted(conn, resp):
    conn.call("RPUSH", "l", "a")
    assert_null(conn.call("LPOS", "l", "a", "RANK", "-9223372036854775807"), resp)


# -- edits -----------------------------------------------------------------------------------------------------------
def test_linsert(conn):
    conn.call("RPUSH", "l", "a", "c")
    assert_reply(conn.call("LINSERT", "l", "BEFORE", "c", "b"), integer(3))
    assert_reply(conn.call("LINSERT", "l", "after", "c", "d"), integer(4))
    assert_reply(conn.call("LINSERT", "l", "BEFORE", "zz", "x"), integer(-1))
    assert_reply(conn.call("LINSERT", "missing", "BEFORE", "a", "x"), integer(0))
    assert_error(conn.call("LINSERT", "l", "MIDDLE", "a", "x"), SYNTAX)
    assert items(conn) == [b"a", b"b", b"c", b"d"]


def test_lset(conn):
    conn.call("RPUSH", "l", "a", "b", "c")
    assert_ok(conn.call("LSET", "l", 0, "A"))
    assert_ok(conn.call("LSET", "l", -1, "C"))
    assert items(conn) == [b"A", b"b", b"C"]
    assert_error(conn.call("LSET", "l", 3, "x"), "ERR index out of range")
    assert_error(conn.call("LSET", "l", -4, "x"), "ERR index out of range")
    assert_error(conn.call("LSET", "l", "x", "x"), NOT_INTEGER)
    assert_error(conn.call("LSET", "missing", "x", "x"), "ERR no such key")


def test_lset_index_is_a_c_int(conn):
    """Redis passes LSET's index on as a C int: 2^32 reads as 0, 2^32-1 and -(2^32)-1 as -1, 2^31 as -2^31."""
    conn.call("RPUSH", "l", "a", "b", "c")
    assert_ok(conn.call("LSET", "l", 4294967296, "x"))
    assert_ok(conn.call("LSET", "l", 4294967295, "y"))
    assert_ok(conn.call("LSET", "l", -4294967297, "w"))
    assert_ok(conn.call("LSET", "l", -9223372036854775808, "v"))
    assert_error(conn.call("LSET", "l", 2147483648, "z"), "ERR index out of range")
    assert items(conn) == [b"v", b"b", b"w"]


def test_lrem_count_range(conn):
    conn.call("RPUSH", "l", "a", "b", "a")
    assert_reply(conn.call("LREM", "l", -9223372036854775807, "a"), integer(2))
    assert_error(conn.call("LREM", "l", -9223372036854775808, "b"),
                 "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    assert_error(conn.call("LREM", "l", 9223372036854775808, "b"), NOT_INTEGER)
    conn.call("SET", "s", "1")
    assert_error(conn.call("LREM", "s", -9223372036854775808, "b"),
                 "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")


def test_lrem_directions(conn):
    conn.call("RPUSH", "l", "a", "b", "a", "c", "a")
    assert_reply(conn.call("LREM", "l", -1, "a"), integer(1))
    assert items(conn) == [b"a", b"b", b"a", b"c"]
    assert_reply(conn.call("LREM", "l", 1, "a"), integer(1))
    assert items(conn) == [b"b", b"a", b"c"]
    assert_reply(conn.call("LREM", "l", 0, "zz"), integer(0))
    assert_reply(conn.call("LREM", "missing", 0, "a"), integer(0))
    assert_error(conn.call("LREM", "missing", "x", "a"), NOT_INTEGER)


def test_lrem_all_deletes_the_key(conn):
    conn.call("RPUSH", "l", "a", "a")
    assert_reply(conn.call("LREM", "l", 0, "a"), integer(2))
    assert_reply(conn.call("EXISTS", "l"), integer(0))


def test_ltrim(conn):
    conn.call("RPUSH", "l", "a", "b", "c", "d", "e")
    assert_ok(conn.call("LTRIM", "l", 1, -2))
    assert items(conn) == [b"b", b"c", b"d"]
    assert_ok(conn.call("LTRIM", "l", -100, 100))
    assert items(conn) == [b"b", b"c", b"d"]
    assert_ok(conn.call("LTRIM", "l", 5, 1))
    assert_reply(conn.call("EXISTS", "l"), integer(0))
    assert_ok(conn.call("LTRIM", "missing", 0, 1))
    assert_error(conn.call("LTRIM", "missing", "x", 1), NOT_INTEGER)


# -- moves -----------------------------------------------------------------------------------------------------------
def test_lmove_all_directions(conn):
    conn.call("RPUSH", "src", "a", "b", "c")
    assert_reply(conn.call("LMOVE", "src", "dst", "LEFT", "RIGHT"), bulk("a"))
    assert_reply(conn.call("LMOVE", "src", "dst", "RIGHT", "LEFT"), bulk("c"))
    assert_reply(conn.call("LMOVE", "src", "dst", "left", "left"), bulk("b"))
    assert items(conn, "dst") == [b"b", b"c", b"a"]
    assert_reply(conn.call("EXISTS", "src"), integer(0))


def test_lmove_same_list_rotates(conn):
    conn.call("RPUSH", "l", "a", "b", "c")
    assert_reply(conn.call("LMOVE", "l", "l", "RIGHT", "LEFT"), bulk("c"))
    assert items(conn) == [b"c", b"a", b"b"]


def test_lmove_missing_source_and_errors(conn, resp):
    assert_null(conn.call("LMOVE", "missing", "dst", "LEFT", "LEFT"), resp)
    assert_error(conn.call("LMOVE", "missing", "dst", "UP", "LEFT"), SYNTAX)
    conn.call("RPUSH", "l", "a")
    conn.call("SET", "s", "x")
    assert_error(conn.call("LMOVE", "l", "s", "LEFT", "LEFT"), WRONGTYPE)
    assert items(conn) == [b"a"]
    assert_null(conn.call("LMOVE", "missing", "s", "LEFT", "LEFT"), resp)


def test_rpoplpush(conn, resp):
    conn.call("RPUSH", "src", "a", "b")
    assert_reply(conn.call("RPOPLPUSH", "src", "dst"), bulk("b"))
    assert_reply(conn.call("RPOPLPUSH", "src", "dst"), bulk("a"))
    assert items(conn, "dst") == [b"a", b"b"]
    assert_null(conn.call("RPOPLPUSH", "src", "dst"), resp)


@pytest.mark.since("7.0")
def test_lmpop_first_nonempty_key(conn, resp):
    conn.call("RPUSH", "b", "1", "2", "3")
    assert_reply(conn.call("LMPOP", 2, "a", "b", "LEFT"), array(bulk("b"), bulks("1")))
    assert_reply(conn.call("LMPOP", 2, "a", "b", "RIGHT", "COUNT", 5), array(bulk("b"), bulks("3", "2")))
    assert_null_array(conn.call("LMPOP", 2, "a", "b", "left"), resp)


@pytest.mark.since("7.0")
@pytest.mark.parametrize("args,message", [
    ([0, "l", "LEFT"], "ERR numkeys should be greater than 0"),
    ([-1, "l", "LEFT"], "ERR numkeys should be greater than 0"),
    (["x", "l", "LEFT"], "ERR numkeys should be greater than 0"),
    ([2, "l", "LEFT"], SYNTAX),
    ([1, "l", "MIDDLE"], SYNTAX),
    ([1, "l", "LEFT", "COUNT", 0], "ERR count should be greater than 0"),
    ([1, "l", "LEFT", "COUNT", "x"], "ERR count should be greater than 0"),
    ([1, "l", "LEFT", "COUNT", 1, "COUNT", 2], SYNTAX),
    ([1, "l", "LEFT", "COUNT"], SYNTAX),
    ([1, "l", "LEFT", "FOO"], SYNTAX),
], ids=["numkeys-0", "numkeys-neg", "numkeys-nan", "too-few-keys", "bad-side", "count-0", "count-nan",
        "count-twice", "count-alone", "unknown"])
def test_lmpop_errors(conn, args, message):
    assert_error(conn.call("LMPOP", *args), message)


# -- wrong type ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    pytest.param(a, marks=by_command(a[0].lower()), id=a[0].lower()) for a in [
        ["LPUSH", "s", "a"], ["RPUSH", "s", "a"], ["LPUSHX", "s", "a"], ["RPUSHX", "s", "a"], ["LPOP", "s"],
        ["RPOP", "s", 1], ["LRANGE", "s", 0, -1], ["LINDEX", "s", 0], ["LLEN", "s"], ["LPOS", "s", "a"],
        ["LINSERT", "s", "BEFORE", "a", "b"], ["LSET", "s", 0, "a"], ["LREM", "s", 0, "a"], ["LTRIM", "s", 0, 1],
        ["LMOVE", "s", "d", "LEFT", "LEFT"], ["RPOPLPUSH", "s", "d"], ["LMPOP", 2, "missing", "s", "LEFT"],
        ["BLPOP", "missing", "s", 0], ["BRPOP", "s", 0], ["BLMOVE", "s", "d", "LEFT", "LEFT", 0],
        ["BRPOPLPUSH", "s", "d", 0], ["BLMPOP", 0, 1, "s", "LEFT"],
    ]])
def test_list_wrongtype(conn, args):
    conn.call("SET", "s", "x")
    assert_error(conn.call(*args), WRONGTYPE)


# -- encodings -------------------------------------------------------------------------------------------------------
@pytest.mark.since("7.0")
def test_lpush_encoding_by_entry_count(conn, config):
    config("list-max-listpack-size", 4)
    conn.call("RPUSH", "l", "a", "b", "c", "d")
    assert encoding(conn, "l") == b"listpack"
    conn.call("RPUSH", "l", "e")
    assert encoding(conn, "l") == b"quicklist"


def test_lpop_quicklist_shrinks_back_to_listpack(conn, config):
    """Redis 7.2+: a one-node quicklist at most half the limit becomes a listpack again."""
    config("list-max-listpack-size", 4)
    conn.call("RPUSH", "l", "a", "b", "c", "d", "e")
    conn.call("RPOP", "l")
    assert encoding(conn, "l") == b"quicklist"  # one node of 4: more than half the limit
    conn.call("RPOP", "l", 2)
    assert encoding(conn, "l") == b"listpack"


@pytest.mark.since("7.0")
def test_lpop_from_head_leaves_two_nodes(conn, config):
    config("list-max-listpack-size", 4)
    conn.call("RPUSH", "l", "a", "b", "c", "d", "e")
    conn.call("LPOP", "l", 3)  # first node keeps "d", second node "e"
    assert encoding(conn, "l") == b"quicklist"


def test_rpush_encoding_by_bytes(conn, config):
    config("list-max-listpack-size", -1)  # 4 KB nodes
    conn.call("RPUSH", "l", "x" * 4000)
    assert encoding(conn, "l") == b"listpack"
    conn.call("RPUSH", "l", "y" * 200)
    assert encoding(conn, "l") == b"quicklist"
    conn.call("RPOP", "l")
    assert encoding(conn, "l") == b"quicklist"  # 4 KB is more than half of 4 KB
    conn.call("LSET", "l", 0, "small")
    assert encoding(conn, "l") == b"listpack"


@pytest.mark.since("7.0")
def test_lset_converts_before_checking_the_index(conn, config):
    config("list-max-listpack-size", -1)
    conn.call("RPUSH", "l", "a")
    assert_error(conn.call("LSET", "l", 5, "x" * 5000), "ERR index out of range")
    assert encoding(conn, "l") == b"quicklist"


@pytest.mark.since("7.0")
def test_linsert_converts_even_without_pivot(conn, config):
    config("list-max-listpack-size", 2)
    conn.call("RPUSH", "l", "a", "b")
    assert_reply(conn.call("LINSERT", "l", "BEFORE", "zz", "c"), integer(-1))
    assert encoding(conn, "l") == b"quicklist"


# -- blocking: arguments ---------------------------------------------------------------------------------------------
@pytest.mark.since("7.0")
@pytest.mark.parametrize("timeout,message", [
    ("-1", "ERR timeout is negative"),
    ("x", "ERR timeout is not a float or out of range"),
    (" 1", "ERR timeout is not a float or out of range"),
    ("", "ERR timeout is not a float or out of range"),
    ("nan", "ERR timeout is not a float or out of range"),
    ("inf", "ERR timeout is out of range"),
    ("99999999999999999999", "ERR timeout is out of range"),
], ids=["negative", "nan-text", "space", "empty", "nan", "inf", "huge"])
def test_blpop_timeout_errors(conn, timeout, message):
    assert_error(conn.call("BLPOP", "l", timeout), message)
    assert_error(conn.call("BRPOPLPUSH", "l", "d", timeout), message)
    assert_error(conn.call("BLMOVE", "l", "d", "LEFT", "LEFT", timeout), message)
    assert_error(conn.call("BLMPOP", timeout, 1, "l", "LEFT"), message)


@pytest.mark.since("7.0")
def test_blmpop_argument_order(conn):
    assert_error(conn.call("BLMPOP", "x", 0, "l", "LEFT"), "ERR numkeys should be greater than 0")
    assert_error(conn.call("BLMPOP", "-1", 1, "l", "MIDDLE"), SYNTAX)
    assert_error(conn.call("BLMOVE", "l", "d", "UP", "LEFT", "x"), SYNTAX)


def test_blpop_hex_and_exponent_timeouts_are_floats(conn):
    conn.call("RPUSH", "l", "a", "b")
    assert_reply(conn.call("BLPOP", "l", "0x10"), bulks("l", "a"))
    assert_reply(conn.call("BLPOP", "l", "1e1"), bulks("l", "b"))


@pytest.mark.since("7.0")
def test_blpop_takes_at_once_when_data_is_there(conn):
    conn.call("RPUSH", "b", "1", "2")
    assert_reply(conn.call("BLPOP", "a", "b", 0), bulks("b", "1"))
    assert_reply(conn.call("BRPOP", "a", "b", 0), bulks("b", "2"))
    conn.call("RPUSH", "b", "1", "2", "3")
    assert_reply(conn.call("BLMPOP", 0, 2, "a", "b", "RIGHT", "COUNT", 2), array(bulk("b"), bulks("3", "2")))
    assert_reply(conn.call("BLMOVE", "b", "c", "LEFT", "RIGHT", 0), bulk("1"))
    conn.call("RPUSH", "b", "4")
    assert_reply(conn.call("BRPOPLPUSH", "b", "c", 0), bulk("4"))
    assert items(conn, "c") == [b"4", b"1"]


@pytest.mark.parametrize("args", [
    pytest.param(a, marks=by_command(a[0].lower()), id=a[0].lower()) for a in [
        ["BLPOP", "l", "0.01"], ["BRPOP", "l", "k", "0.01"], ["BLMPOP", "0.01", 1, "l", "LEFT"],
        ["BLMOVE", "l", "d", "LEFT", "RIGHT", "0.01"], ["BRPOPLPUSH", "l", "d", "0.01"],
    ]])
def test_blocking_timeout_reply_is_null_array(conn, resp, args):
    assert_null_array(conn.call(*args), resp)


@pytest.mark.parametrize("args,null", [
    pytest.param(a, null, marks=by_command(a[0].lower()), id=a[0].lower()) for a, null in [
        (["BLPOP", "l", 0], b"*-1\r\n"), (["BRPOP", "l", 0], b"*-1\r\n"), (["BLMPOP", 0, 1, "l", "LEFT"], b"*-1\r\n"),
        (["BLMOVE", "l", "d", "LEFT", "RIGHT", 0], b"$-1\r\n"), (["BRPOPLPUSH", "l", "d", 0], b"$-1\r\n"),
    ]])
def test_blocking_inside_multi_answers_at_once(conn, resp, args, null):
    """Inside MULTI nothing blocks: the pops answer a null array, the moves a null bulk (unlike their timeout)."""
    assert_ok(conn.call("MULTI"))
    conn.call(*args)
    reply = conn.call("EXEC")
    assert reply.kind is Kind.ARRAY and len(reply.value) == 1
    assert reply.value[0].raw == (b"_\r\n" if resp == 3 else null)


# -- blocking: served by other clients --------------------------------------------------------------------------------
def test_blpop_served_by_another_clients_push(conn, connect_client):
    other = connect_client()
    conn.send("BLPOP", "a", "l", 0)
    wait_blocked(other, 1)
    assert_reply(other.call("PING"), simple("PONG"))  # the server keeps serving others
    assert_reply(other.call("RPUSH", "l", "x", "y"), integer(2))
    assert_reply(conn.read_reply(), bulks("l", "x"))
    assert items(other) == [b"y"]


def test_blpop_clients_served_first_come_first_served(conn, connect_client):
    second, pusher = connect_client(), connect_client()
    conn.send("BRPOP", "l", 0)
    wait_blocked(pusher, 1)
    second.send("BRPOP", "l", 0)
    wait_blocked(pusher, 2)
    pusher.call("RPUSH", "l", "a", "b")
    assert_reply(conn.read_reply(), bulks("l", "b"))
    assert_reply(second.read_reply(), bulks("l", "a"))
    assert_reply(pusher.call("EXISTS", "l"), integer(0))


def test_blpop_timeout_while_blocked(conn, resp):
    conn.send("BLPOP", "l", "0.05")
    assert_null_array(conn.read_reply(timeout=2), resp)


def test_blpop_released_only_at_exec_end(conn, connect_client):
    other = connect_client()
    conn.send("BLPOP", "l", 0)
    wait_blocked(other, 1)
    other.call("MULTI")
    other.call("RPUSH", "l", "first")
    other.call("LPUSH", "l", "second")
    assert_reply(other.call("EXEC"), array(integer(1), integer(2)))
    assert_reply(conn.read_reply(), bulks("l", "second"))


def test_blpop_ignores_a_key_of_another_type(conn, connect_client):
    other = connect_client()
    conn.send("BLPOP", "l", 0)
    wait_blocked(other, 1)
    assert_ok(other.call("SET", "l", "string"))
    assert conn.read_reply(timeout=0.1).kind is Kind.TIMEOUT
    other.call("DEL", "l")
    other.call("RPUSH", "l", "v")
    assert_reply(conn.read_reply(), bulks("l", "v"))


def test_blmove_served_and_moves(conn, connect_client):
    other = connect_client()
    conn.send("BLMOVE", "src", "dst", "RIGHT", "LEFT", 0)
    wait_blocked(other, 1)
    other.call("RPUSH", "src", "a", "b")
    assert_reply(conn.read_reply(), bulk("b"))
    assert items(other, "dst") == [b"b"]
    assert items(other, "src") == [b"a"]


def test_brpoplpush_chain_wakes_the_next_client(conn, connect_client):
    """A blocked BRPOPLPUSH that is served pushes onto its destination, which serves a client blocked there."""
    waiter, pusher = connect_client(), connect_client()
    waiter.send("BLPOP", "dst", 0)
    wait_blocked(pusher, 1)
    conn.send("BRPOPLPUSH", "src", "dst", 0)
    wait_blocked(pusher, 2)
    pusher.call("RPUSH", "src", "v")
    assert_reply(conn.read_reply(), bulk("v"))
    assert_reply(waiter.read_reply(), bulks("dst", "v"))


@pytest.mark.since("7.0")
def test_blmpop_served_with_count(conn, connect_client):
    other = connect_client()
    conn.send("BLMPOP", 0, 2, "a", "b", "LEFT", "COUNT", 2)
    wait_blocked(other, 1)
    other.call("RPUSH", "b", "1", "2", "3")
    assert_reply(conn.read_reply(), array(bulk("b"), bulks("1", "2")))


def test_client_unblock_blpop(conn, connect_client, resp):
    other = connect_client()
    client_id = conn.call("CLIENT", "ID").value
    conn.send("BLPOP", "l", 0)
    wait_blocked(other, 1)
    assert_reply(other.call("CLIENT", "UNBLOCK", client_id), integer(1))
    assert_null_array(conn.read_reply(), resp)
    conn.send("BLMOVE", "l", "d", "LEFT", "LEFT", 0)
    wait_blocked(other, 1)
    assert_reply(other.call("CLIENT", "UNBLOCK", client_id, "ERROR"), integer(1))
    assert_error(conn.read_reply(), "UNBLOCKED client unblocked via CLIENT UNBLOCK")
    assert_reply(other.call("CLIENT", "UNBLOCK", client_id), integer(0))


@pytest.mark.parametrize("command", [["BLPOP", "missing", "0.05"], ["BRPOP", "missing", "missing", "0.05"]])
def test_blocking_timeout_then_the_pipelined_commands_are_answered(conn, resp, command):
    """The commands pipelined behind a blocking command run once its timeout has answered it."""
    conn.send_raw(encode_command(c.encode() for c in command) + encode_command([b"PING"])
                  + encode_command([b"ECHO", b"x"]))
    assert_null_array(conn.read_reply(timeout=2), resp)
    assert_reply(conn.read_reply(timeout=2), simple("PONG"))
    assert_reply(conn.read_reply(timeout=2), bulk("x"))


def test_blpop_pipelined_commands_wait_for_the_blocked_one(conn, connect_client):
    other = connect_client()
    conn.send_raw(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nl\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n")
    wait_blocked(other, 1)
    other.call("RPUSH", "l", "v")
    assert_reply(conn.read_reply(), bulks("l", "v"))
    assert conn.read_reply().value == "PONG"
