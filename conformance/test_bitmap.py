"""Bitmap group: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP (Redis 8.2's DIFF, DIFF1, ANDOR and ONE too), BITFIELD and
BITFIELD_RO, with every error text and the raw encoding a bit write leaves behind."""
from __future__ import annotations

import pytest

from forkdiff.types import array, bulk, integer

from .asserts import assert_error, assert_reply
from .helpers import ints

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
BIT_OFFSET = "ERR bit offset is not an integer or out of range"
BIT_VALUE = "ERR bit is not an integer or out of range"
BITFIELD_TYPE = ("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 "
                 "is.")
NULL_BULK = {2: b"$-1\r\n", 3: b"_\r\n"}
# The BITOP operators Redis 8.2 added; the BIT/BYTE range unit came with 7.0. Older Redis skips their cases.
NEW_IN_8_2 = pytest.mark.since("8.2")
BIT_UNIT = pytest.mark.since("7.0")


# -- SETBIT / GETBIT -------------------------------------------------------------------------------------------------
def test_setbit_creates_and_returns_the_old_bit(conn):
    assert_reply(conn.call("SETBIT", "k", 7, 1), integer(0))
    assert_reply(conn.call("SETBIT", "k", 7, 1), integer(1))
    assert_reply(conn.call("SETBIT", "k", 0, 1), integer(0))
    assert_reply(conn.call("GET", "k"), bulk(b"\x81"))
    assert_reply(conn.call("SETBIT", "k", 7, 0), integer(1))
    assert_reply(conn.call("GET", "k"), bulk(b"\x80"))


def test_setbit_pads_with_zero_bytes(conn):
    conn.call("SET", "k", "a")
    assert_reply(conn.call("SETBIT", "k", 25, 1), integer(0))
    assert_reply(conn.call("GET", "k"), bulk(b"a\x00\x00\x40"))
    assert_reply(conn.call("STRLEN", "k"), integer(4))


def test_setbit_makes_the_string_raw_even_unchanged(conn):
    conn.call("SET", "k", "x")
    assert_reply(conn.call("SETBIT", "k", 0, 0), integer(0))
    assert_reply(conn.call("OBJECT", "ENCODING", "k"), bulk("raw"))
    conn.call("SET", "n", "12")
    conn.call("SETBIT", "n", 0, 1)
    assert_reply(conn.call("OBJECT", "ENCODING", "n"), bulk("raw"))
    assert_reply(conn.call("GET", "n"), bulk(b"\xb12"))


def test_setbit_keeps_the_expiry(conn):
    conn.call("SET", "k", "x", "EX", 100)
    conn.call("SETBIT", "k", 3, 1)
    assert conn.call("TTL", "k").value > 0


@pytest.mark.parametrize("offset", ["-1", "a", "4294967296", "1.5", ""])
def test_setbit_bad_offset(conn, offset):
    assert_error(conn.call("SETBIT", "k", offset, 1), BIT_OFFSET)
    assert_reply(conn.call("EXISTS", "k"), integer(0))


@pytest.mark.parametrize("bit", ["2", "-1", "a", ""])
def test_setbit_bad_bit(conn, bit):
    assert_error(conn.call("SETBIT", "k", 0, bit), BIT_VALUE)


def test_setbit_wrongtype(conn):
    conn.call("SADD", "s", "a")
    assert_error(conn.call("SETBIT", "s", 0, 1), WRONGTYPE)
    assert_error(conn.call("GETBIT", "s", 0), WRONGTYPE)


def test_getbit_reads_bits_and_past_the_end(conn):
    conn.call("SET", "k", b"\x40")
    assert_reply(conn.call("GETBIT", "k", 0), integer(0))
    assert_reply(conn.call("GETBIT", "k", 1), integer(1))
    assert_reply(conn.call("GETBIT", "k", 100), integer(0))
    assert_reply(conn.call("GETBIT", "missing", 0), integer(0))


def test_getbit_of_an_integer_value(conn):
    conn.call("SET", "k", "1")  # the digit "1" is 0x31
    assert_reply(conn.call("GETBIT", "k", 2), integer(1))
    assert_reply(conn.call("GETBIT", "k", 7), integer(1))
    assert_reply(conn.call("GETBIT", "k", 1), integer(0))


