"""Set group: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SPOP, SRANDMEMBER, SMOVE, SINTER, SINTERCARD,
SINTERSTORE, SUNION(STORE), SDIFF(STORE), SSCAN.

Reply order is asserted only where Redis fixes it: an intset replies in numeric order, a listpack in insertion
order. Hash-table sets are compared as multisets; random commands are checked by count, distinctness and membership.
"""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, Reply, bulk, bulks, integer, set_

from .asserts import assert_error, assert_members, assert_null, assert_null_array, assert_ok, assert_reply
from .helpers import encoding

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"


def members(resp: int, *items: str) -> Reply:
    """The reply of SMEMBERS-like commands: a set in RESP3, an array in RESP2."""
    return set_(*(bulk(i) for i in items)) if resp == 3 else bulks(*items)


def assert_set(got: Reply, resp: int, *items: str) -> None:
    """A set reply (a set in RESP3, an array in RESP2) holding `items` in any order: rule `multiset`, for the commands
    whose order Redis does not promise (SINTER, SUNION, SDIFF, SPOP with a count); the encoding-order cases compare
    exactly."""
    assert_members(got, [bulk(i) for i in items], kind=Kind.SET if resp == 3 else Kind.ARRAY)


def plain_members(reply: Reply) -> list[bytes]:
    assert reply.kind in (Kind.ARRAY, Kind.SET), f"expected an aggregate, got {reply}"
    return [r.value for r in reply.value]


# -- SADD / SREM / SCARD -------------------------------------------------------------------------------------------
def test_sadd_counts_only_new_members(conn):
    assert_reply(conn.call("SADD", "s", "a", "b", "a"), integer(2))
    assert_reply(conn.call("SADD", "s", "b", "c"), integer(1))
    assert_reply(conn.call("SCARD", "s"), integer(3))


def test_sadd_wrongtype(conn):
    conn.call("SET", "str", "v")
    assert_error(conn.call("SADD", "str", "a"), WRONGTYPE)


def test_sadd_intset_replies_in_numeric_order(conn, resp):
    conn.call("SADD", "s", "10", "-5", "3", "0")
    assert encoding(conn, "s") == b"intset"
    assert_reply(conn.call("SMEMBERS", "s"), members(resp, "-5", "0", "3", "10"))


@pytest.mark.since("7.2")  # sets got the listpack encoding in 7.2
def test_sadd_intset_to_listpack_keeps_numeric_order_then_insertion(conn, resp):
    conn.call("SADD", "s", "3", "1", "2")
    conn.call("SADD", "s", "b", "a", "007")
    assert encoding(conn, "s") == b"listpack"
    assert_reply(conn.call("SMEMBERS", "s"), members(resp, "1", "2", "3", "b", "a", "007"))


@pytest.mark.since("7.2")  # sets got the listpack encoding in 7.2
def test_sadd_encoding_limits(conn):
    assert_ok(conn.call("CONFIG", "SET", "set-max-intset-entries", "4"))
    assert_ok(conn.call("CONFIG", "SET", "set-max-listpack-entries", "3"))
    assert_ok(conn.call("CONFIG", "SET", "set-max-listpack-value", "5"))
    try:
        conn.call("SADD", "ints", "1", "2", "3", "4")
        assert encoding(conn, "ints") == b"intset"
        conn.call("SADD", "ints", "5")
        assert encoding(conn, "ints") == b"hashtable"
        conn.call("SADD", "small", "a", "b")
        assert encoding(conn, "small") == b"listpack"
        conn.call("SADD", "small", "toolong")
        assert encoding(conn, "small") == b"hashtable"
        conn.call("SADD", "many", "a", "b", "c", "d")
        assert encoding(conn, "many") == b"hashtable"
        conn.call("SADD", "dups", "a")
        conn.call("SADD", "dups", "a", "a", "a", "a")  # more arguments than the limit: converted up front
        assert encoding(conn, "dups") == b"hashtable"
    finally:
        conn.call("CONFIG", "SET", "set-max-intset-entries", "512")
        conn.call("CONFIG", "SET", "set-max-listpack-entries", "128")
        conn.call("CONFIG", "SET", "set-max-listpack-value", "64")


def test_srem_deletes_emptied_key(conn):
    conn.call("SADD", "s", "a", "b")
    assert_reply(conn.call("SREM", "s", "a", "x", "b", "a"), integer(2))
    assert_reply(conn.call("EXISTS", "s"), integer(0))
    assert_reply(conn.call("SREM", "s", "a"), integer(0))


