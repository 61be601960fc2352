"""Sorted-set group, single-key commands: ZADD (every flag and their conflicts), ZINCRBY, ZREM, ZCARD, ZSCORE,
ZMSCORE, ZRANK/ZREVRANK, ZRANDMEMBER, ZSCAN, the score format, encodings and WATCH.

Ranges are in test_sorted_set_range.py, set algebra and pops (blocking too) in test_sorted_set_ops.py.
"""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, Reply, array, bulk, bulks, double, integer

from .asserts import assert_error, assert_null, assert_null_array, assert_ok, assert_reply
from .helpers import encoding

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX = "ERR syntax error"
NOT_FLOAT = "ERR value is not a valid float"
NOT_INTEGER = "ERR value is not an integer or out of range"


def score(resp: int, text: str) -> Reply:
    """A score as Redis sends it: a bulk string in RESP2, a double in RESP3."""
    return double(text) if resp == 3 else bulk(text)


def scored(resp: int, *pairs: tuple[str, str]) -> Reply:
    """Members with scores: flat in RESP2, [member, score] pairs in RESP3."""
    if resp == 3:
        return array(*(array(bulk(m), score(3, s)) for m, s in pairs))
    return array(*(x for m, s in pairs for x in (bulk(m), bulk(s))))


# -- ZADD ----------------------------------------------------------------------------------------------------------
def test_zadd_counts_added(conn):
    assert_reply(conn.call("ZADD", "z", 1, "a", 2, "b"), integer(2))
    assert_reply(conn.call("ZADD", "z", 5, "a", 3, "c"), integer(1))
    assert_reply(conn.call("ZSCORE", "z", "a"), score(conn.resp, "5"))


def test_zadd_ch_counts_changed(conn):
    conn.call("ZADD", "z", 1, "a", 2, "b")
    assert_reply(conn.call("ZADD", "z", "CH", 1, "a", 3, "b", 4, "c"), integer(2))


def test_zadd_nx_xx(conn, resp):
    conn.call("ZADD", "z", 1, "a")
    assert_reply(conn.call("ZADD", "z", "NX", 9, "a", 2, "b"), integer(1))
    assert_reply(conn.call("ZADD", "z", "XX", 9, "a", 3, "c"), integer(0))
    assert_reply(conn.call("ZRANGE", "z", 0, -1, "WITHSCORES"), scored(resp, ("b", "2"), ("a", "9")))
    assert_reply(conn.call("ZADD", "nokey", "XX", 1, "a"), integer(0))
    assert_reply(conn.call("EXISTS", "nokey"), integer(0))


def test_zadd_gt_lt(conn, resp):
    conn.call("ZADD", "z", 5, "a", 5, "b")
    assert_reply(conn.call("ZADD", "z", "GT", "CH", 3, "a", 7, "b", 1, "new"), integer(2))
    assert_reply(conn.call("ZADD", "z", "LT", "CH", 4, "a", 9, "b"), integer(1))
    assert_reply(conn.call("ZADD", "z", "XX", "GT", "CH", 10, "b", 10, "zz"), integer(1))
    assert_reply(conn.call("ZRANGE", "z", 0, -1, "WITHSCORES"),
                 scored(resp, ("new", "1"), ("a", "4"), ("b", "10")))


def test_zadd_incr(conn, resp):
    assert_reply(conn.call("ZADD", "z", "INCR", "1.5", "a"), score(resp, "1.5"))
    assert_reply(conn.call("ZADD", "z", "INCR", "2", "a"), score(resp, "3.5"))
    assert_null(conn.call("ZADD", "z", "NX", "INCR", "1", "a"), resp)
    assert_null(conn.call("ZADD", "z", "XX", "INCR", "1", "b"), resp)
    assert_null(conn.call("ZADD", "z", "GT", "INCR", "-1", "a"), resp)
    assert_reply(conn.call("ZADD", "z", "LT", "INCR", "-1", "a"), score(resp, "2.5"))
    assert_null(conn.call("ZADD", "nokey", "XX", "INCR", "1", "a"), resp)