def test_getbit_bad_offset(conn):
    assert_error(conn.call("GETBIT", "k", -1), BIT_OFFSET)
    assert_error(conn.call("GETBIT", "k", "x"), BIT_OFFSET)


# -- BITCOUNT --------------------------------------------------------------------------------------------------------
@BIT_UNIT
@pytest.mark.parametrize("args,expected", [
    ((), 10), ((1, -1), 6), ((0, 0), 4), ((-2, -1), 6), ((-1, -2), 0), ((5, 1), 0), ((-100, 100), 10),
    ((5, 30, "BIT"), 8), ((0, -1, "bit"), 10), ((-5, -1, "BIT"), 3), ((0, 0, "BYTE"), 4), ((9, 9, "BIT"), 1),
], ids=lambda v: repr(v))
def test_bitcount_ranges(conn, args, expected):
    conn.call("SET", "k", b"\x33\x44\x55")
    assert_reply(conn.call("BITCOUNT", "k", *args), integer(expected))


def test_bitcount_missing_and_empty(conn):
    assert_reply(conn.call("BITCOUNT", "missing"), integer(0))
    assert_reply(conn.call("BITCOUNT", "missing", 0, -1, "BIT"), integer(0))
    conn.call("SET", "e", "")
    assert_reply(conn.call("BITCOUNT", "e"), integer(0))


def test_bitcount_errors(conn):
    conn.call("SET", "k", "abc")
    assert_error(conn.call("BITCOUNT", "k", 1), SYNTAX)
    assert_error(conn.call("BITCOUNT", "k", 0, 1, "BIT", "x"), SYNTAX)
    assert_error(conn.call("BITCOUNT", "k", 0, 1, "bits"), SYNTAX)
    assert_error(conn.call("BITCOUNT", "k", "a", 1), NOT_INTEGER)
    assert_error(conn.call("BITCOUNT", "k", 0, "b"), NOT_INTEGER)
    conn.call("SADD", "s", "a")
    assert_error(conn.call("BITCOUNT", "s"), WRONGTYPE)
    assert_error(conn.call("BITCOUNT", "s", "a", "b"), NOT_INTEGER)  # arguments are checked first


# -- BITPOS ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args,expected", [
    ((1,), 12), ((0,), 0), ((1, 2), 16), ((1, 3), -1), ((0, 1), 8), ((1, -1), 16), ((0, 0, 0), 0), ((0, 1, 1), 8),
    *(pytest.param(args, expected, marks=BIT_UNIT) for args, expected in [
        ((1, 13, -1, "BIT"), 13), ((1, 14, 15, "BIT"), 14), ((0, 12, 14, "BIT"), -1), ((0, 12, 15, "BIT"), 15),
        ((1, 5, 30, "bit"), 12), ((0, -8, -1, "BIT"), 17), ((1, 0, -1, "BYTE"), 12), ((0, 16, 16, "BIT"), -1),
        ((1, 16, 23, "BIT"), 16)]),
], ids=lambda v: repr(v))
def test_bitpos_ranges(conn, args, expected):
    conn.call("SET", "k", b"\x00\x0e\xbf")
    assert_reply(conn.call("BITPOS", "k", *args), integer(expected))


def test_bitpos_clear_bit_past_the_end(conn):
    """Without an end, the string counts as padded with zeros: the first clear bit may lie just past it."""
    conn.call("SET", "k", b"\xff\xff")
    assert_reply(conn.call("BITPOS", "k", 0), integer(16))
    assert_reply(conn.call("BITPOS", "k", 0, 1), integer(16))
    assert_reply(conn.call("BITPOS", "k", 0, 0, -1), integer(-1))
    assert_reply(conn.call("BITPOS", "k", 1, 0, -1), integer(0))


@BIT_UNIT
def test_bitpos_clear_bit_not_past_an_explicit_bit_end(conn):
    conn.call("SET", "k", b"\xff\xff")
    assert_reply(conn.call("BITPOS", "k", 0, 0, -1, "BIT"), integer(-1))


