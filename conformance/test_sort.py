"""SORT and SORT_RO on lists, sets and sorted sets: numeric and ALPHA order, ASC/DESC, LIMIT, BY patterns (`*`,
`->field`, a constant for "no sort"), GET (`#`, keys, hash fields), STORE, and their errors.
"""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, Reply, bulk, bulks, integer

from .asserts import assert_error, assert_reply

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX = "ERR syntax error"
NOT_DOUBLE = "ERR One or more scores can't be converted into double"
NIL = Reply(Kind.NULL, None)


def answers(*items) -> Reply:
    """An array of bulk strings where None stands for a null."""
    return Reply(Kind.ARRAY, tuple(NIL if i is None else bulk(i) for i in items))


@pytest.fixture(params=["list", "set", "zset"])
def numbers(request, conn):
    """Key "k" holding 3, 1, 10, 2.5 as a list, a set or a sorted set (scores reversed from the values)."""
    values = ["3", "1", "10", "2.5"]
    if request.param == "list":
        conn.call("RPUSH", "k", *values)
    elif request.param == "set":
        conn.call("SADD", "k", *values)
    else:
        conn.call("ZADD", "k", *[x for i, v in enumerate(values) for x in (-i, v)])
    conn.kind = request.param
    return conn


@pytest.mark.since("7.0")
def test_sort_numeric(numbers):
    assert_reply(numbers.call("SORT", "k"), bulks("1", "2.5", "3", "10"))
    assert_reply(numbers.call("SORT", "k", "DESC"), bulks("10", "3", "2.5", "1"))
    assert_reply(numbers.call("SORT_RO", "k", "ASC"), bulks("1", "2.5", "3", "10"))


def test_sort_alpha(numbers):
    assert_reply(numbers.call("SORT", "k", "ALPHA"), bulks("1", "10", "2.5", "3"))
    assert_reply(numbers.call("SORT", "k", "ALPHA", "DESC"), bulks("3", "2.5", "10", "1"))


@pytest.mark.parametrize("start,count,want", [(0, 2, ["1", "2.5"]), (1, 2, ["2.5", "3"]), (3, 10, ["10"]),
                                              (4, 1, []), (-5, 2, ["1", "2.5"]), (1, -1, ["2.5", "3", "10"]),
                                              (0, 0, []), (2, -7, ["3", "10"])])
def test_sort_limit(numbers, start, count, want):
    assert_reply(numbers.call("SORT", "k", "LIMIT", start, count), bulks(*want))


def test_sort_by_pattern(numbers):
    for v, w in (("3", 1), ("1", 4), ("10", 2), ("2.5", 3)):
        numbers.call("SET", f"w_{v}", w)
    assert_reply(numbers.call("SORT", "k", "BY", "w_*"), bulks("3", "10", "2.5", "1"))
    assert_reply(numbers.call("SORT", "k", "BY", "w_*", "DESC", "LIMIT", 0, 2), bulks("1", "2.5"))


def test_sort_by_missing_keys_sort_as_zero(numbers):
    numbers.call("SET", "w_3", "-1")
    numbers.call("SET", "w_10", "5")
    assert_reply(numbers.call("SORT", "k", "BY", "w_*"), bulks("3", "1", "2.5", "10"))


def test_sort_by_hash_field_and_get(numbers):
    for v, w in (("3", "c"), ("1", "d"), ("10", "a"), ("2.5", "b")):
        numbers.call("HSET", f"h_{v}", "f", w, "name", f"n{v}")
    assert_reply(numbers.call("SORT", "k", "BY", "h_*->f", "ALPHA", "GET", "h_*->name", "GET", "#"),
                 bulks("n10", "10", "n2.5", "2.5", "n3", "3", "n1", "1"))


def test_sort_get_missing_and_wrong_types_are_null(numbers):
    numbers.call("SET", "v_1", "one")
    numbers.call("SADD", "v_3", "x")
    numbers.call("HSET", "h_1", "f", "hf")
    assert_reply(numbers.call("SORT", "k", "GET", "v_*", "GET", "h_*->f", "GET", "nostar", "LIMIT", 0, 2),
                 answers("one", "hf", None, None, None, None))


def test_sort_get_pattern_details(conn):
    conn.call("RPUSH", "k", "a")
    conn.call("SET", "x_a_y", "found")
    conn.call("HSET", "h_a", "f->g", "arrow", "f", "plain")
    conn.call("SET", "h_a->", "ends-with-arrow")
    assert_reply(conn.call("SORT", "k", "ALPHA", "GET", "x_*_y", "GET", "h_*->f->g", "GET", "h_*->", "GET", "#"),
                 bulks("found", "arrow", "ends-with-arrow", "a"))


def test_sort_by_constant_keeps_native_order(conn):
    conn.call("RPUSH", "l", "3", "1", "2")
    conn.call("ZADD", "z", 1, "c", 2, "a", 3, "b")
    assert_reply(conn.call("SORT", "l", "BY", "nosort"), bulks("3", "1", "2"))
    assert_reply(conn.call("SORT", "l", "BY", "nosort", "DESC", "LIMIT", 1, 5), bulks("1", "3"))
    assert_reply(conn.call("SORT", "z", "BY", "nosort", "DESC"), bulks("b", "a", "c"))
    assert_reply(conn.call("SORT", "z", "BY", "nosort", "LIMIT", 1, 1), bulks("a"))


