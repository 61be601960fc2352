"""Sorted-set ranges: ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES), ZRANGESTORE, ZRANGEBYSCORE,
ZREVRANGEBYSCORE, ZREVRANGE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZCOUNT, ZLEXCOUNT, ZREMRANGEBYRANK/SCORE/LEX.

Every range case runs on both encodings (a listpack and a skiplist with the same entries), because Redis walks them
with different code.
"""
from __future__ import annotations

import pytest

from forkdiff.types import bulks, integer

from .asserts import assert_error, assert_reply
from .helpers import expect_encoding
from .test_sorted_set import SYNTAX, WRONGTYPE, encoding, scored

NOT_FLOAT_RANGE = "ERR min or max is not a float"
NOT_LEX_RANGE = "ERR min or max not valid string range item"
NOT_INTEGER = "ERR value is not an integer or out of range"
ENTRIES = [("a", "1"), ("b", "2"), ("c", "2"), ("d", "3.5"), ("e", "inf")]
PAD = "padding-member-" + "x" * 80  # a member too long for a listpack; scores -inf so it sorts first


@pytest.fixture(params=["listpack", "skiplist"])
def zs(request, conn):
    """Key "z" holding ENTRIES; in the skiplist variant also PAD at -inf (first in every forward walk)."""
    conn.call("ZADD", "z", *[x for m, s in ENTRIES for x in (s, m)])
    if request.param == "skiplist":
        conn.call("ZADD", "z", "-inf", PAD)
        conn.call("ZREM", "z", PAD)
        expect_encoding(conn, "z", b"skiplist")
    return conn


@pytest.fixture(params=["listpack", "skiplist"])
def lex(request, conn):
    conn.call("ZADD", "l", *[x for m in "abcdefg" for x in (0, m)])
    if request.param == "skiplist":
        conn.call("ZADD", "l", 0, PAD)
        conn.call("ZREM", "l", PAD)
    return conn


# -- ZRANGE by rank ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("start,stop,want", [(0, -1, "abcde"), (1, 2, "bc"), (-2, -1, "de"), (3, 100, "de"),
                                             (-100, 0, "a"), (3, 1, ""), (5, 10, ""), (0, -6, "")])
def test_zrange_by_rank(zs, start, stop, want):
    assert_reply(zs.call("ZRANGE", "z", start, stop), bulks(*want))


def test_zrange_rev_withscores(zs, resp):
    assert_reply(zs.call("ZRANGE", "z", 0, 1, "REV", "WITHSCORES"), scored(resp, ("e", "inf"), ("d", "3.5")))
    assert_reply(zs.call("ZREVRANGE", "z", 1, 2), bulks("d", "c"))
    assert_reply(zs.call("ZREVRANGE", "z", 0, 0, "WITHSCORES"), scored(resp, ("e", "inf")))


def test_zrange_missing_key(conn):
    assert_reply(conn.call("ZRANGE", "nokey", 0, -1), bulks())
    assert_reply(conn.call("ZRANGE", "nokey", "(1", "2", "BYSCORE"), bulks())
    assert_error(conn.call("ZRANGE", "nokey", "(1", "x", "BYSCORE"), NOT_FLOAT_RANGE)  # parsed before the lookup


# -- BYSCORE -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("low,high,want", [
    ("-inf", "+inf", "abcde"), ("2", "2", "bc"), ("(1", "3.5", "bcd"), ("(2", "(inf", "d"), ("1", "(2", "a"),
    ("3", "1", ""), ("(2", "2", ""), ("inf", "inf", "e"), ("", "1", "a"), ("(", "2", "abc"), ("+1", "1e0", "a"),
    ("-inf", "-1", ""),
])
def test_zrange_byscore(zs, low, high, want):
    assert_reply(zs.call("ZRANGE", "z", low, high, "BYSCORE"), bulks(*want))
    assert_reply(zs.call("ZRANGEBYSCORE", "z", low, high), bulks(*want))
    assert_reply(zs.call("ZREVRANGEBYSCORE", "z", high, low), bulks(*reversed(want)))
    assert_reply(zs.call("ZCOUNT", "z", low, high), integer(len(want)))


@pytest.mark.parametrize("offset,count,want,rev_want", [
    (0, 2, "ab", "ed"), (1, 2, "bc", "dc"), (4, 5, "e", "a"), (5, 1, "", ""), (0, 0, "", ""), (2, -1, "cde", "cba"),
    (100, 1, "", ""),
])
def test_zrange_byscore_limit(zs, offset, count, want, rev_want):
    assert_reply(zs.call("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", offset, count), bulks(*want))
    assert_reply(zs.call("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", offset, count), bulks(*want))
    assert_reply(zs.call("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", offset, count), bulks(*rev_want))


