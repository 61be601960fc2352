"""Stream entries: XADD (IDs, NOMKSTREAM, trimming), XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID, XDELEX, XREAD
(blocking included) and XINFO STREAM's bookkeeping. Consumer groups are in test_stream_groups.py."""
from __future__ import annotations

import re

import pytest

from forkdiff.types import NULL, NULL_ARRAY, Kind, array, bulk, bulks, integer, map_, simple

from .asserts import assert_error, assert_help, assert_null, assert_null_array, assert_ok, assert_reply
from .helpers import wait_blocked

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
INVALID_ID = "ERR Invalid stream ID specified as stream command argument"
TOO_SMALL = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
U64 = "18446744073709551615"


def entry(sid: str, *pairs: str):
    return array(bulk(sid), bulks(*pairs))


def entries(*items):
    return array(*items)


def info(conn, key: str, *extra) -> dict:
    """XINFO STREAM as a dict of field name -> reply (works for the RESP2 flat array and the RESP3 map)."""
    reply = conn.call("XINFO", "STREAM", key, *extra)
    if reply.kind is Kind.MAP:
        return {k.value.decode(): v for k, v in reply.value}
    values = reply.value
    return {values[i].value.decode(): values[i + 1] for i in range(0, len(values), 2)}


@pytest.fixture
def s3(conn):
    for sid, value in (("1-1", "a"), ("1-2", "b"), ("2-0", "c")):
        conn.call("XADD", "s", sid, "f", value)
    return conn


# -- XADD ------------------------------------------------------------------------------------------------------------
def test_xadd_explicit_ids(conn):
    assert_reply(conn.call("XADD", "s", "1-1", "a", "1"), bulk("1-1"))
    assert_reply(conn.call("XADD", "s", "1-2", "a", "1", "b", "2"), bulk("1-2"))
    assert_reply(conn.call("XADD", "s", "5", "a", "1"), bulk("5-0"))
    assert_reply(conn.call("XLEN", "s"), integer(3))
    assert_reply(conn.call("TYPE", "s"), simple("stream"))
    assert_reply(conn.call("OBJECT", "ENCODING", "s"), bulk("stream"))


@pytest.mark.since("7.0")
def test_xadd_auto_sequence(conn):
    assert_reply(conn.call("XADD", "s", "0-*", "a", "1"), bulk("0-1"))
    assert_reply(conn.call("XADD", "s", "0-*", "a", "1"), bulk("0-2"))
    assert_reply(conn.call("XADD", "s", "7-*", "a", "1"), bulk("7-0"))
    assert_reply(conn.call("XADD", "s", "7-*", "a", "1"), bulk("7-1"))
    assert_error(conn.call("XADD", "s", "6-*", "a", "1"), TOO_SMALL)


def test_xadd_star_uses_the_clock(conn):
    first = conn.call("XADD", "s", "*", "a", "1").value
    second = conn.call("XADD", "s", "*", "a", "2").value
    assert re.fullmatch(rb"\d{13}-\d+", first) and re.fullmatch(rb"\d{13}-\d+", second)
    ms1, seq1 = map(int, first.split(b"-"))
    ms2, seq2 = map(int, second.split(b"-"))
    assert (ms2, seq2) > (ms1, seq1)
    assert_reply(conn.call("XADD", "s", f"{ms2 + 10_000_000}-5", "a", "3"), bulk(f"{ms2 + 10_000_000}-5"))
    assert_reply(conn.call("XADD", "s", "*", "a", "4"), bulk(f"{ms2 + 10_000_000}-6"))


def test_xadd_id_errors(conn):
    assert_error(conn.call("XADD", "s", "0-0", "a", "1"), "ERR The ID specified in XADD must be greater than 0-0")
    conn.call("XADD", "s", "5-5", "a", "1")
    for sid in ("5-5", "5-4", "4", "4-*", "0-*"):
        assert_error(conn.call("XADD", "s", sid, "a", "1"), TOO_SMALL)
    for sid in ("bad", "-", "+", "1-x", f"{U64}0", "-1", "1-2-3"):
        assert_error(conn.call("XADD", "s", sid, "a", "1"), INVALID_ID)