@pytest.mark.parametrize("args,message", [
    (("NX", "XX", 1, "a"), "ERR XX and NX options at the same time are not compatible"),
    (("NX", "GT", 1, "a"), "ERR GT, LT, and/or NX options at the same time are not compatible"),
    (("LT", "NX", 1, "a"), "ERR GT, LT, and/or NX options at the same time are not compatible"),
    (("GT", "LT", 1, "a"), "ERR GT, LT, and/or NX options at the same time are not compatible"),
    (("INCR", 1, "a", 2, "b"), "ERR INCR option supports a single increment-element pair"),
    ((1, "a", 2), SYNTAX),
    (("NX", "XX"), SYNTAX),
    (("x", "a"), NOT_FLOAT),
    (("nan", "a"), NOT_FLOAT),
    (("1e400", "a"), NOT_FLOAT),
    ((" 1", "a"), NOT_FLOAT),
    (("1", "a", "bad", "b"), NOT_FLOAT),
])
def test_zadd_errors(conn, args, message):
    assert_error(conn.call("ZADD", "z", *args), message)
    assert_reply(conn.call("EXISTS", "z"), integer(0))


def test_zadd_error_order_syntax_before_conflicts(conn):
    assert_error(conn.call("ZADD", "z", "NX", "XX", 1), SYNTAX)
    assert_error(conn.call("ZADD", "z", "NX", "XX", "x", "a"), "ERR XX and NX options at the same time are not compatible")


def test_zadd_accepted_score_spellings(conn, resp):
    assert_reply(conn.call("ZADD", "z", "+2", "a", "0x10", "b", "-inf", "c", "+Infinity", "d", ".5", "e"), integer(5))
    assert_reply(conn.call("ZMSCORE", "z", "a", "b", "c", "d", "e"),
                 array(*(score(resp, s) for s in ("2", "16", "-inf", "inf", "0.5"))))


def test_zadd_wrongtype(conn):
    conn.call("SET", "str", "v")
    assert_error(conn.call("ZADD", "str", 1, "a"), WRONGTYPE)
    assert_error(conn.call("ZADD", "str", "XX", 1, "a"), WRONGTYPE)


def test_zadd_nan_from_incr(conn):
    conn.call("ZADD", "z", "inf", "a")
    assert_error(conn.call("ZADD", "z", "INCR", "-inf", "a"), "ERR resulting score is not a number (NaN)")
    assert_error(conn.call("ZINCRBY", "z", "-inf", "a"), "ERR resulting score is not a number (NaN)")
    assert_reply(conn.call("ZSCORE", "z", "a"), score(conn.resp, "inf"))


@pytest.mark.since("7.0")
def test_zadd_encoding_limits(conn):
    assert_ok(conn.call("CONFIG", "SET", "zset-max-listpack-entries", "2"))
    assert_ok(conn.call("CONFIG", "SET", "zset-max-listpack-value", "4"))
    try:
        conn.call("ZADD", "z", 1, "a", 2, "b")
        assert encoding(conn, "z") == b"listpack"
        conn.call("ZADD", "z", 3, "c")
        assert encoding(conn, "z") == b"skiplist"
        conn.call("ZADD", "long", 1, "abcde")
        assert encoding(conn, "long") == b"skiplist"
        conn.call("ZADD", "many", 1, "a", 2, "b", 3, "c")
        assert encoding(conn, "many") == b"skiplist"
        conn.call("ZREM", "z", "a", "b")
        assert encoding(conn, "z") == b"skiplist"
    finally:
        conn.call("CONFIG", "SET", "zset-max-listpack-entries", "128")
        conn.call("CONFIG", "SET", "zset-max-listpack-value", "64")