def test_srem_wrongtype(conn):
    conn.call("SET", "str", "v")
    assert_error(conn.call("SREM", "str", "a"), WRONGTYPE)


def test_scard_missing_and_wrongtype(conn):
    assert_reply(conn.call("SCARD", "nokey"), integer(0))
    conn.call("SET", "str", "v")
    assert_error(conn.call("SCARD", "str"), WRONGTYPE)


# -- membership ----------------------------------------------------------------------------------------------------
def test_sismember(conn):
    conn.call("SADD", "s", "a", "1")
    assert_reply(conn.call("SISMEMBER", "s", "a"), integer(1))
    assert_reply(conn.call("SISMEMBER", "s", "01"), integer(0))
    assert_reply(conn.call("SISMEMBER", "nokey", "a"), integer(0))
    conn.call("SET", "str", "v")
    assert_error(conn.call("SISMEMBER", "str", "a"), WRONGTYPE)


def test_smismember(conn):
    conn.call("SADD", "s", "a", "b")
    assert_reply(conn.call("SMISMEMBER", "s", "a", "x", "b"), Reply(Kind.ARRAY, (integer(1), integer(0), integer(1))))
    assert_reply(conn.call("SMISMEMBER", "nokey", "a", "b"), Reply(Kind.ARRAY, (integer(0), integer(0))))
    conn.call("SET", "str", "v")
    assert_error(conn.call("SMISMEMBER", "str", "a"), WRONGTYPE)


def test_smembers_missing_key_is_empty(conn, resp):
    assert_reply(conn.call("SMEMBERS", "nokey"), members(resp))


@pytest.mark.since("7.2")  # sets got the listpack encoding in 7.2
def test_smembers_listpack_keeps_insertion_order(conn, resp):
    conn.call("SADD", "s", "c", "a", "b")
    conn.call("SREM", "s", "a")
    conn.call("SADD", "s", "a")
    assert_reply(conn.call("SMEMBERS", "s"), members(resp, "c", "b", "a"))


def test_smembers_hashtable_as_multiset(conn, resp):
    items = [f"member-{i}" for i in range(200)]
    conn.call("SADD", "s", *items)
    reply = conn.call("SMEMBERS", "s")
    assert reply.kind is (Kind.SET if resp == 3 else Kind.ARRAY)
    assert sorted(plain_members(reply)) == sorted(i.encode() for i in items)


def test_smembers_wrongtype(conn):
    conn.call("ZADD", "zset", "1", "a")
    assert_error(conn.call("SMEMBERS", "zset"), WRONGTYPE)


# -- SPOP / SRANDMEMBER --------------------------------------------------------------------------------------------
def test_spop_single(conn, resp):
    conn.call("SADD", "s", "a", "b")
    first = conn.call("SPOP", "s")
    second = conn.call("SPOP", "s")
    assert sorted([first.value, second.value]) == [b"a", b"b"]
    assert_reply(conn.call("EXISTS", "s"), integer(0))
    assert_null(conn.call("SPOP", "s"), resp)


@pytest.mark.parametrize("size,count", [(10, 3), (10, 9), (300, 100), (300, 290)])
def test_spop_count_distinct_members(conn, resp, size, count):
    items = {f"{i}".encode() if size < 100 else f"m{i}".encode() for i in range(size)}
    conn.call("SADD", "s", *items)
    reply = conn.call("SPOP", "s", count)
    assert reply.kind is (Kind.SET if resp == 3 else Kind.ARRAY)
    popped = plain_members(reply)
    assert len(popped) == count and len(set(popped)) == count and set(popped) <= items
    rest = set(plain_members(conn.call("SMEMBERS", "s")))
    assert rest == items - set(popped)


def test_spop_count_all_deletes_key(conn, resp):
    conn.call("SADD", "s", "3", "1", "2")
    assert_set(conn.call("SPOP", "s", 5), resp, "1", "2", "3")
    assert_reply(conn.call("EXISTS", "s"), integer(0))


def test_spop_count_zero_and_missing(conn, resp):
    conn.call("SADD", "s", "a")
    assert_reply(conn.call("SPOP", "s", 0), members(resp))
    assert_reply(conn.call("SPOP", "nokey", 3), members(resp))
    assert_reply(conn.call("SCARD", "s"), integer(1))