def test_xadd_last_possible_id(conn):
    assert_reply(conn.call("XADD", "s", f"{U64}-{U64}", "a", "1"), bulk(f"{U64}-{U64}"))
    for sid in ("*", f"{U64}-*", "1-1"):
        assert_error(conn.call("XADD", "s", sid, "a", "1"),
                     "ERR The stream has exhausted the last possible ID, unable to add more items")
    conn.call("XADD", "t", f"{U64}-{int(U64) - 1}", "a", "1")
    assert_reply(conn.call("XADD", "t", f"{U64}-*", "a", "1"), bulk(f"{U64}-{U64}"))


def test_xadd_wrong_number_of_fields(conn):
    for args in (("1-1", "a"), ("1-1", "a", "1", "b"), ("MAXLEN", "1", "1-1"), ("*",)):
        assert_error(conn.call("XADD", "s", *args), "ERR wrong number of arguments for 'xadd' command")


def test_xadd_nomkstream(conn, resp):
    assert_null(conn.call("XADD", "s", "NOMKSTREAM", "*", "a", "1"), resp)
    assert_reply(conn.call("EXISTS", "s"), integer(0))
    conn.call("XADD", "s", "1-0", "a", "1")
    assert_reply(conn.call("XADD", "s", "NOMKSTREAM", "NOMKSTREAM", "2-0", "a", "1"), bulk("2-0"))


def test_xadd_wrongtype(conn):
    conn.call("SET", "str", "x")
    assert_error(conn.call("XADD", "str", "*", "a", "1"), WRONGTYPE)


def test_xadd_maxlen_and_minid(conn):
    for i in range(1, 6):
        conn.call("XADD", "s", f"{i}-0", "f", str(i))
    assert_reply(conn.call("XADD", "s", "MAXLEN", "3", "6-0", "f", "6"), bulk("6-0"))
    assert_reply(conn.call("XRANGE", "s", "-", "+"), entries(entry("4-0", "f", "4"), entry("5-0", "f", "5"),
                                                            entry("6-0", "f", "6")))
    assert_reply(conn.call("XADD", "s", "MINID", "=", "6", "7-0", "f", "7"), bulk("7-0"))
    assert_reply(conn.call("XLEN", "s"), integer(2))
    assert_reply(conn.call("XADD", "s", "maxlen", "=", "0", "8-0", "f", "8"), bulk("8-0"))
    assert_reply(conn.call("XLEN", "s"), integer(0))


def test_xadd_approximate_trim_keeps_whole_nodes(conn):
    for i in range(1, 151):
        conn.call("XADD", "s", f"{i}-0", "f", "v")
    assert_reply(conn.call("XADD", "s", "MAXLEN", "~", "120", "151-0", "f", "v"), bulk("151-0"))
    assert_reply(conn.call("XLEN", "s"), integer(151))  # the first node holds 100 entries: it cannot go yet
    assert_reply(conn.call("XADD", "s", "MAXLEN", "~", "10", "152-0", "f", "v"), bulk("152-0"))
    assert_reply(conn.call("XLEN", "s"), integer(52))
    assert_reply(conn.call("XADD", "s", "MAXLEN", "~", "0", "LIMIT", "10", "153-0", "f", "v"), bulk("153-0"))
    assert_reply(conn.call("XLEN", "s"), integer(53))


