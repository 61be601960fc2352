"""String group, editing and counting: APPEND, SETRANGE, GETRANGE, SUBSTR, STRLEN, INCR, DECR, INCRBY, DECRBY,
INCRBYFLOAT, and LCS."""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, array, bulk, integer, map_

from .asserts import assert_error, assert_null, assert_ok, assert_reply, pick

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INTEGER = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
NAN_OR_INF = "ERR increment would produce NaN or Infinity"
TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
DEFAULT_MAX_BULK = "536870912"
SMALL_MAX_BULK = "1048576"


@pytest.fixture
def small_max_bulk(conn):
    """proto-max-bulk-len at its 1 MB minimum for the case, restored afterwards."""
    assert_ok(conn.call("CONFIG", "SET", "proto-max-bulk-len", SMALL_MAX_BULK))
    yield int(SMALL_MAX_BULK)
    conn.call("CONFIG", "SET", "proto-max-bulk-len", DEFAULT_MAX_BULK)


def still_expires(conn, key: str) -> None:
    """The key kept the 100 s expiry it was given. Read with PTTL rather than by waiting for a short expiry to
    pass: on a loaded machine a 30 ms expiry could lapse before the edit, which then makes a new key."""
    ttl = conn.call("PTTL", key)
    assert ttl.kind is Kind.INTEGER and 0 < ttl.value <= 100_000, ttl


# -- APPEND ----------------------------------------------------------------------------------------------------------
def test_append_creates_and_extends(conn):
    assert_reply(conn.call("APPEND", "k", "hello"), integer(5))
    assert_reply(conn.call("APPEND", "k", b" w\x00rld"), integer(11))
    assert_reply(conn.call("GET", "k"), bulk(b"hello w\x00rld"))


def test_append_empty(conn, resp):
    assert_reply(conn.call("APPEND", "k", ""), integer(0))
    assert_reply(conn.call("GET", "k"), bulk(b""))
    conn.call("SET", "n", "12")
    assert_reply(conn.call("APPEND", "n", ""), integer(2))


def test_append_to_an_integer_value(conn):
    conn.call("SET", "k", "12")
    assert_reply(conn.call("APPEND", "k", "3"), integer(3))
    assert_reply(conn.call("INCR", "k"), integer(124))


def test_append_wrongtype(conn):
    conn.call("SADD", "k", "a")
    assert_error(conn.call("APPEND", "k", "x"), WRONGTYPE)


def test_append_keeps_the_expiry(conn, resp):
    conn.call("SET", "k", "v", "PX", "100000")
    assert_reply(conn.call("APPEND", "k", "w"), integer(2))
    still_expires(conn, "k")


def test_append_inside_multi_replies_are_snapshots(conn):
    """A value edited in place after it was read must not change the reply already produced."""
    conn.call("SET", "k", "a")
    for command in (("MULTI",), ("GET", "k"), ("APPEND", "k", "b"), ("GET", "k"), ("SETRANGE", "k", "0", "z")):
        conn.call(*command)
    assert_reply(conn.call("EXEC"), array(bulk("a"), integer(2), bulk("ab"), integer(2)))
    assert_reply(conn.call("GET", "k"), bulk("zb"))


@pytest.mark.parametrize("command,encoding", [(("APPEND", "k", ""), "raw"), (("SETRANGE", "k", "0", "x"), "raw"),
                                              (("SETRANGE", "k", "0", ""), "int"), (("INCR", "k"), "int")],
                         ids=["append", "setrange", "setrange-nothing", "incr"])
def test_append_edits_make_the_value_raw(conn, command, encoding):
    conn.call("SET", "k", "12")
    conn.call(*command)
    assert_reply(conn.call("OBJECT", "ENCODING", "k"), bulk(encoding))


def test_append_touches_a_watched_key(conn, connect_client, resp):
    conn.call("SET", "k", "v")
    conn.call("WATCH", "k")
    connect_client().call("APPEND", "k", "")
    conn.call("MULTI")
    conn.call("GET", "k")
    assert conn.call("EXEC").raw == (b"_\r\n" if resp == 3 else b"*-1\r\n")