def test_spop_errors(conn):
    conn.call("SADD", "s", "a")
    assert_error(conn.call("SPOP", "s", -1), "ERR value is out of range, must be positive")
    assert_error(conn.call("SPOP", "s", "x"), "ERR value is out of range, must be positive")
    assert_error(conn.call("SPOP", "s", 1, 2), SYNTAX)
    conn.call("SET", "str", "v")
    assert_error(conn.call("SPOP", "str"), WRONGTYPE)
    assert_error(conn.call("SPOP", "str", 0), WRONGTYPE)


def test_srandmember_single(conn, resp):
    conn.call("SADD", "s", "a", "b", "c")
    assert conn.call("SRANDMEMBER", "s").value in (b"a", b"b", b"c")
    assert_null(conn.call("SRANDMEMBER", "nokey"), resp)


@pytest.mark.parametrize("size", [5, 300])
def test_srandmember_positive_count_distinct(conn, size):
    items = {f"m{i}".encode() for i in range(size)}
    conn.call("SADD", "s", *items)
    got = plain_members(conn.call("SRANDMEMBER", "s", 3))
    assert len(got) == 3 and len(set(got)) == 3 and set(got) <= items
    assert sorted(plain_members(conn.call("SRANDMEMBER", "s", size + 5))) == sorted(items)


def test_srandmember_negative_count_repeats(conn):
    conn.call("SADD", "s", "a", "b")
    got = plain_members(conn.call("SRANDMEMBER", "s", -20))
    assert len(got) == 20 and set(got) <= {b"a", b"b"}
    assert conn.call("SRANDMEMBER", "s", -20).kind is Kind.ARRAY


def test_srandmember_whole_intset_in_order(conn):
    conn.call("SADD", "s", "3", "1", "2")
    assert_reply(conn.call("SRANDMEMBER", "s", 10), bulks("1", "2", "3"))