def test_xadd_trim_option_errors(conn):
    cases = {
        ("MAXLEN", "5", "MAXLEN", "5"): "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
        ("MINID", "5", "MAXLEN", "5"): "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
        ("LIMIT", "5"): "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ("LIMIT", "0"): "ERR syntax error, LIMIT cannot be used without the special ~ option",
        ("MAXLEN", "5", "LIMIT", "5"): "ERR syntax error, LIMIT cannot be used without the special ~ option",
        ("MAXLEN", "~", "5", "LIMIT", "-1"): "ERR The LIMIT argument must be >= 0.",
        ("MAXLEN", "-1"): "ERR The MAXLEN argument must be >= 0.",
        ("MAXLEN", "x"): NOT_INTEGER,
        ("MINID", "x"): INVALID_ID,
        ("MINID", "-"): INVALID_ID,
    }
    for options, message in cases.items():
        assert_error(conn.call("XADD", "s", *options, "9-0", "a", "1"), message)
    assert_reply(conn.call("EXISTS", "s"), integer(0))


@pytest.mark.since("8.2")
def test_xadd_reference_conditions(conn):
    conn.call("XADD", "s", "1-0", "f", "v")
    conn.call("XGROUP", "CREATE", "s", "g", "0")
    assert_reply(conn.call("XADD", "s", "ACKED", "MAXLEN", "0", "2-0", "f", "v"), bulk("2-0"))
    assert_reply(conn.call("XLEN", "s"), integer(2))  # nothing was read by the group yet
    assert_reply(conn.call("XADD", "s", "MAXLEN", "0", "DELREF", "3-0", "f", "v"), bulk("3-0"))
    assert_reply(conn.call("XLEN", "s"), integer(0))
    assert_error(conn.call("XADD", "s", "KEEPREF", "DELREF", "4-0", "f", "v"), INVALID_ID)


# -- XLEN / XRANGE / XREVRANGE -----------------------------------------------------------------------------------------
def test_xlen(s3):
    assert_reply(s3.call("XLEN", "s"), integer(3))
    assert_reply(s3.call("XLEN", "nokey"), integer(0))
    s3.call("SET", "str", "x")
    assert_error(s3.call("XLEN", "str"), WRONGTYPE)


def test_xrange(s3):
    all_three = entries(entry("1-1", "f", "a"), entry("1-2", "f", "b"), entry("2-0", "f", "c"))
    assert_reply(s3.call("XRANGE", "s", "-", "+"), all_three)
    assert_reply(s3.call("XRANGE", "s", "1", "1"), entries(entry("1-1", "f", "a"), entry("1-2", "f", "b")))
    assert_reply(s3.call("XRANGE", "s", "1-2", "+", "COUNT", "1"), entries(entry("1-2", "f", "b")))
    assert_reply(s3.call("XRANGE", "s", "2", "1"), array())
    assert_reply(s3.call("XRANGE", "nokey", "-", "+"), array())


def test_xrange_exclusive(s3):
    assert_reply(s3.call("XRANGE", "s", "(1-1", "(2-0"), entries(entry("1-2", "f", "b")))
    assert_reply(s3.call("XRANGE", "s", "(1-2", "+"), entries(entry("2-0", "f", "c")))
    # an incomplete exclusive end is 2-<max> minus one: 2-0 is still inside
    assert_reply(s3.call("XRANGE", "s", "(1", "(2"), entries(entry("1-1", "f", "a"), entry("1-2", "f", "b"),
                                                           entry("2-0", "f", "c")))
    assert_reply(s3.call("XRANGE", "s", "(0-0", "(1-2"), entries(entry("1-1", "f", "a")))
    assert_error(s3.call("XRANGE", "s", "-", "(0-0"), "ERR invalid end ID for the interval")
    assert_error(s3.call("XRANGE", "s", f"({U64}-{U64}", "+"), "ERR invalid start ID for the interval")
    for start, end in (("(-", "+"), ("-", "(+"), ("(", "+"), ("x", "+")):
        assert_error(s3.call("XRANGE", "s", start, end), INVALID_ID)