def test_bitpos_missing_and_empty(conn):
    assert_reply(conn.call("BITPOS", "missing", 0), integer(0))
    assert_reply(conn.call("BITPOS", "missing", 1), integer(-1))
    assert_reply(conn.call("BITPOS", "missing", 0, 0, 1, "BIT"), integer(0))
    conn.call("SET", "e", "")
    assert_reply(conn.call("BITPOS", "e", 0), integer(-1))
    assert_reply(conn.call("BITPOS", "e", 1), integer(-1))


def test_bitpos_errors(conn):
    conn.call("SET", "k", "abc")
    assert_error(conn.call("BITPOS", "k", 2), "ERR The bit argument must be 1 or 0.")
    assert_error(conn.call("BITPOS", "k", "x"), NOT_INTEGER)
    assert_error(conn.call("BITPOS", "k", 1, "a"), NOT_INTEGER)
    assert_error(conn.call("BITPOS", "k", 1, 0, "a"), NOT_INTEGER)
    assert_error(conn.call("BITPOS", "k", 1, 0, "a", "foo"), SYNTAX)  # the unit is checked before the end
    assert_error(conn.call("BITPOS", "k", 1, 0, 1, "BIT", "x"), SYNTAX)
    conn.call("SADD", "s", "a")
    assert_error(conn.call("BITPOS", "s", 1), WRONGTYPE)


# -- BITOP -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op,expected", [
    ("AND", b"\x00\x00\x00"), ("OR", b"\xffOU"), ("XOR", b"\xccKU"), ("and", b"\x00\x00\x00"),
    *(pytest.param(op, value, marks=NEW_IN_8_2)
      for op, value in [("DIFF", b"\xc0\x0b\x00"), ("DIFF1", b"\x0f@U"), ("ANDOR", b"0\x04\x00"), ("ONE", b"\xccKU")]),
])
def test_bitop_operations(conn, op, expected):
    conn.call("SET", "a", b"\xf0\x0f")
    conn.call("SET", "b", b"\x0f")
    conn.call("SET", "c", b"\x33\x44\x55")
    assert_reply(conn.call("BITOP", op, "d", "a", "b", "c"), integer(3))
    assert_reply(conn.call("GET", "d"), bulk(expected))


@NEW_IN_8_2
def test_bitop_one_means_exactly_one(conn):
    conn.call("SET", "b", b"\x0f\x01")
    assert_reply(conn.call("BITOP", "ONE", "d", "b", "b", "b"), integer(2))
    assert_reply(conn.call("GET", "d"), bulk(b"\x00\x00"))
    assert_reply(conn.call("BITOP", "XOR", "d", "b", "b", "b"), integer(2))
    assert_reply(conn.call("GET", "d"), bulk(b"\x0f\x01"))
    assert_reply(conn.call("BITOP", "ONE", "d", "b"), integer(2))
    assert_reply(conn.call("GET", "d"), bulk(b"\x0f\x01"))
    conn.call("SET", "e", "")
    assert_reply(conn.call("BITOP", "ONE", "d", "e"), integer(0))  # an empty result deletes the destination
    assert_reply(conn.call("EXISTS", "d"), integer(0))


@NEW_IN_8_2
def test_bitop_missing_sources_count_as_zeros(conn):
    conn.call("SET", "b", b"\x0f\x01")
    assert_reply(conn.call("BITOP", "DIFF1", "d", "missing", "b"), integer(2))
    assert_reply(conn.call("GET", "d"), bulk(b"\x0f\x01"))
    assert_reply(conn.call("BITOP", "DIFF", "d", "missing", "b"), integer(2))
    assert_reply(conn.call("GET", "d"), bulk(b"\x00\x00"))
    assert_reply(conn.call("BITOP", "OR", "d", "b", "missing"), integer(2))


def test_bitop_not(conn):
    conn.call("SET", "a", b"\xf0\x0f")
    assert_reply(conn.call("BITOP", "NOT", "d", "a"), integer(2))
    assert_reply(conn.call("GET", "d"), bulk(b"\x0f\xf0"))
    assert_reply(conn.call("OBJECT", "ENCODING", "d"), bulk("raw"))


def test_bitop_empty_result_deletes_the_destination(conn):
    conn.call("SET", "d", "old", "EX", 100)
    assert_reply(conn.call("BITOP", "AND", "d", "missing", "missing2"), integer(0))
    assert_reply(conn.call("EXISTS", "d"), integer(0))


