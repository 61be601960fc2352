"""The float increments at the edges of their number types: INCRBYFLOAT and HINCRBYFLOAT add in x87 long double
(a 15-bit exponent: values far beyond a double's range, infinities, NaN, subnormals, hexadecimal input), ZINCRBY and
ZADD INCR in double. Every overflow, NaN and out-of-range input answers Redis's error and leaves the value as it was.
"""
from __future__ import annotations

import pytest

from forkdiff.types import Kind

from .asserts import assert_error

# (stored value, increment, INCRBYFLOAT, HINCRBYFLOAT, ZINCRBY on a member ZADDed with the stored value): an error
# text, the exact reply, or (its first digits, its length) for the replies hundreds of digits long.
CASES = [
    ('1e3', 'inf', 'ERR increment would produce NaN or Infinity', 'ERR value is NaN or Infinity', 'inf'),
    ('1e310', 'inf', 'ERR increment would produce NaN or Infinity', 'ERR value is NaN or Infinity', 'inf'),
    ('1e310', '-inf', 'ERR increment would produce NaN or Infinity', 'ERR value is NaN or Infinity', '-inf'),
    ('1e4000', '-inf', 'ERR increment would produce NaN or Infinity', 'ERR value is NaN or Infinity', '-inf'),
    ('inf', '1', 'ERR increment would produce NaN or Infinity', 'ERR increment would produce NaN or Infinity', 'inf'),
    ('-inf', '-inf', 'ERR increment would produce NaN or Infinity', 'ERR value is NaN or Infinity', '-inf'),
    ('inf', '-inf', 'ERR increment would produce NaN or Infinity', 'ERR value is NaN or Infinity', 'ERR resulting score is not a number (NaN)'),
    ('inf', '0x1p16383', 'ERR increment would produce NaN or Infinity', 'ERR increment would produce NaN or Infinity', 'ERR value is not a valid float'),
    ('1e4000', '1e4000', ('199999999999999999999309', 4001), ('199999999999999999999309', 4001), 'ERR value is not a valid float'),
    ('0x1p16383', '0x1p16383', 'ERR increment would produce NaN or Infinity', 'ERR increment would produce NaN or Infinity', 'ERR value is not a valid float'),
    ('1.18973149535723176502e+4932', '1.18973149535723176502e+4932', 'ERR increment would produce NaN or Infinity', 'ERR increment would produce NaN or Infinity', 'ERR value is not a valid float'),
    ('1.18973149535723176502e+4932', '-0x1.fffffffffffffffep16383', '0', '0', 'ERR value is not a valid float'),
    ('0x1p16383', '-0x1.fffffffffffffffep16383', ('-59486574767861588247838', 4933), ('-59486574767861588247838', 4933), 'ERR value is not a valid float'),
    ('1e-4940', '1', '1', '1', '1'),
    ('1', '1e4933', 'ERR value is not a valid float', 'ERR value is not a valid float', 'ERR value is not a valid float'),
    ('1', '0x1p-16446', 'ERR value is not a valid float', 'ERR value is not a valid float', 'ERR value is not a valid float'),
    ('1', 'nan', 'ERR value is not a valid float', 'ERR value is not a valid float', 'ERR value is not a valid float'),
    ('1', '0x1p-16445', '1', '1', 'ERR value is not a valid float'),
    ('1e310', '1', ('100000000000000000000194', 311), ('100000000000000000000194', 311), '1'),
    ('3', '1e-310', '3', '3', '3'),
    ('1', '4.9e-324', '1', '1', '1'),
]


def _check(reply, expected) -> None:
    if isinstance(expected, str) and expected.startswith("ERR "):
        assert_error(reply, expected)
        return
    if reply.kind is Kind.DOUBLE:  # RESP3's score: the same text as a double
        assert reply.raw == b",%s\r\n" % expected.encode(), f"expected {expected}, got {reply.raw!r}"
        return
    assert reply.kind is Kind.BULK, f"expected a bulk reply, got {reply}"
    if isinstance(expected, tuple):
        prefix, length = expected
        assert (reply.value[:len(prefix)], len(reply.value)) == (prefix.encode(), length)
    else:
        assert reply.value == expected.encode()


@pytest.mark.parametrize("stored, increment, string, field, score", CASES)
@pytest.mark.command("incrbyfloat")
def test_float_increments_at_the_edges(conn, stored, increment, string, field, score):
    conn.call("SET", "k", stored)
    conn.call("HSET", "h", "f", stored)
    conn.call("ZADD", "z", stored, "m")  # refused when the stored text is no double: ZINCRBY then adds the member
    before = conn.call("GET", "k").value, conn.call("HGET", "h", "f").value
    _check(conn.call("INCRBYFLOAT", "k", increment), string)
    _check(conn.call("HINCRBYFLOAT", "h", "f", increment), field)
    _check(conn.call("ZINCRBY", "z", increment, "m"), score)
    if isinstance(string, str) and string.startswith("ERR "):
        assert conn.call("GET", "k").value == before[0]
    if isinstance(field, str) and field.startswith("ERR "):
        assert conn.call("HGET", "h", "f").value == before[1]


@pytest.mark.parametrize("stored, increment, expected", [
    ("inf", "1", "inf"), ("inf", "-inf", "ERR resulting score is not a number (NaN)"), ("1.7e308", "1.7e308", "inf"),
    ("1", "1e310", "ERR value is not a valid float"), ("1", "0x1p1024", "ERR value is not a valid float"),
    ("1", "0x1p-1080", "ERR value is not a valid float"), ("1", "0x1p-1074", "1"),
])
def test_zadd_incr_at_the_edges_of_a_double(conn, stored, increment, expected):
    conn.call("ZADD", "z", stored, "m")
    _check(conn.call("ZADD", "z", "INCR", increment, "m"), expected)


@pytest.mark.command("incrbyfloat")
def test_append_makes_a_long_double_beyond_a_double(conn):
    """`SET k 1e3` then `APPEND k 10` stores 1e310: INCRBYFLOAT reads it, and adding an infinity is refused."""
    conn.call("SET", "k", "1e3")
    conn.call("APPEND", "k", "10")
    assert_error(conn.call("INCRBYFLOAT", "k", "inf"), "ERR increment would produce NaN or Infinity")
    assert_error(conn.call("INCRBYFLOAT", "k", "-inf"), "ERR increment would produce NaN or Infinity")
    reply = conn.call("INCRBYFLOAT", "k", "1")
    assert (reply.value[:21], len(reply.value)) == (b"100000000000000000000", 311)
