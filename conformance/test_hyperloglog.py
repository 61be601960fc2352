"""HyperLogLog group: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. An HLL is a string in Redis's own format, so
the exact bytes GET returns are part of the contract, as are the estimates and the cached cardinality."""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, bulk, integer, simple

from .asserts import assert_error, assert_ok, assert_reply

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value."
CORRUPTED = "INVALIDOBJ Corrupted HLL object detected"
HEADER = b"HYLL\x01\x00\x00\x00"
STALE = b"\x00" * 7 + b"\x80"  # cardinality cache marked invalid
EMPTY_SPARSE = b"\x7f\xff"  # one XZERO opcode covering all 16384 registers
ABC = b"`\xf3\x80P\xb1\x84K\xfb\x80BZ"  # the sparse registers after adding a, b and c


def elements(prefix: str, start: int, stop: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(start, stop)]


# -- PFADD -----------------------------------------------------------------------------------------------------------
def test_pfadd_exact_bytes(conn):
    assert_reply(conn.call("PFADD", "h", "a", "b", "c"), integer(1))
    assert_reply(conn.call("GET", "h"), bulk(HEADER + STALE + ABC))
    assert_reply(conn.call("PFADD", "h", "a"), integer(0))
    assert_reply(conn.call("PFADD", "h", "d"), integer(1))
    assert_reply(conn.call("PFDEBUG", "DECODE", "h"),
                 bulk("Z:7292 v:1,1 Z:1143 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"))


def test_pfadd_without_elements(conn):
    assert_reply(conn.call("PFADD", "h"), integer(1))
    assert_reply(conn.call("GET", "h"), bulk(HEADER + STALE + EMPTY_SPARSE))
    assert_reply(conn.call("PFADD", "h"), integer(0))
    assert_reply(conn.call("PFCOUNT", "h"), integer(0))


def test_pfadd_value_is_raw(conn):
    conn.call("PFADD", "h", "a")
    assert_reply(conn.call("OBJECT", "ENCODING", "h"), bulk("raw"))
    assert_reply(conn.call("TYPE", "h"), simple("string"))


def test_pfadd_promotes_to_dense(conn):
    assert_reply(conn.call("PFADD", "big", *elements("e", 0, 5000)), integer(1))
    assert_reply(conn.call("PFDEBUG", "ENCODING", "big"), simple("dense"))
    assert_reply(conn.call("STRLEN", "big"), integer(12304))
    assert_reply(conn.call("PFCOUNT", "big"), integer(4968))


def test_pfadd_sparse_limit_follows_the_config(conn):
    reply = conn.call("CONFIG", "GET", "hll-sparse-max-bytes").plain()  # [name, value], or [(name, value)]
    previous = reply[0][1] if isinstance(reply[0], tuple) else reply[1]
    try:
        assert_ok(conn.call("CONFIG", "SET", "hll-sparse-max-bytes", "30"))
        conn.call("PFADD", "h", *elements("e", 0, 5))
        assert_reply(conn.call("PFDEBUG", "ENCODING", "h"), simple("dense"))
    finally:
        conn.call("CONFIG", "SET", "hll-sparse-max-bytes", previous)


def test_pfadd_accepts_a_valid_hll_written_with_set(conn):
    conn.call("SET", "h", HEADER + STALE + ABC)
    assert_reply(conn.call("PFADD", "h", "c"), integer(0))
    assert_reply(conn.call("PFCOUNT", "h"), integer(3))


@pytest.mark.parametrize("value", [b"abc", b"12345", b"HYLL" + b"\x01" * 11, b"HYLL\x02" + b"\x00" * 11 + EMPTY_SPARSE,
                                   b"HYLL\x00" + b"\x00" * 11 + EMPTY_SPARSE, b"HYL"],
                         ids=["text", "integer", "short", "encoding", "dense-size", "tiny"])