def test_bitop_overwrites_any_type_and_drops_the_ttl(conn):
    conn.call("SADD", "d", "x")
    conn.call("EXPIRE", "d", 100)
    conn.call("SET", "a", "ab")
    assert_reply(conn.call("BITOP", "AND", "d", "a"), integer(2))
    assert_reply(conn.call("GET", "d"), bulk("ab"))
    assert_reply(conn.call("TTL", "d"), integer(-1))


@NEW_IN_8_2
@pytest.mark.parametrize("op", ["DIFF", "DIFF1", "ANDOR", "diff", "AndOr"])
def test_bitop_needs_two_sources(conn, op):
    conn.call("SET", "a", "x")
    assert_error(conn.call("BITOP", op, "d", "a"),
                 "ERR BITOP %s must be called with at least two source keys." % op.upper())


def test_bitop_errors(conn):
    conn.call("SET", "a", "x")
    conn.call("SADD", "s", "x")
    assert_error(conn.call("BITOP", "NAND", "d", "a"), SYNTAX)
    assert_error(conn.call("BITOP", "NOT", "d", "a", "a"), "ERR BITOP NOT must be called with a single source key.")
    assert_error(conn.call("BITOP", "AND", "d", "a", "s"), WRONGTYPE)
    assert_error(conn.call("BITOP", "OR", "d"), "ERR wrong number of arguments for 'bitop' command")


# -- BITFIELD --------------------------------------------------------------------------------------------------------
def test_bitfield_set_get_incrby(conn):
    assert_reply(conn.call("BITFIELD", "k", "SET", "u8", 0, 200, "GET", "u8", 0, "GET", "i8", 0,
                           "INCRBY", "u4", 4, 3, "GET", "u16", 0), ints(0, 200, -56, 11, 0xCB00))
    assert_reply(conn.call("GET", "k"), bulk(b"\xcb"))


def test_bitfield_hash_offsets_multiply_by_the_width(conn):
    assert_reply(conn.call("BITFIELD", "k", "SET", "u8", "#1", 65, "SET", "i16", "#1", -2), ints(0, 0))
    assert_reply(conn.call("GET", "k"), bulk(b"\x00A\xff\xfe"))
    assert_reply(conn.call("BITFIELD", "k", "GET", "u8", "#3"), ints(0xFE))


def test_bitfield_overflow_policies(conn, resp):
    reply = conn.call("BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", 0, 300, "SET", "i8", 0, -129,
                      "GET", "u8", 0, "INCRBY", "u8", 0, -1, "OVERFLOW", "SAT", "INCRBY", "u8", 0, 1000,
                      "SET", "u8", 0, -1, "SET", "i8", 0, 300, "OVERFLOW", "WRAP", "SET", "u4", 0, -1,
                      "GET", "u8", 0, "INCRBY", "i64", 8, 9223372036854775807, "INCRBY", "i64", 8, 1)
    nulls = [reply.value[i] for i in (0, 1, 3)]
    assert all(r.raw == NULL_BULK[resp] for r in nulls), reply
    rest = [reply.value[i] for i in (2, 4, 5, 6, 7, 8, 9, 10)]
    assert [r.value for r in rest] == [0, 255, 255, -1, 7, 255, 9223372036854775807, -9223372036854775808]


def test_bitfield_wrap_and_sat_on_small_fields(conn):
    assert_reply(conn.call("BITFIELD", "k", "INCRBY", "i4", 0, 9, "INCRBY", "u3", 4, -1,
                           "OVERFLOW", "SAT", "INCRBY", "i4", 0, -100, "INCRBY", "u3", 4, 100), ints(-7, 7, -8, 7))


def test_bitfield_widest_types(conn):
    assert_reply(conn.call("BITFIELD", "k", "SET", "i64", 0, -1, "GET", "u63", 0, "GET", "i64", 0, "GET", "u1", 63),
                 ints(0, 9223372036854775807, -1, 1))


def test_bitfield_reads_past_the_end_as_zero(conn):
    conn.call("SET", "k", b"\xff")
    assert_reply(conn.call("BITFIELD", "k", "GET", "u16", 0, "GET", "i8", 4, "GET", "u8", 100), ints(0xFF00, -16, 0))
    assert_reply(conn.call("STRLEN", "k"), integer(1))


