"""The client-side RESP parser keeps wire types and bytes; the server-side request parser matches Redis's rules."""
from __future__ import annotations

import pytest

from forkdiff.resp import ProtocolError, ReplyParser, encode_command
from forkdiff.types import Kind, Reply, array, bulk, integer
from reference_server.protocol import ProtocolViolation, RequestParser, split_args
from reference_server.replies import NULL_ARRAY, Bool, Double, Err, Map, RSet, Verbatim, format_double, to_bytes


def parse_all(data: bytes, chunk: int = 1) -> list[Reply]:
    p, out = ReplyParser(), []
    for i in range(0, len(data), chunk):
        p.feed(data[i:i + chunk])
        while (r := p.get()) is not None:
            out.append(r)
    return out


def test_reply_parser_keeps_types_fed_byte_by_byte():
    data = b"+OK\r\n$3\r\nabc\r\n:-5\r\n*2\r\n$1\r\na\r\n:1\r\n%1\r\n+k\r\n,1.5\r\n~1\r\n#t\r\n_\r\n=7\r\ntxt:abc\r\n"
    got = parse_all(data)
    assert [r.kind for r in got] == [Kind.SIMPLE, Kind.BULK, Kind.INTEGER, Kind.ARRAY, Kind.MAP, Kind.SET,
                                     Kind.NULL, Kind.VERBATIM]
    assert got[3] == array(bulk("a"), integer(1))
    assert got[4].value[0][1].value == 1.5
    assert got[7].value == ("txt", b"abc")
    assert b"".join(r.raw for r in got) == data


def test_reply_parser_nulls_keep_their_raw_form():
    got = parse_all(b"$-1\r\n*-1\r\n_\r\n", chunk=100)
    assert [r.kind for r in got] == [Kind.NULL] * 3
    assert [r.raw for r in got] == [b"$-1\r\n", b"*-1\r\n", b"_\r\n"]


@pytest.mark.parametrize("bad", [b"?x\r\n", b"$-7\r\n", b":abc\r\n", b"$1\r\nabXX"])
def test_reply_parser_rejects_garbage(bad):
    p = ReplyParser()
    p.feed(bad)
    with pytest.raises(ProtocolError):
        p.get()


def test_reply_json_round_trip():
    r = parse_all(b"*3\r\n$2\r\n\xff\x00\r\n%1\r\n+a\r\n,inf\r\n=5\r\ntxt:x\r\n", chunk=100)[0]
    assert Reply.from_json(r.to_json()) == r


def test_request_parser_multibulk_inline_and_split_reads():
    p = RequestParser()
    stream = encode_command([b"SET", b"k", b"v\r\nx"]) + b"PING\r\n" + encode_command([b"GET", b"k"])
    got = []
    for b in stream:
        p.feed(bytes([b]))
        got += p.parse()
    assert got == [[b"SET", b"k", b"v\r\nx"], [b"PING"], [b"GET", b"k"]]


@pytest.mark.parametrize("data,error", [
    (b"*1\r\n$-1\r\n", "invalid bulk length"),
    (b"*1\r\n$600000000\r\n", "invalid bulk length"),
    (b"*-1x\r\n", "invalid multibulk length"),
    (b"*1\r\n+x\r\n", "expected '$', got '+'"),
])
def test_request_parser_errors(data, error):
    p = RequestParser()
    p.feed(data)
    with pytest.raises(ProtocolViolation, match=error.replace("$", r"\$").replace("+", r"\+")):
        p.parse()


def test_request_parser_does_not_allocate_for_claimed_lengths():
    p = RequestParser()
    p.feed(b"*1\r\n$500000000\r\nabc")
    assert p.parse() == []
    assert p.pending < 100


def test_split_args_quotes_and_escapes():
    assert split_args(b'set "a\\x41\\n" \'it\\\'s\'') == [b"set", b"aA\n", b"it's"]
    assert split_args(b'"unterminated') is None
    assert split_args(b'"closed"glued') is None
    assert split_args(b"   ") == []


def test_reply_encoding_per_protocol():
    value = [Map([(b"a", Double(1.5))]), RSet([1]), None, NULL_ARRAY, Bool(1), Verbatim(b"hi"), Err("ERR x"), "OK"]
    assert to_bytes(value, 2) == (b"*8\r\n*2\r\n$1\r\na\r\n$3\r\n1.5\r\n*1\r\n:1\r\n$-1\r\n*-1\r\n:1\r\n"
                                  b"$2\r\nhi\r\n-ERR x\r\n+OK\r\n")
    assert to_bytes(value, 3) == (b"*8\r\n%1\r\n$1\r\na\r\n,1.5\r\n~1\r\n:1\r\n_\r\n_\r\n#t\r\n"
                                  b"=6\r\ntxt:hi\r\n-ERR x\r\n+OK\r\n")


def test_format_double_specials():
    assert format_double(float("inf")) == b"inf"
    assert format_double(float("-inf")) == b"-inf"
    assert format_double(3.0) == b"3"
    assert format_double(0.1) == b"0.1"