# -- score format --------------------------------------------------------------------------------------------------
FORMATTED = [
    ("1e21", "1e+21"), ("1.5e-7", "1.5e-7"), ("0.1", "0.1"), ("123456789012345678", "123456789012345680"),
    ("1e17", "100000000000000000"), ("1e-5", "0.00001"), ("1e-7", "1e-7"),
    ("33333333.3333333", "3.33333333333333e+7"), ("1234567890123456789012", "1234567890123456800000"),
    ("0.30000000000000004", "0.30000000000000004"), ("-2.767812163830921e+78", "-2.7678121638309208e+78"),
    ("5e-324", "5e-324"), ("-1.5", "-1.5"), ("1.7976931348623157e308", "1.7976931348623157e+308"),
    ("inf", "inf"), ("-inf", "-inf"), ("3.0", "3"),
]


@pytest.mark.parametrize("encoding_name", ["listpack", "skiplist"])
@pytest.mark.parametrize("given,printed", FORMATTED, ids=[g for g, _ in FORMATTED])
def test_zscore_format(conn, resp, encoding_name, given, printed):
    if encoding_name == "skiplist":
        conn.call("ZADD", "z", 0, "x" * 100)
    conn.call("ZADD", "z", given, "m")
    want = b",%s\r\n" % printed.encode() if resp == 3 else b"$%d\r\n%s\r\n" % (len(printed), printed.encode())
    assert conn.call("ZSCORE", "z", "m").raw == want


def test_zscore_negative_zero_by_encoding(conn, resp):
    conn.call("ZADD", "small", "-0", "m")
    assert conn.call("ZSCORE", "small", "m").raw == (b",0\r\n" if resp == 3 else b"$1\r\n0\r\n")
    conn.call("ZADD", "big", 0, "x" * 100, "-0", "m")
    assert conn.call("ZSCORE", "big", "m").raw == (b",-0\r\n" if resp == 3 else b"$2\r\n-0\r\n")


# -- ZINCRBY -------------------------------------------------------------------------------------------------------
def test_zincrby(conn, resp):
    assert_reply(conn.call("ZINCRBY", "z", "2.5", "a"), score(resp, "2.5"))
    assert_reply(conn.call("ZINCRBY", "z", "-1", "a"), score(resp, "1.5"))
    assert_reply(conn.call("ZINCRBY", "z", "0.1", "a"), score(resp, "1.6"))
    assert_error(conn.call("ZINCRBY", "z", "x", "a"), NOT_FLOAT)
    conn.call("SET", "str", "v")
    assert_error(conn.call("ZINCRBY", "str", 1, "a"), WRONGTYPE)


# -- ZREM / ZCARD / ZSCORE / ZMSCORE -------------------------------------------------------------------------------
def test_zrem_deletes_emptied_key(conn):
    conn.call("ZADD", "z", 1, "a", 2, "b")
    assert_reply(conn.call("ZREM", "z", "a", "x", "a"), integer(1))
    assert_reply(conn.call("ZREM", "z", "b"), integer(1))
    assert_reply(conn.call("EXISTS", "z"), integer(0))
    assert_reply(conn.call("ZREM", "z", "b"), integer(0))


def test_zcard(conn):
    conn.call("ZADD", "z", 1, "a", 2, "b")
    assert_reply(conn.call("ZCARD", "z"), integer(2))
    assert_reply(conn.call("ZCARD", "nokey"), integer(0))


def test_zscore_missing(conn, resp):
    conn.call("ZADD", "z", 1, "a")
    assert_null(conn.call("ZSCORE", "z", "x"), resp)
    assert_null(conn.call("ZSCORE", "nokey", "a"), resp)


def test_zmscore(conn, resp):
    conn.call("ZADD", "z", 1, "a", "2.5", "b")
    nil = Reply(Kind.NULL, None)
    assert_reply(conn.call("ZMSCORE", "z", "a", "x", "b"), array(score(resp, "1"), nil, score(resp, "2.5")))
    assert_reply(conn.call("ZMSCORE", "nokey", "a"), array(nil))


