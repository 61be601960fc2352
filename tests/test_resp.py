"""The client-side RESP parser keeps wire types and bytes; the server-side request parser matches Redis's rules."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from adapters.binary import BinaryTarget
from adapters.catalogue import BINARIES
from forkdiff.client import connect
from forkdiff.resp import ProtocolError, ReplyParser, encode_command, is_out_of_band
from forkdiff.types import Command, Kind, Reply, array, bulk, integer, simple
from reference_server.protocol import (CROSS_PROTOCOL, ProtocolViolation, QueryBufferLimit, RequestParser,
                                      request_size, split_args)
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


# Captured from Redis 8.2.3 in RESP3 with tracking on: an invalidation push that arrived between commands, then
# the replies to DEBUG PROTOCOL attrib, PING, GET k, DEBUG PROTOCOL push, PING.
CAPTURED = (b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"
            b"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
            b"$39\r\nSome real reply following the attribute\r\n+PONG\r\n$1\r\n1\r\n"
            b"$40\r\nSome real reply following the push reply\r\n>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n+PONG\r\n")
POPULARITY = Reply(Kind.ATTRIBUTE, ((bulk("key-popularity"), array(bulk("key:123"), integer(90))),))


def test_attribute_belongs_to_the_reply_after_it():
    got = parse_all(CAPTURED, chunk=7)
    assert len(got) == 7  # two pushes, five replies: the attribute is no reply of its own
    assert got[1] == Reply(Kind.BULK, b"Some real reply following the attribute", attributes=POPULARITY)
    assert got[1].attributes.raw.startswith(b"|1\r\n") and got[1].raw.startswith(b"$39\r\n")
    assert got[2:4] == [simple("PONG"), bulk("1")]
    assert b"".join(r.wire for r in got) == CAPTURED


def test_attribute_inside_an_aggregate_attaches_to_the_element():
    data = b"*2\r\n:1\r\n|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n+next\r\n"
    first, second = parse_all(data)
    assert first.value[1] == Reply(Kind.BULK, b"v", attributes=Reply(Kind.ATTRIBUTE, ((simple("ttl"), integer(3)),)))
    assert first.raw == data[:-7] and second == simple("next")


def test_pushes_come_in_stream_order_and_only_answers_pair_with_commands():
    got = parse_all(CAPTURED)
    assert [is_out_of_band(r) for r in got] == [True, False, False, False, False, True, False]
    subscribed = parse_all(b">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n")[0]
    assert subscribed.kind is Kind.PUSH and not is_out_of_band(subscribed)


def test_pipeline_sets_pushes_aside_and_attributes_never_shift_replies():
    binary = BINARIES["redis@8.2"].find()
    if binary is None:
        pytest.skip("redis@8.2 is not installed here")
    with BinaryTarget("redis@8.2", str(binary), extra_args=["--enable-debug-command", "yes"]) as target:
        tracked, other = connect(target.address, resp=3), connect(target.address)
        assert tracked.call("CLIENT", "TRACKING", "on") == simple("OK")
        tracked.call("GET", "k")
        assert other.call("SET", "k", "1") == simple("OK")
        commands = [Command.of("DEBUG", "PROTOCOL", "attrib"), Command.of("PING"), Command.of("GET", "k"),
                    Command.of("DEBUG", "PROTOCOL", "push"), Command.of("PING")]
        got = tracked.pipeline(commands)
        assert got[1:3] == [simple("PONG"), bulk("1")] and got[4] == simple("PONG")
        assert got[0].attributes == POPULARITY
        assert [p.value[0].value for p in tracked.pushes] == [b"invalidate", b"server-cpu-usage"]
        assert tracked.read_reply().value[0] == bulk("invalidate")


def test_reply_fed_one_byte_at_a_time_parses_like_one_piece():
    reply = b"*2\r\n%2\r\n+a\r\n~2\r\n:1\r\n,2.5\r\n$5\r\nb\r\nc\x00\r\n|1\r\n+k\r\n#t\r\n=7\r\ntxt:xyz\r\n$-1\r\n"
    whole = parse_all(reply, chunk=len(reply))
    assert parse_all(reply, chunk=1) == whole and len(whole) == 1
    assert parse_all(reply, chunk=1)[0].raw == reply


def _fed_in_pieces(data: bytes, piece: int) -> tuple[list[Reply], int]:
    p, out = ReplyParser(), []
    view = memoryview(data)
    for i in range(0, len(data), piece):
        p.feed(view[i:i + piece])
        while (r := p.get()) is not None:
            out.append(r)
    return out, p.scanned


def test_64mb_bulk_in_many_pieces_is_read_once():
    body = bytes(range(256)) * (1 << 18)  # 64 MB
    data = b"$%d\r\n%s\r\n" % (len(body), body)
    got, scanned = _fed_in_pieces(data, 1 << 16)
    assert len(got) == 1 and got[0].value == body
    assert scanned < 4 * len(data)


def test_many_small_elements_in_pieces_are_parsed_in_linear_steps():
    count = 200_000
    data = b"*%d\r\n" % count + b"".join(b"$6\r\n%06d\r\n:%d\r\n" % (i, i) for i in range(count // 2))
    got, scanned = _fed_in_pieces(data, 1000)
    assert len(got) == 1 and len(got[0].value) == count and got[0].value[-1] == integer(count // 2 - 1)
    assert scanned < 4 * len(data)
    _, scanned_bytewise = _fed_in_pieces(data[:20_000], 1)
    assert scanned_bytewise < 4 * 20_000


def test_long_simple_line_in_pieces_is_searched_once():
    data = b"+" + b"x" * 500_000 + b"\r\n"
    got, scanned = _fed_in_pieces(data, 100)
    assert got == [simple("x" * 500_000)] and scanned < 4 * len(data)


def test_reply_json_round_trip():
    r = parse_all(b"*3\r\n$2\r\n\xff\x00\r\n%1\r\n+a\r\n,inf\r\n=5\r\ntxt:x\r\n", chunk=100)[0]
    assert Reply.from_json(r.to_json()) == r
    with_attributes = parse_all(CAPTURED, chunk=100)[1]
    assert Reply.from_json(with_attributes.to_json()).wire == with_attributes.wire


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


def test_request_parser_stops_at_an_http_request():
    p = RequestParser()
    p.feed(b"PING\r\nPOST / HTTP/1.1\r\nPING\r\n")
    commands, violation = p.parse_until_error()
    assert commands == [[b"PING"]] and violation == CROSS_PROTOCOL


def test_query_buffer_limit_counts_the_multi_queue_as_it_grows():
    limit, queue = QueryBufferLimit(), []
    assert not limit.exceeded(1000, queue, 1500, True)
    queue.append((None, None, [b"SET", b"k", b"v" * 600]))
    assert limit.exceeded(1000, queue, 1500, True) and not limit.exceeded(800, queue, 1500, True)
    assert not limit.exceeded(1000, [], 1500, True)  # the queue emptied by EXEC
    assert limit.exceeded(1024 * 1024 + 1, [], 1 << 30, False)  # 1 MB before AUTH


_PIECES = [b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\nx\r\n", b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", b"PING\r\n",
           b"*1\r\n$4\r\nPING\r\n", b"*0\r\n", b"*-1\r\n", b"*01\r\n$4\r\nPING\r\n", b"*1\r\n$04\r\nPING\r\n",
           b"*1\r\n$0\r\n\r\n", b"*1\r\n$-1\r\n", b"*1\r\n+x\r\n", b"*1\r\n$4\0\r\nPING\r\n", b"*1\0\r\n",
           b"*2\r\n$4\r\nPOST\r\n$1\r\n/\r\n", b"*+1\r\n", b"*1\r\n$ 4\r\nPING\r\n", b"*11\r\n",
           b"*1\r\n$20000\r\n", b"*12\r\n" + b"$1\r\na\r\n" * 12, b"\r\n", b"*1\r\n$99999999999999999999\r\n",
           b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv", b'set "a b" c\r\n', b"*2\r\n$3\r\nGET\r\n$1\r\nkAB",
           b"*1\rX$4\r\nPING\r\n", b"*1\r\n$4\rXPING\r\n", b"*2\r\n$3\r\nGET\r\n$5000\r\n" + b"k" * 5000 + b"\r\n"]


@given(st.lists(st.sampled_from(_PIECES), max_size=8), st.booleans())
@settings(max_examples=400, deadline=None)
def test_request_parser_reads_a_whole_buffer_as_it_reads_byte_by_byte(pieces, authenticated):
    """The one-pass path for whole buffers must take exactly what the byte-at-a-time path (the general one) takes,
    stop at the same error, and count the same argument bytes."""
    stream = b"".join(pieces)
    whole = RequestParser(max_bulk=1 << 20)
    whole.feed(stream)
    limit = 1 << 30 if authenticated else 1
    got, got_error, got_bytes = [], None, 0
    while True:  # one command at a time before AUTH, as the connection asks
        commands, got_error = whole.parse_until_error(authenticated, limit)
        got += commands
        got_bytes += whole.parsed_bytes
        if not commands or got_error is not None:
            break
    single = RequestParser(max_bulk=1 << 20)
    expected, expected_error = [], None
    for byte in stream:
        single.feed(bytes([byte]))
        commands, expected_error = single.parse_until_error(authenticated, limit)
        expected += commands
        if expected_error is not None:
            break
    assert (got, got_error) == (expected, expected_error)
    assert got_bytes == sum(request_size(c) for c in expected)