def test_zrange_byscore_withscores(zs, resp):
    assert_reply(zs.call("ZRANGEBYSCORE", "z", "(1", "3.5", "WITHSCORES", "LIMIT", 1, 5),
                 scored(resp, ("c", "2"), ("d", "3.5")))
    assert_reply(zs.call("ZREVRANGEBYSCORE", "z", "+inf", "3", "WITHSCORES"), scored(resp, ("e", "inf"), ("d", "3.5")))


@pytest.mark.parametrize("low,high", [("x", "1"), ("1", "nan"), ("(nan", "1"), ("0x1", "2"), (" 1", "2"),
                                      ("1 ", "2"), ("((1", "2"), ("1e", "2")])
def test_zrange_byscore_not_float(zs, low, high):
    assert_error(zs.call("ZRANGE", "z", low, high, "BYSCORE"), NOT_FLOAT_RANGE)
    assert_error(zs.call("ZRANGEBYSCORE", "z", low, high), NOT_FLOAT_RANGE)
    assert_error(zs.call("ZCOUNT", "z", low, high), NOT_FLOAT_RANGE)
    assert_error(zs.call("ZREMRANGEBYSCORE", "z", low, high), NOT_FLOAT_RANGE)


def test_zrangebyscore_negative_offset_is_empty(zs, lex):
    assert_reply(zs.call("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", -1, 2), bulks())
    assert_reply(zs.call("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", -2, 10), bulks())
    assert_reply(lex.call("ZRANGEBYLEX", "l", "[b", "[e", "LIMIT", -1, 2), bulks())
    assert_reply(lex.call("ZREVRANGEBYLEX", "l", "[e", "[b", "LIMIT", -3, 2), bulks())


# -- BYLEX ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("low,high,want", [
    ("-", "+", "abcdefg"), ("[b", "[d", "bcd"), ("(b", "(d", "c"), ("[c", "+", "cdefg"), ("-", "(c", "ab"),
    ("[d", "[b", ""), ("(a", "[a", ""), ("[", "(b", "a"), ("+", "-", ""), ("[aa", "[c", "bc"),
])
def test_zrange_bylex(lex, low, high, want):
    assert_reply(lex.call("ZRANGE", "l", low, high, "BYLEX"), bulks(*want))
    assert_reply(lex.call("ZRANGEBYLEX", "l", low, high), bulks(*want))
    assert_reply(lex.call("ZREVRANGEBYLEX", "l", high, low), bulks(*reversed(want)))
    assert_reply(lex.call("ZLEXCOUNT", "l", low, high), integer(len(want)))


def test_zrange_bylex_limit(lex):
    assert_reply(lex.call("ZRANGE", "l", "-", "+", "BYLEX", "LIMIT", 2, 3), bulks("c", "d", "e"))
    assert_reply(lex.call("ZRANGE", "l", "+", "-", "BYLEX", "REV", "LIMIT", 1, 2), bulks("f", "e"))
    assert_reply(lex.call("ZRANGEBYLEX", "l", "[c", "+", "LIMIT", 0, -1), bulks("c", "d", "e", "f", "g"))


@pytest.mark.parametrize("low,high", [("a", "[b"), ("[a", "b"), ("-a", "+"), ("-", "++"), ("", "+"), ("1", "2")])
def test_zrange_bylex_invalid(lex, low, high):
    assert_error(lex.call("ZRANGE", "l", low, high, "BYLEX"), NOT_LEX_RANGE)
    assert_error(lex.call("ZRANGEBYLEX", "l", low, high), NOT_LEX_RANGE)
    assert_error(lex.call("ZLEXCOUNT", "l", low, high), NOT_LEX_RANGE)
    assert_error(lex.call("ZREMRANGEBYLEX", "l", low, high), NOT_LEX_RANGE)


# -- option errors -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args,message", [
    ((0, 1, "LIMIT", 0, 1), "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"),
    (("-", "+", "BYLEX", "WITHSCORES"), "ERR syntax error, WITHSCORES not supported in combination with BYLEX"),
    ((0, 1, "BYSCORE", "BYLEX"), SYNTAX),
    ((0, 1, "REV", "REV"), SYNTAX),
    ((0, 1, "FOO"), SYNTAX),
    ((0, 1, "LIMIT", 0), SYNTAX),
    ((0, 1, "BYSCORE", "LIMIT", "x", 1), NOT_INTEGER),
    (("x", 1), NOT_INTEGER),
    ((0, "1.5"), NOT_INTEGER),
])
def test_zrange_option_errors(zs, args, message):
    assert_error(zs.call("ZRANGE", "z", *args), message)


def test_zrange_rank_limit_zero_minus_one_passes(zs):
    assert_reply(zs.call("ZRANGE", "z", 0, 0, "LIMIT", 5, -1), bulks("a"))


def test_zrangebyscore_old_forms_reject_new_options(zs):
    assert_error(zs.call("ZRANGEBYSCORE", "z", 0, 1, "REV"), SYNTAX)
    assert_error(zs.call("ZREVRANGE", "z", 0, 1, "BYSCORE"), SYNTAX)
    assert_error(zs.call("ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"),
                 "ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    assert_error(zs.call("ZREVRANGE", "z", 0, 1, "LIMIT", 0, 1),
                 "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")