def test_append_beyond_the_maximum_size(conn, small_max_bulk):
    conn.call("SET", "k", "x" * 600)
    assert_error(conn.call("APPEND", "k", "y" * (small_max_bulk - 599)), TOO_LONG)
    assert_reply(conn.call("APPEND", "k", "y" * (small_max_bulk - 600)), integer(small_max_bulk))


# -- SETRANGE --------------------------------------------------------------------------------------------------------
def test_setrange_overwrites_and_pads_with_zeros(conn):
    conn.call("SET", "k", "Hello World")
    assert_reply(conn.call("SETRANGE", "k", "6", "Redis"), integer(11))
    assert_reply(conn.call("SETRANGE", "k", "13", "!"), integer(14))
    assert_reply(conn.call("GET", "k"), bulk(b"Hello Redis\x00\x00!"))


def test_setrange_creates_a_padded_key(conn):
    assert_reply(conn.call("SETRANGE", "k", "3", "abc"), integer(6))
    assert_reply(conn.call("GET", "k"), bulk(b"\x00\x00\x00abc"))


def test_setrange_empty_value(conn, resp):
    assert_reply(conn.call("SETRANGE", "k", "5", ""), integer(0))
    assert_null(conn.call("GET", "k"), resp)
    conn.call("SET", "k", "123")
    assert_reply(conn.call("SETRANGE", "k", "100", ""), integer(3))
    assert_reply(conn.call("GET", "k"), bulk("123"))


def test_setrange_on_an_integer_value(conn):
    conn.call("SET", "k", "123")
    assert_reply(conn.call("SETRANGE", "k", "1", "9"), integer(3))
    assert_reply(conn.call("INCR", "k"), integer(194))


@pytest.mark.parametrize("key_type", ["missing", "string", "set"])
def test_setrange_negative_offset(conn, key_type):
    if key_type == "string":
        conn.call("SET", "k", "v")
    elif key_type == "set":
        conn.call("SADD", "k", "a")
    assert_error(conn.call("SETRANGE", "k", "-1", "x"), "ERR offset is out of range")
    assert_error(conn.call("SETRANGE", "k", "-1", ""), "ERR offset is out of range")


@pytest.mark.parametrize("offset", ["abc", "1.5", "9223372036854775808", ""])
def test_setrange_offset_not_an_integer(conn, offset):
    assert_error(conn.call("SETRANGE", "k", offset, "x"), NOT_INTEGER)


def test_setrange_wrongtype(conn):
    conn.call("SADD", "k", "a")
    assert_error(conn.call("SETRANGE", "k", "0", "x"), WRONGTYPE)
    assert_error(conn.call("SETRANGE", "k", "0", ""), WRONGTYPE)


@pytest.mark.parametrize("offset,value", [("536870912", "x"), ("536870911", "xy"), ("9223372036854775807", "xy")])
def test_setrange_beyond_the_maximum_size(conn, resp, offset, value):
    assert_error(conn.call("SETRANGE", "k", offset, value), TOO_LONG)
    assert_null(conn.call("GET", "k"), resp)


def test_setrange_keeps_the_expiry(conn, resp):
    conn.call("SET", "k", "v", "PX", "100000")
    assert_reply(conn.call("SETRANGE", "k", "0", "w"), integer(1))
    still_expires(conn, "k")


# -- GETRANGE, SUBSTR, STRLEN ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("start,end,expected", [
    (0, -1, "Hello World"), (0, 4, "Hello"), (-3, -1, "rld"), (0, -100, "H"), (-100, -100, "H"), (-100, 2, "Hel"),
    (5, 3, ""), (-1, -5, ""), (100, 200, ""), (10, 10, "d"), (11, 11, ""), (-11, 0, "H"), (3, 100, "lo World"),
    (0, 9223372036854775807, "Hello World"), (-9223372036854775808, -1, "Hello World"),
])
def test_getrange(conn, start, end, expected):
    conn.call("SET", "k", "Hello World")
    assert_reply(conn.call("GETRANGE", "k", start, end), bulk(expected))