def test_xrange_count(s3, resp):
    assert_null_array(s3.call("XRANGE", "s", "-", "+", "COUNT", "0"), resp)
    assert_null_array(s3.call("XRANGE", "s", "-", "+", "COUNT", "-5"), resp)
    assert_reply(s3.call("XRANGE", "nokey", "-", "+", "COUNT", "0"), array())
    assert_error(s3.call("XRANGE", "s", "-", "+", "COUNT"), SYNTAX)
    assert_error(s3.call("XRANGE", "s", "-", "+", "FOO", "1"), SYNTAX)
    assert_error(s3.call("XRANGE", "s", "-", "+", "COUNT", "x"), NOT_INTEGER)
    s3.call("SET", "str", "x")
    assert_error(s3.call("XRANGE", "str", "-", "+"), WRONGTYPE)


def test_xrevrange(s3):
    assert_reply(s3.call("XREVRANGE", "s", "+", "-", "COUNT", "2"),
                 entries(entry("2-0", "f", "c"), entry("1-2", "f", "b")))
    assert_reply(s3.call("XREVRANGE", "s", "(2-0", "(1-1"), entries(entry("1-2", "f", "b")))
    assert_reply(s3.call("XREVRANGE", "s", "1", "2"), array())


def test_xrange_lenient_numbers(s3):
    """Redis reads ID parts with strtoull when its strict parser refuses them: leading zeros and '+' pass."""
    assert_reply(s3.call("XRANGE", "s", "002", "+"), entries(entry("2-0", "f", "c")))
    assert_reply(s3.call("XRANGE", "s", "+2", "+"), entries(entry("2-0", "f", "c")))


# -- XDEL / XTRIM ------------------------------------------------------------------------------------------------------
def test_xdel(s3):
    assert_reply(s3.call("XDEL", "s", "1-1", "9-9", "1-1"), integer(1))
    assert_reply(s3.call("XLEN", "s"), integer(2))
    assert_reply(s3.call("XDEL", "nokey", "bad"), integer(0))
    assert_error(s3.call("XDEL", "s", "1-2", "bad"), INVALID_ID)
    assert_reply(s3.call("XLEN", "s"), integer(2))
    assert_reply(s3.call("XDEL", "s", "1-2", "2-0"), integer(2))
    assert_reply(s3.call("EXISTS", "s"), integer(1))  # an empty stream stays


def test_xdel_bookkeeping(s3):
    s3.call("XDEL", "s", "1-2")
    fields = info(s3, "s")
    assert fields["max-deleted-entry-id"] == bulk("1-2")
    assert fields["recorded-first-entry-id"] == bulk("1-1")
    s3.call("XDEL", "s", "1-1")
    assert info(s3, "s")["recorded-first-entry-id"] == bulk("2-0")
    s3.call("XDEL", "s", "2-0")
    fields = info(s3, "s")
    assert fields["recorded-first-entry-id"] == bulk("0-0")
    assert fields["entries-added"] == integer(3) and fields["length"] == integer(0)


def test_xtrim(s3):
    assert_reply(s3.call("XTRIM", "s", "MAXLEN", "2"), integer(1))
    assert_reply(s3.call("XTRIM", "s", "MINID", "2"), integer(1))
    assert_reply(s3.call("XRANGE", "s", "-", "+"), entries(entry("2-0", "f", "c")))
    assert_reply(s3.call("XTRIM", "s", "MAXLEN", "~", "0"), integer(1))
    assert_reply(s3.call("XTRIM", "nokey", "MAXLEN", "0"), integer(0))