@pytest.mark.parametrize("command", [("ZRANGE", "str", 0, 1), ("ZRANGEBYSCORE", "str", 0, 1),
                                     ("ZRANGEBYLEX", "str", "-", "+"), ("ZCOUNT", "str", 0, 1),
                                     ("ZLEXCOUNT", "str", "-", "+"), ("ZREMRANGEBYRANK", "str", 0, 1),
                                     ("ZRANGESTORE", "dst", "str", 0, 1)])
def test_zrange_family_wrongtype(conn, command):
    conn.call("SET", "str", "v")
    assert_error(conn.call(*command), WRONGTYPE)


def test_zrange_parse_errors_before_wrongtype(conn):
    conn.call("SET", "str", "v")
    assert_error(conn.call("ZRANGE", "str", "x", 1), NOT_INTEGER)
    assert_error(conn.call("ZCOUNT", "str", "x", 1), NOT_FLOAT_RANGE)


# -- ZRANGESTORE ---------------------------------------------------------------------------------------------------
def test_zrangestore(zs, resp):
    assert_reply(zs.call("ZRANGESTORE", "dst", "z", 1, 3), integer(3))
    assert_reply(zs.call("ZRANGE", "dst", 0, -1, "WITHSCORES"), scored(resp, ("b", "2"), ("c", "2"), ("d", "3.5")))
    assert_reply(zs.call("ZRANGESTORE", "dst", "z", "+inf", "(2", "BYSCORE", "REV", "LIMIT", 0, 1), integer(1))
    assert_reply(zs.call("ZRANGE", "dst", 0, -1), bulks("e"))
    assert_reply(zs.call("ZRANGESTORE", "dst", "z", "[b", "[c", "BYLEX"), integer(2))


def test_zrangestore_empty_deletes_destination(zs):
    zs.call("SET", "dst", "v")
    assert_reply(zs.call("ZRANGESTORE", "dst", "z", 10, 20), integer(0))
    assert_reply(zs.call("EXISTS", "dst"), integer(0))
    zs.call("SET", "dst", "v")
    assert_reply(zs.call("ZRANGESTORE", "dst", "nokey", 0, -1), integer(0))
    assert_reply(zs.call("EXISTS", "dst"), integer(0))


def test_zrangestore_rejects_withscores(zs):
    assert_error(zs.call("ZRANGESTORE", "dst", "z", 0, 1, "WITHSCORES"), SYNTAX)


def test_zrangestore_encoding_follows_result(conn):
    conn.call("ZADD", "z", 0, "x" * 100, 1, "a", 2, "b")
    conn.call("ZRANGESTORE", "dst", "z", 1, 2)
    assert encoding(conn, "dst") == b"listpack"
    conn.call("ZRANGESTORE", "dst", "z", 0, 2)
    assert encoding(conn, "dst") == b"skiplist"


# -- ZREMRANGEBY* --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("start,stop,removed,left", [(0, 1, 2, "cde"), (-2, -1, 2, "abc"), (3, 1, 0, "abcde"),
                                                     (10, 20, 0, "abcde"), (-100, 100, 5, "")])
def test_zremrangebyrank(zs, start, stop, removed, left):
    assert_reply(zs.call("ZREMRANGEBYRANK", "z", start, stop), integer(removed))
    assert_reply(zs.call("ZRANGE", "z", 0, -1), bulks(*left))
    assert_reply(zs.call("EXISTS", "z"), integer(1 if left else 0))


def test_zremrangebyrank_errors(zs):
    assert_error(zs.call("ZREMRANGEBYRANK", "z", "x", 1), NOT_INTEGER)
    assert_reply(zs.call("ZREMRANGEBYRANK", "nokey", 0, 1), integer(0))


def test_zremrangebyscore(zs):
    assert_reply(zs.call("ZREMRANGEBYSCORE", "z", "(1", "2"), integer(2))
    assert_reply(zs.call("ZRANGE", "z", 0, -1), bulks("a", "d", "e"))
    assert_reply(zs.call("ZREMRANGEBYSCORE", "z", "-inf", "+inf"), integer(3))
    assert_reply(zs.call("EXISTS", "z"), integer(0))
    assert_reply(zs.call("ZREMRANGEBYSCORE", "z", "-inf", "+inf"), integer(0))


def test_zremrangebylex(lex):
    assert_reply(lex.call("ZREMRANGEBYLEX", "l", "(a", "[c"), integer(2))
    assert_reply(lex.call("ZRANGE", "l", 0, -1), bulks("a", "d", "e", "f", "g"))
    assert_reply(lex.call("ZREMRANGEBYLEX", "l", "-", "+"), integer(5))
    assert_reply(lex.call("EXISTS", "l"), integer(0))