@pytest.mark.parametrize("start,end", [(0, -1), (0, 0), (-1, -1)])
def test_getrange_empty_string(conn, start, end):
    conn.call("SET", "k", "")
    assert_reply(conn.call("GETRANGE", "k", start, end), bulk(b""))


def test_getrange_missing_key(conn):
    assert_reply(conn.call("GETRANGE", "nokey", "0", "-1"), bulk(b""))


def test_getrange_integer_value(conn):
    conn.call("SET", "k", "12345")
    assert_reply(conn.call("GETRANGE", "k", "1", "-2"), bulk("234"))


def test_getrange_not_an_integer(conn):
    conn.call("SADD", "s", "a")
    assert_error(conn.call("GETRANGE", "nokey", "a", "1"), NOT_INTEGER)
    assert_error(conn.call("GETRANGE", "s", "0", "9223372036854775808"), NOT_INTEGER)
    assert_error(conn.call("GETRANGE", "s", "0", "1"), WRONGTYPE)


def test_substr(conn):
    conn.call("SET", "k", "Hello World")
    assert_reply(conn.call("SUBSTR", "k", "-5", "-2"), bulk("Worl"))
    assert_reply(conn.call("SUBSTR", "nokey", "0", "1"), bulk(b""))


def test_strlen(conn):
    conn.call("SET", "k", b"a\x00b")
    conn.call("SET", "n", "-12345")
    conn.call("SADD", "s", "a")
    assert_reply(conn.call("STRLEN", "k"), integer(3))
    assert_reply(conn.call("STRLEN", "n"), integer(6))
    assert_reply(conn.call("STRLEN", "nokey"), integer(0))
    assert_error(conn.call("STRLEN", "s"), WRONGTYPE)


# -- INCR, DECR, INCRBY, DECRBY --------------------------------------------------------------------------------------
def test_incr_family(conn):
    assert_reply(conn.call("INCR", "k"), integer(1))
    assert_reply(conn.call("INCRBY", "k", "10"), integer(11))
    assert_reply(conn.call("DECR", "k"), integer(10))
    assert_reply(conn.call("DECRBY", "k", "-5"), integer(15))
    assert_reply(conn.call("INCRBY", "k", "-20"), integer(-5))
    assert_reply(conn.call("GET", "k"), bulk("-5"))
    assert_reply(conn.call("DECR", "other"), integer(-1))


@pytest.mark.parametrize("stored", ["12 ", " 12", "+12", "012", "-0", "1.0", "99999999999999999999", "", "abc",
                                    "9223372036854775808"])
@pytest.mark.parametrize("command", [("INCR",), ("DECRBY", "1")], ids=["incr", "decrby"])
def test_incr_stored_value_not_an_integer(conn, stored, command):
    conn.call("SET", "k", stored)
    assert_error(conn.call(command[0], "k", *command[1:]), NOT_INTEGER)
    assert_reply(conn.call("GET", "k"), bulk(stored))


@pytest.mark.parametrize("amount", ["abc", "1.5", "9223372036854775808", " 1", ""])
@pytest.mark.parametrize("command", ["INCRBY", "DECRBY"])
def test_incrby_increment_not_an_integer(conn, command, amount):
    conn.call("SADD", "s", "a")
    assert_error(conn.call(command, "k", amount), NOT_INTEGER)
    assert_error(conn.call(command, "s", amount), NOT_INTEGER)


def test_incr_overflow(conn):
    overflow = "ERR increment or decrement would overflow"
    assert_reply(conn.call("INCRBY", "k", "9223372036854775807"), integer(9223372036854775807))
    assert_error(conn.call("INCR", "k"), overflow)
    conn.call("SET", "k", "-9223372036854775808")
    assert_error(conn.call("DECR", "k"), overflow)
    assert_error(conn.call("DECRBY", "k", "9223372036854775807"), overflow)
    assert_reply(conn.call("INCR", "k"), integer(-9223372036854775807))