def test_pfadd_not_an_hll(conn, value):
    conn.call("SET", "s", value)
    assert_error(conn.call("PFADD", "s", "x"), NOT_HLL)
    assert_error(conn.call("PFCOUNT", "s"), NOT_HLL)
    assert_error(conn.call("PFCOUNT", "s", "missing"), NOT_HLL)
    assert_error(conn.call("PFMERGE", "d", "s"), NOT_HLL)
    assert_error(conn.call("PFDEBUG", "ENCODING", "s"), NOT_HLL)


def test_pfadd_wrongtype(conn):
    conn.call("SADD", "z", "x")
    assert_error(conn.call("PFADD", "z", "x"), WRONGTYPE)
    assert_error(conn.call("PFCOUNT", "z"), WRONGTYPE)
    assert_error(conn.call("PFMERGE", "d", "z"), WRONGTYPE)
    assert_error(conn.call("PFMERGE", "z"), WRONGTYPE)


# -- PFCOUNT ---------------------------------------------------------------------------------------------------------
def test_pfcount_caches_the_cardinality_in_the_header(conn):
    conn.call("PFADD", "h", "a", "b", "c")
    assert_reply(conn.call("PFCOUNT", "h"), integer(3))
    assert_reply(conn.call("GET", "h"), bulk(HEADER + b"\x03" + b"\x00" * 7 + ABC))


def test_pfcount_trusts_a_valid_cache(conn):
    conn.call("SET", "h", HEADER + b"\x2a" + b"\x00" * 7 + EMPTY_SPARSE)
    assert_reply(conn.call("PFCOUNT", "h"), integer(42))


def test_pfcount_estimates(conn):
    conn.call("PFADD", "x", *elements("e", 0, 100))
    conn.call("PFADD", "y", *elements("e", 50, 200))
    assert_reply(conn.call("PFCOUNT", "x"), integer(100))
    assert_reply(conn.call("PFCOUNT", "y"), integer(150))
    assert_reply(conn.call("PFCOUNT", "x", "y"), integer(200))
    assert_reply(conn.call("PFCOUNT", "x", "y", "missing"), integer(200))


def test_pfcount_missing_keys(conn):
    assert_reply(conn.call("PFCOUNT", "missing"), integer(0))
    assert_reply(conn.call("PFCOUNT", "missing", "other"), integer(0))
    assert_reply(conn.call("EXISTS", "missing"), integer(0))


def test_pfcount_refreshing_the_cache_touches_watch(conn, connect_client):
    conn.call("PFADD", "h", "a")
    conn.call("WATCH", "h")
    connect_client().call("PFCOUNT", "h")
    conn.call("MULTI")
    conn.call("PING")
    assert conn.call("EXEC").value is None


def test_pfcount_cached_read_leaves_watch_alone(conn, connect_client):
    conn.call("PFADD", "h", "a")
    conn.call("PFCOUNT", "h")
    conn.call("WATCH", "h")
    connect_client().call("PFCOUNT", "h")
    conn.call("MULTI")
    conn.call("PING")
    assert conn.call("EXEC").kind is Kind.ARRAY


# -- PFMERGE ---------------------------------------------------------------------------------------------------------
def test_pfmerge_union(conn):
    conn.call("PFADD", "x", *elements("e", 0, 100))
    conn.call("PFADD", "y", *elements("e", 50, 200))
    assert_ok(conn.call("PFMERGE", "m", "x", "y", "missing"))
    assert_reply(conn.call("PFCOUNT", "m"), integer(200))
    assert_reply(conn.call("PFDEBUG", "ENCODING", "m"), simple("sparse"))


def test_pfmerge_same_bytes_as_adding(conn):
    conn.call("PFADD", "x", "a", "b")
    conn.call("PFADD", "y", "c")
    conn.call("PFMERGE", "m", "x", "y")
    assert_reply(conn.call("GET", "m"), bulk(HEADER + STALE + ABC))


def test_pfmerge_with_a_dense_input_is_dense(conn):
    conn.call("PFADD", "x", "a")
    conn.call("PFADD", "big", *elements("e", 0, 5000))
    assert_ok(conn.call("PFMERGE", "m", "x", "big"))
    assert_reply(conn.call("PFDEBUG", "ENCODING", "m"), simple("dense"))
    assert_reply(conn.call("PFCOUNT", "m"), integer(4969))