def test_sort_by_constant_on_intset_keeps_set_order(conn):
    conn.call("SADD", "s", "3", "1", "2")
    assert_reply(conn.call("SORT", "s", "BY", "nosort", "DESC"), bulks("1", "2", "3"))


def test_sort_by_constant_with_store_sorts_a_set(conn):
    conn.call("SADD", "s", "b", "c", "a")
    assert_reply(conn.call("SORT", "s", "BY", "nosort", "STORE", "dst"), integer(3))
    assert_reply(conn.call("LRANGE", "dst", 0, -1), bulks("a", "b", "c"))


def test_sort_numeric_ties_by_member(conn):
    conn.call("SADD", "s", "b", "a", "c")
    for m in "abc":
        conn.call("SET", f"w_{m}", 1)
    assert_reply(conn.call("SORT", "s", "BY", "w_*"), bulks("a", "b", "c"))
    assert_reply(conn.call("SORT", "s", "BY", "w_*", "DESC"), bulks("c", "b", "a"))


def test_sort_alpha_by_missing_sorts_first(conn):
    conn.call("RPUSH", "k", "x", "y", "z")
    conn.call("SET", "w_x", "b")
    conn.call("SET", "w_z", "a")
    assert_reply(conn.call("SORT", "k", "BY", "w_*", "ALPHA"), bulks("y", "z", "x"))


def test_sort_store(numbers):
    numbers.call("SET", "dst", "old", "EX", 100)
    assert_reply(numbers.call("SORT", "k", "STORE", "dst"), integer(4))
    assert_reply(numbers.call("LRANGE", "dst", 0, -1), bulks("1", "2.5", "3", "10"))
    assert_reply(numbers.call("TTL", "dst"), integer(-1))
    assert_reply(numbers.call("SORT", "k", "GET", "nokey_*", "LIMIT", 0, 1, "STORE", "dst"), integer(1))
    assert_reply(numbers.call("LRANGE", "dst", 0, -1), bulks(""))


def test_sort_store_empty_deletes_destination(conn):
    conn.call("SET", "dst", "v")
    assert_reply(conn.call("SORT", "nokey", "STORE", "dst"), integer(0))
    assert_reply(conn.call("EXISTS", "dst"), integer(0))


@pytest.mark.since("7.0")
def test_sort_missing_key(conn):
    assert_reply(conn.call("SORT", "nokey"), bulks())
    assert_reply(conn.call("SORT_RO", "nokey", "BY", "w_*", "GET", "#"), bulks())


def test_sort_not_a_number(conn):
    conn.call("RPUSH", "k", "1", "abc", "2")
    assert_error(conn.call("SORT", "k"), NOT_DOUBLE)
    assert_error(conn.call("SORT", "k", "LIMIT", 0, 1), NOT_DOUBLE)
    assert_reply(conn.call("SORT", "k", "ALPHA"), bulks("1", "2", "abc"))


@pytest.mark.parametrize("value", ["1 ", " 1", "nan", "0x10", "1e", "--1"])
def test_sort_not_a_number_spellings(conn, value):
    conn.call("RPUSH", "k", "1", value)
    assert_error(conn.call("SORT", "k"), NOT_DOUBLE)


def test_sort_number_spellings(conn):
    conn.call("RPUSH", "k", "+5", "-inf", "1e2", ".5", "inf", "")
    assert_reply(conn.call("SORT", "k"), bulks("-inf", "", ".5", "+5", "1e2", "inf"))


def test_sort_by_weight_not_a_number(conn):
    conn.call("RPUSH", "k", "a", "b")
    conn.call("SET", "w_a", "heavy")
    assert_error(conn.call("SORT", "k", "BY", "w_*"), NOT_DOUBLE)


def test_sort_converts_small_sorted_set(conn):
    conn.call("ZADD", "z", 1, "1", 2, "2")
    assert conn.call("OBJECT", "ENCODING", "z").value == b"listpack"
    conn.call("SORT", "z")
    assert conn.call("OBJECT", "ENCODING", "z").value == b"skiplist"


@pytest.mark.parametrize("args,message", [
    (("FOO",), SYNTAX), (("LIMIT", 0), SYNTAX), (("LIMIT", "x", 1), "ERR value is not an integer or out of range"),
    (("BY",), SYNTAX), (("GET",), SYNTAX), (("STORE",), SYNTAX),
])
def test_sort_syntax_errors(conn, args, message):
    conn.call("SET", "str", "v")
    assert_error(conn.call("SORT", "str", *args), message)


@pytest.mark.since("7.0")
def test_sort_wrongtype(conn):
    conn.call("SET", "str", "v")
    assert_error(conn.call("SORT", "str"), WRONGTYPE)
    assert_error(conn.call("SORT_RO", "str"), WRONGTYPE)


@pytest.mark.since("7.0")
def test_sort_ro_rejects_store(conn):
    conn.call("RPUSH", "k", "1")
    assert_error(conn.call("SORT_RO", "k", "STORE", "dst"), SYNTAX)