def test_decrby_smallest_integer(conn):
    conn.call("SADD", "s", "a")
    assert_error(conn.call("DECRBY", "k", "-9223372036854775808"), "ERR decrement would overflow")
    assert_error(conn.call("DECRBY", "s", "-9223372036854775808"), "ERR decrement would overflow")


@pytest.mark.parametrize("command", [("INCR",), ("DECR",), ("INCRBY", "1"), ("DECRBY", "1"), ("INCRBYFLOAT", "1"),
                                     ("INCRBYFLOAT", "x")], ids=lambda c: "-".join(c))
def test_incr_wrongtype(conn, command):
    conn.call("SADD", "k", "a")
    assert_error(conn.call(command[0], "k", *command[1:]), WRONGTYPE)


@pytest.mark.parametrize("command", [("INCR",), ("INCRBYFLOAT", "1.5")], ids=["incr", "incrbyfloat"])
def test_incr_keeps_the_expiry(conn, resp, command):
    conn.call("SET", "k", "1", "PX", "100000")
    assert conn.call(command[0], "k", *command[1:]).kind.value in ("integer", "bulk")
    still_expires(conn, "k")


# -- INCRBYFLOAT -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("start,increment,expected", [
    (None, "3.0", "3"), ("0.1", "0.2", "0.3"), ("10", "0.1", "10.1"), ("10.1", "-0.1", "10"), ("5.0e3", "0", "5000"),
    ("5000", "1.5e1", "5015"), ("5015", "0x10", "5031"), ("1", "+1", "2"), ("1.5", "-1.5", "0"), ("0", "-1.5", "-1.5"),
    (None, "1.23456789012345678901234", "1.23456789012345679"), ("10", "1e18", "1000000000000000010"),
    ("1000000000000000010", "1e-17", "1000000000000000010"), ("0", "1e-17", "0.00000000000000001"),
    ("0", "5e-18", "0"), ("-0.00000000000000000001", "0", "0"), ("0", "-0", "0"), ("0", ".5", "0.5"),
    ("0", "5.", "5"), ("0", "0x.8", "0.5"), ("0", "0x1.8p1", "3"), ("0", "3.0e-0", "3"), ("1e-4940", "0", "0"),
    ("0", "0e99999999999", "0"), ("0.000003814697265625", "0", "0.00000381469726562"),
    ("0.000011444091796875", "0", "0.00001144409179688"),
], ids=lambda v: v)
def test_incrbyfloat(conn, start, increment, expected):
    if start is not None:
        conn.call("SET", "k", start)
    assert_reply(conn.call("INCRBYFLOAT", "k", increment), bulk(expected))
    assert_reply(conn.call("GET", "k"), bulk(expected))


def test_incrbyfloat_repeated_tenths(conn):
    replies = [conn.call("INCRBYFLOAT", "k", "0.1") for _ in range(3)]
    assert replies == [bulk("0.1"), bulk("0.2"), bulk("0.3")]


def test_incrbyfloat_prints_every_digit_of_large_values(conn):
    """No exponent notation: the exact long double value, all its integer digits."""
    conn.call("SET", "k", "1e300")
    expected = ("2000000000000000000017994648159118387741047888546581495876520164642531293192361871511698304167500994"
                "3807007450172285496718071851123693459678261925210414972925746542712836873065881685102152120335794533"
                "05864740061102765895241989080589545563779241212358535223254194821301134374772211380178849830208012288")
    assert_reply(conn.call("INCRBYFLOAT", "k", "1e300"), bulk(expected))


def test_incrbyfloat_largest_long_double(conn):
    reply = conn.call("INCRBYFLOAT", "k", "1.18973149535723176502e+4932")
    assert reply.kind.value == "bulk" and len(reply.value) == 4933
    assert reply.value.startswith(b"118973149535723176502126385303097020516906332229462420044032373389173700552297")
    assert reply.value.endswith(b"260031762345960769508849149662444156604419552086811989770240")


@pytest.mark.parametrize("increment", ["nan", "nan(123)", "abc", "", "1e5000", "-1e5000", "1e-5000", "1e-4952",
                                       "1.18973149535723176509e+4932", ".", "1e", "0x", " 1", "1 ", "1,5",
                                       "1" * 5120])