def test_pfmerge_destination_is_an_input(conn):
    conn.call("PFADD", "d", "a")
    conn.call("PFADD", "x", "b", "c")
    assert_ok(conn.call("PFMERGE", "d", "x"))
    assert_reply(conn.call("GET", "d"), bulk(HEADER + STALE + ABC))


def test_pfmerge_only_destination_creates_an_empty_hll(conn):
    assert_ok(conn.call("PFMERGE", "d"))
    assert_reply(conn.call("GET", "d"), bulk(HEADER + STALE + EMPTY_SPARSE))


# -- corrupted HLLs --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("registers", [b"\x7f\xff\x7f\xff", b"\x7f\xfe", b"\xff" * 10],
                         ids=["too-many", "too-few", "values-too-few"])
def test_pfcount_corrupted_sparse(conn, registers):
    conn.call("SET", "c", HEADER + STALE + registers)
    conn.call("PFADD", "h", "a")
    assert_error(conn.call("PFCOUNT", "c"), CORRUPTED)
    assert_error(conn.call("PFCOUNT", "c", "h"), CORRUPTED)
    assert_error(conn.call("PFMERGE", "d", "c"), CORRUPTED)
    assert_error(conn.call("PFDEBUG", "GETREG", "c"), CORRUPTED)
    assert_error(conn.call("PFDEBUG", "TODENSE", "c"), CORRUPTED)


@pytest.mark.parametrize("registers", [b"\x40\x00", b""], ids=["one-register", "header-only"])
def test_pfadd_corrupted_sparse(conn, registers):
    conn.call("SET", "c", HEADER + STALE + registers)
    assert_error(conn.call("PFADD", "c", "a"), CORRUPTED)


# -- PFDEBUG ---------------------------------------------------------------------------------------------------------
def test_pfdebug_getreg_converts_to_dense(conn):
    conn.call("PFADD", "g", "a")
    reply = conn.call("PFDEBUG", "GETREG", "g")
    assert len(reply.value) == 16384
    assert [(i, r.value) for i, r in enumerate(reply.value) if r.value] == [(12711, 2)]
    assert_reply(conn.call("PFDEBUG", "ENCODING", "g"), simple("dense"))


def test_pfdebug_todense(conn):
    conn.call("PFADD", "t", "a")
    assert_reply(conn.call("PFDEBUG", "TODENSE", "t"), integer(1))
    assert_reply(conn.call("PFDEBUG", "TODENSE", "t"), integer(0))
    assert_reply(conn.call("STRLEN", "t"), integer(12304))
    assert_reply(conn.call("PFCOUNT", "t"), integer(1))
    assert_error(conn.call("PFDEBUG", "DECODE", "t"), "ERR HLL encoding is not sparse")


def test_pfdebug_decode_empty(conn):
    conn.call("PFADD", "h")
    assert_reply(conn.call("PFDEBUG", "DECODE", "h"), bulk("Z:16384"))
    assert_reply(conn.call("PFDEBUG", "encoding", "h"), simple("sparse"))


def test_pfdebug_errors(conn):
    assert_error(conn.call("PFDEBUG", "GETREG", "missing"), "ERR The specified key does not exist")
    assert_error(conn.call("PFDEBUG", "FOO", "missing"), "ERR The specified key does not exist")
    conn.call("PFADD", "h", "a")
    assert_error(conn.call("PFDEBUG", "FOO", "h"), "ERR Unknown PFDEBUG subcommand 'FOO'")
    assert_error(conn.call("PFDEBUG", "GETREG", "h", "x"), "ERR wrong number of arguments for 'pfdebug' command")


# -- PFSELFTEST ------------------------------------------------------------------------------------------------------
def test_pfselftest(conn):
    assert_ok(conn.call("PFSELFTEST"))
    assert_error(conn.call("PFSELFTEST", "x"), "ERR wrong number of arguments for 'pfselftest' command")