def test_bitfield_without_operations(conn):
    assert_reply(conn.call("BITFIELD", "k"), array())
    assert_reply(conn.call("EXISTS", "k"), integer(0))
    assert_reply(conn.call("BITFIELD", "k", "GET", "u8", 0), ints(0))
    assert_reply(conn.call("EXISTS", "k"), integer(0))


def test_bitfield_failed_write_still_creates_the_key(conn, resp):
    reply = conn.call("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", 100, 9)
    assert reply.value[0].raw == NULL_BULK[resp]
    assert_reply(conn.call("STRLEN", "k"), integer(13))


@pytest.mark.parametrize("kind", ["u64", "i65", "x8", "u0", "i", "u-1", "U8", "u08", ""])
def test_bitfield_invalid_type(conn, kind):
    assert_error(conn.call("BITFIELD", "k", "GET", kind, 0), BITFIELD_TYPE)


def test_bitfield_errors(conn):
    assert_error(conn.call("BITFIELD", "k", "GET", "u8", -1), BIT_OFFSET)
    assert_error(conn.call("BITFIELD", "k", "GET", "u8", "#-1"), BIT_OFFSET)
    assert_error(conn.call("BITFIELD", "k", "GET", "u8", "1.0"), BIT_OFFSET)
    assert_error(conn.call("BITFIELD", "k", "OVERFLOW", "FOO"), "ERR Invalid OVERFLOW type specified")
    assert_error(conn.call("BITFIELD", "k", "OVERFLOW"), SYNTAX)
    assert_error(conn.call("BITFIELD", "k", "GET", "u8"), SYNTAX)
    assert_error(conn.call("BITFIELD", "k", "SET", "u8", 0), SYNTAX)
    assert_error(conn.call("BITFIELD", "k", "FOO", "u8", 0), SYNTAX)
    assert_error(conn.call("BITFIELD", "k", "SET", "u8", 0, "a"), NOT_INTEGER)
    assert_error(conn.call("BITFIELD", "k", "GET", "u8", 0, "SET", "u64", 0, 1), BITFIELD_TYPE)
    assert_reply(conn.call("EXISTS", "k"), integer(0))
    conn.call("SADD", "s", "a")
    assert_error(conn.call("BITFIELD", "s", "GET", "u8", 0), WRONGTYPE)
    assert_error(conn.call("BITFIELD", "s", "SET", "u8", 0, 1), WRONGTYPE)


def test_bitfield_ro_reads(conn):
    conn.call("SET", "k", b"\x12\x34")
    assert_reply(conn.call("BITFIELD_RO", "k", "GET", "u4", 4, "GET", "i16", 0), ints(2, 0x1234))
    assert_reply(conn.call("BITFIELD_RO", "k", "OVERFLOW", "SAT"), array())


def test_bitfield_ro_refuses_writes(conn):
    message = "ERR BITFIELD_RO only supports the GET subcommand"
    assert_error(conn.call("BITFIELD_RO", "k", "SET", "u8", 0, 1), message)
    assert_error(conn.call("BITFIELD_RO", "k", "GET", "u8", 0, "INCRBY", "u8", 0, 1), message)
    assert_error(conn.call("BITFIELD_RO", "k", "INCRBY", "u8", 0, "a"), NOT_INTEGER)
    assert_reply(conn.call("EXISTS", "k"), integer(0))


# -- WATCH -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command,touched", [
    (("SETBIT", "k", 0, 0), False), (("SETBIT", "k", 0, 1), True), (("SETBIT", "k", 100, 0), True),
    (("BITFIELD", "k", "SET", "u8", 0, 0x78), False), (("BITFIELD", "k", "INCRBY", "u8", 0, 1), True),
    (("BITFIELD", "k", "GET", "u8", 0), False),
], ids=["setbit-same", "setbit-change", "setbit-grow", "bitfield-same", "bitfield-change", "bitfield-get"])
def test_setbit_watch_sees_only_changes(conn, connect_client, command, touched):
    conn.call("SET", "k", "x")
    conn.call("WATCH", "k")
    other = connect_client()
    other.call(*command)
    conn.call("MULTI")
    conn.call("PING")
    reply = conn.call("EXEC")
    assert (reply.value is None) == touched, reply