def test_xtrim_errors(s3):
    assert_error(s3.call("XTRIM", "s", "MAXLEN", "~"), NOT_INTEGER)
    assert_error(s3.call("XTRIM", "s", "MINID", "~"), INVALID_ID)
    assert_error(s3.call("XTRIM", "s", "FOO", "1"), SYNTAX)
    assert_error(s3.call("XTRIM", "s", "LIMIT", "1"),
                 "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
    assert_error(s3.call("XTRIM", "s", "LIMIT", "0"), "ERR syntax error, XTRIM must be called with a trimming strategy")
    assert_error(s3.call("XTRIM", "s", "MAXLEN", "0", "NOMKSTREAM"), SYNTAX)
    s3.call("SET", "str", "x")
    assert_error(s3.call("XTRIM", "str", "MAXLEN", "0"), WRONGTYPE)


def test_xtrim_approximate_with_limit(conn):
    for i in range(1, 351):
        conn.call("XADD", "s", f"{i}-0", "f", "v")
    assert_reply(conn.call("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "150"), integer(100))
    assert_reply(conn.call("XTRIM", "s", "MINID", "~", "300"), integer(100))
    assert info(conn, "s")["radix-tree-keys"] == integer(2)
    assert_reply(conn.call("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "0"), integer(150))  # LIMIT 0: no limit
    assert_reply(conn.call("XLEN", "s"), integer(0))
    assert info(conn, "s")["radix-tree-keys"] == integer(0)


@pytest.mark.since("8.2")
def test_xtrim_acked_skips_referenced_entries(conn):
    for i in range(1, 6):
        conn.call("XADD", "s", f"{i}-0", "f", "v")
    conn.call("XGROUP", "CREATE", "s", "g", "0")
    conn.call("XREADGROUP", "GROUP", "g", "c", "COUNT", "4", "STREAMS", "s", ">")
    conn.call("XACK", "s", "g", "1-0", "3-0")
    assert_reply(conn.call("XTRIM", "s", "MAXLEN", "0", "ACKED"), integer(2))
    assert_reply(conn.call("XRANGE", "s", "-", "+"), entries(entry("2-0", "f", "v"), entry("4-0", "f", "v"),
                                                            entry("5-0", "f", "v")))
    assert_reply(conn.call("XTRIM", "s", "MAXLEN", "~", "0", "DELREF"), integer(0))  # never approximately
    assert_reply(conn.call("XTRIM", "s", "MINID", "5", "DELREF"), integer(2))
    assert_reply(conn.call("XPENDING", "s", "g"), array(integer(0), NULL, NULL, NULL_ARRAY))
    assert_error(conn.call("XTRIM", "s", "MAXLEN", "0", "ACKED", "DELREF"), SYNTAX)


# -- XSETID ------------------------------------------------------------------------------------------------------------
@pytest.mark.since("7.0")
def test_xsetid(s3):
    assert_ok(s3.call("XSETID", "s", "5-0", "ENTRIESADDED", "10", "MAXDELETEDID", "3-0"))
    fields = info(s3, "s")
    assert (fields["last-generated-id"], fields["entries-added"], fields["max-deleted-entry-id"]) == \
        (bulk("5-0"), integer(10), bulk("3-0"))
    assert_error(s3.call("XADD", "s", "5-0", "f", "v"), TOO_SMALL)
    assert_ok(s3.call("XSETID", "s", "4-0"))
    assert_error(s3.call("XSETID", "s", "2-5"), "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id")


@pytest.mark.since("7.0")
def test_xsetid_errors(s3):
    assert_error(s3.call("XSETID", "nokey", "1-0"), "ERR no such key")
    assert_error(s3.call("XSETID", "s", "1-5"), "ERR The ID specified in XSETID is smaller than the target stream top item")
    assert_error(s3.call("XSETID", "s", "3-0", "ENTRIESADDED", "2"),
                 "ERR The entries_added specified in XSETID is smaller than the target stream length")
    assert_error(s3.call("XSETID", "s", "3-0", "ENTRIESADDED", "-1"), "ERR entries_added must be positive")
    assert_error(s3.call("XSETID", "s", "3-0", "ENTRIESADDED", "x"), NOT_INTEGER)
    assert_error(s3.call("XSETID", "s", "3-0", "MAXDELETEDID", "4-0"),
                 "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
    assert_error(s3.call("XSETID", "s", "3-0", "FOO"), SYNTAX)
    for bad in ("bad", "+", "-"):
        assert_error(s3.call("XSETID", "s", bad), INVALID_ID)
    s3.call("SET", "str", "x")
    assert_error(s3.call("XSETID", "str", "1-0"), WRONGTYPE)


# -- XDELEX (Redis 8.2) ------------------------------------------------------------------------------------------------
@pytest.mark.since("8.2")
def test_xdelex(s3):
    assert_reply(s3.call("XDELEX", "s", "IDS", "2", "1-1", "9-9"), array(integer(1), integer(-1)))
    assert_reply(s3.call("XDELEX", "nokey", "IDS", "1", "bad"), array(integer(-1)))
    assert_reply(s3.call("XDELEX", "s", "IDS", "1", "bad", "IDS", "1", "1-2"), array(integer(1)))
    assert_reply(s3.call("XLEN", "s"), integer(1))
    assert info(s3, "s")["max-deleted-entry-id"] == bulk("1-2")


@pytest.mark.since("8.2")
def test_xdelex_conditions(s3):
    s3.call("XGROUP", "CREATE", "s", "g", "0")
    s3.call("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
    assert_reply(s3.call("XDELEX", "s", "ACKED", "IDS", "3", "1-1", "1-2", "7-0"),
                 array(integer(2), integer(2), integer(2)))  # pending, unread, unread (even when missing)
    assert_reply(s3.call("XDELEX", "s", "KEEPREF", "IDS", "1", "1-1"), array(integer(1)))
    assert_reply(s3.call("XPENDING", "s", "g", "-", "+", "10").value[0].value[0], bulk("1-1"))
    assert_reply(s3.call("XDELEX", "s", "DELREF", "IDS", "1", "1-1"), array(integer(-1)))
    assert_reply(s3.call("XPENDING", "s", "g").value[0], integer(0))


@pytest.mark.since("8.2")
def test_xdelex_errors(s3):
    cases = {
        ("IDS", "2", "1-1"): "ERR The `numids` parameter must match the number of arguments",
        ("IDS", "1", "1-1", "2-2"): SYNTAX,
        ("IDS", "x", "1-1"): "ERR Number of IDs must be a positive integer",
        ("KEEPREF", "IDS", "0"): "ERR Number of IDs must be a positive integer",
        ("FOO", "IDS", "1", "1-1"): SYNTAX,
        ("ACKED", "ACKED", "IDS", "1", "1-1"): SYNTAX,
        ("KEEPREF", "DELREF", "ACKED"): SYNTAX,
        ("IDS", "1", "1", "IDS"): SYNTAX,
        ("IDS", "1", "+"): INVALID_ID,
    }
    for args, message in cases.items():
        assert_error(s3.call("XDELEX", "s", *args), message)
    assert_error(s3.call("XDELEX", "s", "IDS", "0"), "ERR wrong number of arguments for 'xdelex' command")
    s3.call("SET", "str", "x")
    assert_error(s3.call("XDELEX", "str", "FOO", "IDS", "1", "bad"), WRONGTYPE)


# -- XINFO STREAM --------------------------------------------------------------------------------------------------------
def test_xinfo_stream(s3, resp):
    reply = s3.call("XINFO", "STREAM", "s")
    expected = [
        (bulk("length"), integer(3)), (bulk("radix-tree-keys"), integer(1)), (bulk("radix-tree-nodes"), integer(2)),
        (bulk("last-generated-id"), bulk("2-0")), (bulk("max-deleted-entry-id"), bulk("0-0")),
        (bulk("entries-added"), integer(3)), (bulk("recorded-first-entry-id"), bulk("1-1")),
        (bulk("groups"), integer(0)), (bulk("first-entry"), entry("1-1", "f", "a")),
        (bulk("last-entry"), entry("2-0", "f", "c")),
    ]
    if resp == 3:
        assert_reply(reply, map_(*expected))
    else:
        assert_reply(reply, array(*[x for pair in expected for x in pair]))


def test_xinfo_stream_empty(conn, resp):
    conn.call("XADD", "s", "1-0", "f", "v")
    conn.call("XDEL", "s", "1-0")
    fields = info(conn, "s")
    assert_null(fields["first-entry"], resp)
    assert_null(fields["last-entry"], resp)
    assert fields["radix-tree-keys"] == integer(0) and fields["radix-tree-nodes"] == integer(1)


def test_xinfo_stream_nodes(conn):
    """Nodes close at 100 entries or about 4 KB, whichever first; the radix tree's node count follows."""
    for i in range(1, 251):
        conn.call("XADD", "s", f"{i}-0", "f", "v")
    fields = info(conn, "s")
    assert (fields["radix-tree-keys"], fields["radix-tree-nodes"]) == (integer(3), integer(8))
    for i in range(1, 41):
        conn.call("XADD", "big", f"{i}-0", "f", "x" * 200)
    assert info(conn, "big")["radix-tree-keys"] == integer(3)
    assert_ok(conn.call("CONFIG", "SET", "stream-node-max-entries", "7"))
    try:
        for i in range(1, 30):
            conn.call("XADD", "small", f"{i}-0", "f", i)
        assert info(conn, "small")["radix-tree-keys"] == integer(5)
        assert_reply(conn.call("XTRIM", "small", "MAXLEN", "~", "10"), integer(14))
    finally:
        conn.call("CONFIG", "SET", "stream-node-max-entries", "100")


def test_xinfo_stream_full(s3, resp):
    fields = info(s3, "s", "FULL", "COUNT", "2")
    assert fields["entries"] == entries(entry("1-1", "f", "a"), entry("1-2", "f", "b"))
    assert fields["groups"] == array()
    assert len(info(s3, "s", "FULL")["entries"].value) == 3
    assert len(info(s3, "s", "FULL", "COUNT", "0")["entries"].value) == 3


def test_xinfo_stream_errors(s3):
    message = "ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."
    for extra in (("FOO",), ("FULL", "COUNT"), ("FULL", "LIMIT", "1")):
        assert_error(s3.call("XINFO", "STREAM", "s", *extra), message)
    assert_error(s3.call("XINFO", "STREAM", "s", "FULL", "COUNT", "x"), NOT_INTEGER)
    assert_error(s3.call("XINFO", "STREAM", "nokey"), "ERR no such key")
    s3.call("SET", "str", "x")
    assert_error(s3.call("XINFO", "STREAM", "str"), WRONGTYPE)


def test_xinfo_help(conn):
    assert_help(conn.call("XINFO", "HELP"), "XINFO", 9)
    assert_error(conn.call("XINFO", "FOO", "s"), "ERR unknown subcommand 'FOO'. Try XINFO HELP.")


# -- XREAD -------------------------------------------------------------------------------------------------------------
def xread_reply(resp: int, *streams):
    """XREAD's reply: [[key, entries]...] in RESP2, a map key -> entries in RESP3."""
    if resp == 3:
        return map_(*[(bulk(k), v) for k, v in streams])
    return array(*[array(bulk(k), v) for k, v in streams])


def test_xread(s3, resp):
    s3.call("XADD", "t", "5-0", "g", "x")
    assert_reply(s3.call("XREAD", "COUNT", "2", "STREAMS", "s", "t", "1-1", "0"),
                 xread_reply(resp, ("s", entries(entry("1-2", "f", "b"), entry("2-0", "f", "c"))),
                             ("t", entries(entry("5-0", "g", "x")))))
    assert_null_array(s3.call("XREAD", "STREAMS", "s", "$"), resp)


@pytest.mark.since("7.4")
def test_xread_plus_is_the_last_entry(s3, resp):
    assert_reply(s3.call("XREAD", "STREAMS", "s", "nokey", "+", "0"),
                 xread_reply(resp, ("s", entries(entry("2-0", "f", "c")))))
    assert_null_array(s3.call("XREAD", "STREAMS", "nokey", "+"), resp)


def test_xread_errors(s3):
    cases = {
        ("STREAMS", "s", "0", "1"): "ERR Unbalanced 'xread' list of streams: for each stream key an ID, '+', or '$' "
                                    "must be specified.",
        ("GROUP", "g", "c", "STREAMS", "s", "0"): "ERR The GROUP option is only supported by XREADGROUP. You called "
                                                  "XREAD instead.",
        ("NOACK", "STREAMS", "s", "0"): "ERR The NOACK option is only supported by XREADGROUP. You called XREAD "
                                        "instead.",
        ("COUNT", "x", "STREAMS", "s", "0"): NOT_INTEGER,
        ("BLOCK", "x", "STREAMS", "s", "0"): "ERR timeout is not an integer or out of range",
        ("BLOCK", "1.5", "STREAMS", "s", "0"): "ERR timeout is not an integer or out of range",
        ("BLOCK", "-1", "STREAMS", "s", "0"): "ERR timeout is negative",
        ("FOO", "STREAMS", "s", "0"): SYNTAX,
        ("COUNT", "1", "s", "0"): SYNTAX,
        ("STREAMS", "s", ">"): "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
                               "<consumer> option.",
        ("STREAMS", "s", "bad"): INVALID_ID,
        ("STREAMS", "s", "-"): INVALID_ID,
    }
    for args, message in cases.items():
        assert_error(s3.call("XREAD", *args), message)
    s3.call("SET", "str", "x")
    assert_error(s3.call("XREAD", "STREAMS", "str", "0"), WRONGTYPE)


def test_xread_block_wakes_on_xadd(conn, connect_client, resp):
    conn.call("XADD", "s", "1-0", "f", "old")
    conn.send("XREAD", "BLOCK", "5000", "STREAMS", "s", "nokey", "$", "$")
    other = connect_client()
    wait_blocked(other, 1)
    other.call("XADD", "nokey", "7-0", "f", "new")
    assert_reply(conn.read_reply(), xread_reply(resp, ("nokey", entries(entry("7-0", "f", "new")))))


def test_xread_block_serves_clients_in_order(conn, connect_client, resp):
    conn.call("XADD", "s", "1-0", "f", "old")
    first, second = connect_client(), connect_client()
    first.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    wait_blocked(conn, 1)
    second.send("XREAD", "BLOCK", "0", "STREAMS", "s", "1-0")
    wait_blocked(conn, 2)
    conn.call("XADD", "s", "2-0", "f", "new")
    expected = xread_reply(resp, ("s", entries(entry("2-0", "f", "new"))))
    assert_reply(first.read_reply(), expected)
    assert_reply(second.read_reply(), expected)


def test_xread_block_ignores_other_types(conn, connect_client, resp):
    conn.send("XREAD", "BLOCK", "5000", "STREAMS", "k", "$")
    other = connect_client()
    wait_blocked(other, 1)
    other.call("LPUSH", "k", "x")
    assert conn.read_reply(timeout=0.05).kind is Kind.TIMEOUT
    other.call("DEL", "k")
    other.call("XADD", "k", "3-0", "f", "v")
    assert_reply(conn.read_reply(), xread_reply(resp, ("k", entries(entry("3-0", "f", "v")))))


def test_xread_block_timeout(conn, resp):
    assert_null_array(conn.call("XREAD", "BLOCK", "50", "STREAMS", "s", "$"), resp)


def test_xread_block_answers_at_once_with_data(s3, resp):
    assert_reply(s3.call("XREAD", "BLOCK", "0", "STREAMS", "s", "1-2"),
                 xread_reply(resp, ("s", entries(entry("2-0", "f", "c")))))


def test_xread_block_inside_multi_does_not_block(conn, resp):
    assert_ok(conn.call("MULTI"))
    conn.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    exec_reply = conn.call("EXEC")
    assert exec_reply.kind is Kind.ARRAY and len(exec_reply.value) == 1
    assert_null_array(exec_reply.value[0], resp)