@pytest.mark.parametrize("command", [("ZREM", "str", "a"), ("ZCARD", "str"), ("ZSCORE", "str", "a"),
                                     ("ZMSCORE", "str", "a"), ("ZRANK", "str", "a"), ("ZREVRANK", "str", "a"),
                                     ("ZRANDMEMBER", "str"), ("ZRANDMEMBER", "str", 2), ("ZSCAN", "str", 0)])
def test_zscore_family_wrongtype(conn, command):
    conn.call("SADD", "str", "a")
    assert_error(conn.call(*command), WRONGTYPE)


# -- ZRANK / ZREVRANK ----------------------------------------------------------------------------------------------
@pytest.mark.since("7.2")  # ZRANK WITHSCORE arrived in 7.2
def test_zrank(conn, resp):
    conn.call("ZADD", "z", 1, "a", 2, "b", 2, "c")
    assert_reply(conn.call("ZRANK", "z", "c"), integer(2))
    assert_reply(conn.call("ZREVRANK", "z", "c"), integer(0))
    assert_reply(conn.call("ZRANK", "z", "b", "WITHSCORE"), array(integer(1), score(resp, "2")))
    assert_reply(conn.call("ZREVRANK", "z", "a", "withscore"), array(integer(2), score(resp, "1")))


@pytest.mark.since("7.2")  # ZRANK WITHSCORE arrived in 7.2
def test_zrank_missing(conn, resp):
    conn.call("ZADD", "z", 1, "a")
    assert_null(conn.call("ZRANK", "z", "x"), resp)
    assert_null(conn.call("ZRANK", "nokey", "x"), resp)
    assert_null_array(conn.call("ZRANK", "z", "x", "WITHSCORE"), resp)
    assert_null_array(conn.call("ZREVRANK", "nokey", "x", "WITHSCORE"), resp)


@pytest.mark.since("7.2")  # ZRANK WITHSCORE arrived in 7.2
def test_zrank_errors(conn):
    conn.call("ZADD", "z", 1, "a")
    assert_error(conn.call("ZRANK", "z", "a", "WITHSCORES"), SYNTAX)
    assert_error(conn.call("ZRANK", "z", "a", "WITHSCORE", "x"), "ERR wrong number of arguments for 'zrank' command")


def test_zrank_big_set(conn):
    conn.call("ZADD", "z", *[x for i in range(1000) for x in (i % 7, f"m{i:04d}")])
    ranks = {conn.call("ZRANK", "z", f"m{i:04d}").value for i in range(0, 1000, 37)}
    assert len(ranks) == len(range(0, 1000, 37))
    assert_reply(conn.call("ZRANK", "z", "m0000"), integer(0))
    assert_reply(conn.call("ZREVRANK", "z", "m0999"), integer(142))  # the 142 members scoring 6 are above it


# -- ZRANDMEMBER ---------------------------------------------------------------------------------------------------
def test_zrandmember_single(conn, resp):
    conn.call("ZADD", "z", 1, "a", 2, "b")
    assert conn.call("ZRANDMEMBER", "z").value in (b"a", b"b")
    assert_null(conn.call("ZRANDMEMBER", "nokey"), resp)


@pytest.mark.parametrize("size", [5, 300])
def test_zrandmember_distinct_with_scores(conn, resp, size):
    conn.call("ZADD", "z", *[x for i in range(size) for x in (i, f"m{i}")])
    reply = conn.call("ZRANDMEMBER", "z", 3, "WITHSCORES")
    pairs = [(p.value[0].value, p.value[1].value) for p in reply.value] if resp == 3 else \
        [(reply.value[i].value, float(reply.value[i + 1].value)) for i in range(0, len(reply.value), 2)]
    assert len(pairs) == 3 and len({m for m, _ in pairs}) == 3
    assert all(m == b"m%d" % s for m, s in pairs)