def test_incrbyfloat_increment_not_a_float(conn, increment):
    conn.call("SET", "k", "1")
    assert_error(conn.call("INCRBYFLOAT", "k", increment), NOT_FLOAT)
    assert_reply(conn.call("GET", "k"), bulk("1"))


@pytest.mark.parametrize("stored", ["abc", "1 ", " 1", "nan", "1e5000", ""])
def test_incrbyfloat_stored_value_not_a_float(conn, stored):
    conn.call("SET", "k", stored)
    assert_error(conn.call("INCRBYFLOAT", "k", "1"), NOT_FLOAT)


@pytest.mark.parametrize("start,increment", [("1", "inf"), ("1", "-inf"), ("1", "INFINITY"), ("inf", "0"),
                                             ("inf", "-inf"), ("1.18973149535723176502e+4932", "1e4932")])
def test_incrbyfloat_nan_or_infinity(conn, start, increment):
    conn.call("SET", "k", start)
    assert_error(conn.call("INCRBYFLOAT", "k", increment), NAN_OR_INF)
    assert_reply(conn.call("GET", "k"), bulk(start))


# -- LCS -------------------------------------------------------------------------------------------------------------
def _ranges(resp: int, *matches, length: int):
    """The IDX reply: a map in RESP3, a flat array in RESP2."""
    items = array(*(array(array(integer(a), integer(b)), array(integer(c), integer(d)), *map(integer, rest))
                    for (a, b), (c, d), *rest in matches))
    pairs = ((bulk("matches"), items), (bulk("len"), integer(length)))
    return pick(resp, array(*(x for pair in pairs for x in pair)), map_(*pairs))


@pytest.fixture
def texts(conn):
    assert_ok(conn.call("MSET", "key1", "ohmytext", "key2", "mynewtext"))


@pytest.mark.since("7.0")
def test_lcs(conn, texts):
    assert_reply(conn.call("LCS", "key1", "key2"), bulk("mytext"))
    assert_reply(conn.call("LCS", "key1", "key2", "LEN"), integer(6))
    assert_reply(conn.call("LCS", "key1", "key2", "len", "withmatchlen", "minmatchlen", "3"), integer(6))