def test_srandmember_zero_missing_and_errors(conn):
    conn.call("SADD", "s", "a")
    assert_reply(conn.call("SRANDMEMBER", "s", 0), bulks())
    assert_reply(conn.call("SRANDMEMBER", "nokey", 5), bulks())
    assert_error(conn.call("SRANDMEMBER", "s", "x"), NOT_INTEGER)
    assert_error(conn.call("SRANDMEMBER", "s", "-9223372036854775808"),
                 "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    assert_error(conn.call("SRANDMEMBER", "s", 1, 2), SYNTAX)
    conn.call("SET", "str", "v")
    assert_error(conn.call("SRANDMEMBER", "str", 1), WRONGTYPE)


# -- SMOVE ---------------------------------------------------------------------------------------------------------
def test_smove_moves_and_creates_destination(conn, resp):
    conn.call("SADD", "src", "a", "b")
    assert_reply(conn.call("SMOVE", "src", "dst", "a"), integer(1))
    assert_reply(conn.call("SMEMBERS", "dst"), members(resp, "a"))
    assert_reply(conn.call("SMOVE", "src", "dst", "b"), integer(1))
    assert_reply(conn.call("EXISTS", "src"), integer(0))


def test_smove_missing_member_source_and_same_key(conn):
    conn.call("SADD", "src", "a")
    assert_reply(conn.call("SMOVE", "src", "dst", "x"), integer(0))
    assert_reply(conn.call("SMOVE", "nokey", "dst", "a"), integer(0))
    assert_reply(conn.call("SMOVE", "src", "src", "a"), integer(1))
    assert_reply(conn.call("SMOVE", "src", "src", "x"), integer(0))


def test_smove_already_in_destination(conn):
    conn.call("SADD", "src", "a")
    conn.call("SADD", "dst", "a")
    assert_reply(conn.call("SMOVE", "src", "dst", "a"), integer(1))
    assert_reply(conn.call("SCARD", "dst"), integer(1))


def test_smove_wrongtype(conn):
    conn.call("SADD", "src", "a")
    conn.call("SET", "str", "v")
    assert_error(conn.call("SMOVE", "src", "str", "a"), WRONGTYPE)
    assert_error(conn.call("SMOVE", "str", "src", "a"), WRONGTYPE)
    assert_reply(conn.call("SMOVE", "nokey", "str", "a"), integer(0))


# -- set algebra ---------------------------------------------------------------------------------------------------
@pytest.fixture
def abc(conn):
    conn.call("SADD", "a", "1", "2", "3", "4")
    conn.call("SADD", "b", "3", "4", "5")
    conn.call("SADD", "c", "x", "4", "3")
    return conn


def test_sinter(abc, resp):
    assert_set(abc.call("SINTER", "a", "b"), resp, "3", "4")
    assert_members(abc.call("SINTER", "a", "b", "c"), [bulk("3"), bulk("4")])
    assert_reply(abc.call("SINTER", "a", "nokey"), members(resp))


def test_sinter_wrongtype_even_after_missing_key(abc):
    abc.call("SET", "str", "v")
    assert_error(abc.call("SINTER", "nokey", "str"), WRONGTYPE)


@pytest.mark.since("7.0")
def test_sintercard(abc):
    assert_reply(abc.call("SINTERCARD", 2, "a", "b"), integer(2))
    assert_reply(abc.call("SINTERCARD", 2, "a", "b", "LIMIT", 1), integer(1))
    assert_reply(abc.call("SINTERCARD", 2, "a", "b", "LIMIT", 0), integer(2))
    assert_reply(abc.call("SINTERCARD", 1, "nokey"), integer(0))


@pytest.mark.since("7.0")
def test_sintercard_errors(abc):
    assert_error(abc.call("SINTERCARD", 0, "a"), "ERR numkeys should be greater than 0")
    assert_error(abc.call("SINTERCARD", "x", "a"), "ERR numkeys should be greater than 0")
    assert_error(abc.call("SINTERCARD", 3, "a", "b"), "ERR Number of keys can't be greater than number of args")
    assert_error(abc.call("SINTERCARD", 1, "a", "LIMIT", -1), "ERR LIMIT can't be negative")
    assert_error(abc.call("SINTERCARD", 1, "a", "LIMIT", "x"), "ERR LIMIT can't be negative")
    assert_error(abc.call("SINTERCARD", 1, "a", "LIMIT"), SYNTAX)
    assert_error(abc.call("SINTERCARD", 1, "a", "b"), SYNTAX)


def test_sinterstore(abc, resp):
    assert_reply(abc.call("SINTERSTORE", "dst", "a", "b"), integer(2))
    assert_set(abc.call("SMEMBERS", "dst"), resp, "3", "4")
    assert encoding(abc, "dst") == b"intset"
    assert_reply(abc.call("SINTERSTORE", "dst", "a", "nokey"), integer(0))
    assert_reply(abc.call("EXISTS", "dst"), integer(0))


def test_sinterstore_listpack_result_of_integers_becomes_intset(conn):
    conn.call("SADD", "p", "x", "1", "2")
    conn.call("SADD", "q", "y", "2", "1")
    assert_reply(conn.call("SINTERSTORE", "dst", "p", "q"), integer(2))
    assert encoding(conn, "dst") == b"intset"


def test_sinterstore_overwrites_other_type_and_ttl(abc):
    abc.call("SET", "dst", "v", "EX", 100)
    assert_reply(abc.call("SINTERSTORE", "dst", "a", "b"), integer(2))
    assert_reply(abc.call("TTL", "dst"), integer(-1))
    assert_reply(abc.call("TYPE", "dst"), Reply(Kind.SIMPLE, "set"))


@pytest.mark.since("7.2")  # sets got the listpack encoding in 7.2
def test_sunion(abc, resp):
    assert_set(abc.call("SUNION", "a", "b", "nokey"), resp, "1", "2", "3", "4", "5")
    assert_members(abc.call("SUNION", "a", "c"), [bulk(x) for x in ("1", "2", "3", "4", "x")])
    assert_reply(abc.call("SUNION", "nokey"), members(resp))


@pytest.mark.since("7.2")  # sets got the listpack encoding in 7.2
def test_sunionstore(abc, resp):
    assert_reply(abc.call("SUNIONSTORE", "dst", "a", "b"), integer(5))
    assert_set(abc.call("SMEMBERS", "dst"), resp, "1", "2", "3", "4", "5")
    assert_reply(abc.call("SUNIONSTORE", "dst", "c", "b"), integer(4))
    assert encoding(abc, "dst") == b"listpack"
    assert_reply(abc.call("SUNIONSTORE", "dst", "nokey"), integer(0))
    assert_reply(abc.call("EXISTS", "dst"), integer(0))


def test_sdiff(abc, resp):
    assert_set(abc.call("SDIFF", "a", "b"), resp, "1", "2")
    assert_members(abc.call("SDIFF", "a", "b", "c", "nokey"), [bulk("1"), bulk("2")])  # c is a listpack
    assert_reply(abc.call("SDIFF", "nokey", "a"), members(resp))
    assert_reply(abc.call("SDIFF", "a", "a"), members(resp))
    assert_members(abc.call("SDIFF", "c", "a"), [bulk("x")])


def test_sdiffstore(abc, resp):
    assert_reply(abc.call("SDIFFSTORE", "dst", "a", "b"), integer(2))
    assert_set(abc.call("SMEMBERS", "dst"), resp, "1", "2")
    assert_reply(abc.call("SDIFFSTORE", "dst", "a", "a"), integer(0))
    assert_reply(abc.call("EXISTS", "dst"), integer(0))


@pytest.mark.parametrize("command", ["SINTER", "SUNION", "SDIFF", "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"])
def test_sinter_family_wrongtype(abc, command):
    abc.call("SET", "str", "v")
    keys = ["dst"] if command.endswith("STORE") else []
    assert_error(abc.call(command, *keys, "a", "str"), WRONGTYPE)


# -- SSCAN ---------------------------------------------------------------------------------------------------------
def test_sscan_small_set_in_one_call(conn):
    conn.call("SADD", "s", "3", "1", "2")
    assert_reply(conn.call("SSCAN", "s", 0), Reply(Kind.ARRAY, (bulk("0"), bulks("1", "2", "3"))))
    assert_reply(conn.call("SSCAN", "s", 0, "MATCH", "[12]", "COUNT", 1),
                 Reply(Kind.ARRAY, (bulk("0"), bulks("1", "2"))))


def test_sscan_big_set_full_iteration(conn):
    items = {f"m{i}".encode() for i in range(300)}
    conn.call("SADD", "s", *items)
    seen, cursor, calls = [], b"0", 0
    while True:
        reply = conn.call("SSCAN", "s", cursor, "COUNT", 20)
        cursor = reply.value[0].value
        seen.extend(r.value for r in reply.value[1].value)
        calls += 1
        if cursor == b"0":
            break
    assert set(seen) == items and calls > 1


def test_sscan_missing_key_and_errors(conn):
    assert_reply(conn.call("SSCAN", "nokey", 0), Reply(Kind.ARRAY, (bulk("0"), bulks())))
    conn.call("SADD", "s", "a")
    assert_error(conn.call("SSCAN", "s", "x"), "ERR invalid cursor")
    assert_error(conn.call("SSCAN", "s", 0, "COUNT", 0), SYNTAX)
    assert_error(conn.call("SSCAN", "s", 0, "COUNT", "x"), NOT_INTEGER)
    assert_error(conn.call("SSCAN", "s", 0, "FOO"), SYNTAX)
    conn.call("SET", "str", "v")
    assert_error(conn.call("SSCAN", "str", 0), WRONGTYPE)


@pytest.mark.since("7.4")  # NOVALUES (HSCAN only) arrived in 7.4
def test_sscan_novalues_is_for_hscan_only(conn):
    conn.call("SADD", "s", "a")
    assert_error(conn.call("SSCAN", "s", 0, "NOVALUES"), "ERR NOVALUES option can only be used in HSCAN")


# -- WATCH ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("change", [("SADD", "s", "new"), ("SREM", "s", "a"), ("SPOP", "s"),
                                    ("SMOVE", "s", "t", "a"), ("SINTERSTORE", "s", "s", "s")])
def test_sadd_family_touches_watched_key(conn, connect_client, resp, change):
    conn.call("SADD", "s", "a", "b")
    assert_ok(conn.call("WATCH", "s"))
    connect_client().call(*change)
    conn.call("MULTI")
    conn.call("PING")
    assert_null_array(conn.call("EXEC"), resp)


def test_sadd_noop_does_not_touch_watched_key(conn, connect_client):
    conn.call("SADD", "s", "a")
    assert_ok(conn.call("WATCH", "s"))
    connect_client().call("SADD", "s", "a")
    connect_client().call("SREM", "s", "zzz")
    conn.call("MULTI")
    conn.call("PING")
    assert_reply(conn.call("EXEC"), Reply(Kind.ARRAY, (Reply(Kind.SIMPLE, "PONG"),)))