def test_zrandmember_negative_repeats_and_whole_set(conn, resp):
    conn.call("ZADD", "z", 1, "a", 2, "b")
    got = [r.value for r in conn.call("ZRANDMEMBER", "z", -10).value]
    assert len(got) == 10 and set(got) <= {b"a", b"b"}
    assert_reply(conn.call("ZRANDMEMBER", "z", 5, "WITHSCORES"), scored(resp, ("b", "2"), ("a", "1")))


def test_zrandmember_zero_missing_and_errors(conn):
    conn.call("ZADD", "z", 1, "a")
    assert_reply(conn.call("ZRANDMEMBER", "z", 0), bulks())
    assert_reply(conn.call("ZRANDMEMBER", "nokey", 3), bulks())
    assert_error(conn.call("ZRANDMEMBER", "z", "x"), NOT_INTEGER)
    assert_error(conn.call("ZRANDMEMBER", "z", 1, "WITHSCORE"), SYNTAX)
    assert_error(conn.call("ZRANDMEMBER", "z", 1, "WITHSCORES", "x"), SYNTAX)
    assert_error(conn.call("ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES"), "ERR value is out of range")
    assert_error(conn.call("ZRANDMEMBER", "z", "-9223372036854775808"),
                 "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")


# -- ZSCAN ---------------------------------------------------------------------------------------------------------
def test_zscan_small(conn):
    conn.call("ZADD", "z", 2, "b", "1.5", "a")
    assert_reply(conn.call("ZSCAN", "z", 0), array(bulk("0"), bulks("a", "1.5", "b", "2")))
    assert_reply(conn.call("ZSCAN", "z", 0, "MATCH", "b*"), array(bulk("0"), bulks("b", "2")))
    assert_reply(conn.call("ZSCAN", "nokey", 0), array(bulk("0"), bulks()))


def test_zscan_big_full_iteration(conn):
    conn.call("ZADD", "z", *[x for i in range(300) for x in (i, f"m{i}")])
    seen, cursor = {}, b"0"
    while True:
        reply = conn.call("ZSCAN", "z", cursor, "COUNT", 25)
        cursor, flat = reply.value[0].value, [r.value for r in reply.value[1].value]
        seen.update(zip(flat[::2], flat[1::2]))
        if cursor == b"0":
            break
    assert seen == {b"m%d" % i: b"%d" % i for i in range(300)}


def test_zscan_errors(conn):
    conn.call("ZADD", "z", 1, "a")
    assert_error(conn.call("ZSCAN", "z", "-x"), "ERR invalid cursor")
    assert_error(conn.call("ZSCAN", "z", 0, "COUNT", 0), SYNTAX)
    assert_error(conn.call("ZSCAN", "z", 0, "MATCH"), SYNTAX)


# -- WATCH ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("change", [("ZADD", "z", 5, "a"), ("ZINCRBY", "z", 1, "a"), ("ZREM", "z", "a"),
                                    ("ZADD", "z", "GT", 9, "a")])
def test_zadd_family_touches_watched_key(conn, connect_client, resp, change):
    conn.call("ZADD", "z", 1, "a", 2, "b")
    assert_ok(conn.call("WATCH", "z"))
    connect_client().call(*change)
    conn.call("MULTI")
    conn.call("PING")
    assert_null_array(conn.call("EXEC"), resp)


@pytest.mark.parametrize("noop", [("ZADD", "z", 1, "a"), ("ZADD", "z", "LT", 5, "a"), ("ZREM", "z", "x")])
def test_zadd_noop_leaves_watched_key(conn, connect_client, noop):
    conn.call("ZADD", "z", 1, "a")
    assert_ok(conn.call("WATCH", "z"))
    connect_client().call(*noop)
    conn.call("MULTI")
    conn.call("PING")
    assert_reply(conn.call("EXEC"), array(Reply(Kind.SIMPLE, "PONG")))