@pytest.mark.since("7.0")
def test_lcs_idx(conn, resp, texts):
    expected = _ranges(resp, ((4, 7), (5, 8)), ((2, 3), (0, 1)), length=6)
    assert_reply(conn.call("LCS", "key1", "key2", "IDX"), expected)
    assert_reply(conn.call("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "-5"), expected)


@pytest.mark.since("7.0")
def test_lcs_idx_withmatchlen_minmatchlen(conn, resp, texts):
    assert_reply(conn.call("LCS", "key1", "key2", "IDX", "WITHMATCHLEN"),
                 _ranges(resp, ((4, 7), (5, 8), 4), ((2, 3), (0, 1), 2), length=6))
    assert_reply(conn.call("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
                 _ranges(resp, ((4, 7), (5, 8), 4), length=6))


@pytest.mark.since("7.0")
def test_lcs_same_key(conn, resp, texts):
    assert_reply(conn.call("LCS", "key1", "key1", "IDX", "WITHMATCHLEN"),
                 _ranges(resp, ((0, 7), (0, 7), 8), length=8))


@pytest.mark.since("7.0")
def test_lcs_missing_keys_are_empty(conn, resp, texts):
    assert_reply(conn.call("LCS", "key1", "nokey"), bulk(b""))
    assert_reply(conn.call("LCS", "nokey", "nokey2", "LEN"), integer(0))
    assert_reply(conn.call("LCS", "nokey", "nokey2", "IDX"), _ranges(resp, length=0))


@pytest.mark.since("7.0")
def test_lcs_ties_follow_redis(conn):
    conn.call("MSET", "a", "abcabc", "b", "cbacba")
    assert_reply(conn.call("LCS", "a", "b"), bulk("cbc"))


@pytest.mark.since("7.0")
def test_lcs_not_strings(conn, texts):
    conn.call("SADD", "s", "a")
    message = "ERR The specified keys must contain string values"
    assert_error(conn.call("LCS", "key1", "s"), message)
    assert_error(conn.call("LCS", "s", "key1", "foo"), message)


@pytest.mark.since("7.0")
@pytest.mark.parametrize("options", [["foo"], ["MINMATCHLEN"], ["LEN", "foo", "IDX"], ["IDX", "MINMATCHLEN"]],
                         ids=lambda o: "-".join(o))
def test_lcs_syntax_errors(conn, texts, options):
    assert_error(conn.call("LCS", "key1", "key2", *options), "ERR syntax error")


@pytest.mark.since("7.0")
def test_lcs_len_and_idx(conn, texts):
    message = "ERR If you want both the length and indexes, please just use IDX."
    assert_error(conn.call("LCS", "key1", "key2", "LEN", "IDX"), message)
    assert_error(conn.call("LCS", "key1", "key2", "IDX", "LEN", "LEN"), message)


@pytest.mark.since("7.0")
def test_lcs_minmatchlen_not_an_integer(conn, texts):
    assert_error(conn.call("LCS", "key1", "key2", "MINMATCHLEN", "abc"), NOT_INTEGER)


@pytest.mark.since("7.0")
def test_lcs_table_larger_than_the_maximum_size(conn, small_max_bulk):
    conn.call("MSET", "a", "a" * 600, "b", "b" * 600)
    message = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
    assert_error(conn.call("LCS", "a", "b", "LEN"), message)
    conn.call("SET", "b", "b" * 400)
    assert_reply(conn.call("LCS", "a", "b", "LEN"), integer(0))


# -- OBJECT ENCODING of INCRBYFLOAT results ------------------------------------------------------------------------
@pytest.mark.since("8.0")
@pytest.mark.parametrize("start,increment,encoding", [
    (None, "124", "embstr"), ("5", "1.5", "embstr"), ("6.5", "0.5", "embstr"), ("1", "-1", "embstr"),
    ("1" * 19, "0", "embstr"), (None, "1.5", "embstr")],
    ids=["integer-looking", "fraction", "back-to-integer", "zero", "long-digits", "new-fraction"])
def test_incrbyfloat_result_is_never_int_encoded(conn, start, increment, encoding):
    if start is not None:
        assert_ok(conn.call("SET", "k", start))
    conn.call("INCRBYFLOAT", "k", increment)
    assert_reply(conn.call("OBJECT", "ENCODING", "k"), bulk(encoding))


@pytest.mark.since("8.0")
def test_incrbyfloat_integer_looking_result_stays_a_string_when_moved(conn):
    assert_reply(conn.call("INCRBYFLOAT", "a", "124"), bulk("124"))
    assert_ok(conn.call("RENAME", "a", "b"))
    assert_reply(conn.call("COPY", "b", "c"), integer(1))
    assert_reply(conn.call("EXPIRE", "b", "100"), integer(1))
    assert_reply(conn.call("OBJECT", "ENCODING", "b"), bulk("embstr"))
    assert_reply(conn.call("OBJECT", "ENCODING", "c"), bulk("embstr"))
    assert_reply(conn.call("GET", "c"), bulk("124"))
    assert_reply(conn.call("INCR", "c"), integer(125))
    assert_reply(conn.call("OBJECT", "ENCODING", "c"), bulk("int"))


@pytest.mark.since("8.0")
@pytest.mark.parametrize("key_len,increment,encoding", [(38, "0.5", "raw"), (37, "1.5", "raw"),
                                                        (30, "1.5", "embstr"), (31, "12.5", "raw")])
def test_incrbyfloat_on_a_key_with_ttl_sizes_the_value_with_its_expiry(conn, key_len, increment, encoding):
    key = "k" * key_len
    assert_ok(conn.call("SET", key, "0", "EX", "100"))
    conn.call("INCRBYFLOAT", key, increment)
    assert_reply(conn.call("OBJECT", "ENCODING", key), bulk(encoding))
