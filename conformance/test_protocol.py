"""The request parser: what Redis 8.2.3 answers to every kind of well- and ill-formed input, and whether the
connection stays open afterwards.

Each case sends raw bytes and expects Redis's exact reply bytes, then either "open" (nothing more arrives and the
connection still serves) or "closed". The branches of Redis's parser (networking.c: readQueryFromClient,
processInputBuffer, processMultibulkBuffer, processInlineBuffer; processCommand's cross-protocol guard) and the
cases that reach them:

Request type
  first byte '*' is multibulk, anything else inline, decided per request ........ mixed_inline_and_multibulk
Multibulk header (`*<count>\\r\\n`)
  no CR yet: wait; the header completed by a later read ............................ header_split_across_reads
  no CR within 64 KB: "too big mbulk count string" ................................. error_then_close[mbulk-too-big]
  CR is the last byte read: wait for one more byte ................................. header_split_across_reads
  the byte after CR is not checked to be LF ........................................ frame[mbulk-cr-then-any-byte]
  `*2\\r\\r\\n`: the LF left over starts the first bulk header ......................... frame[mbulk-cr-cr-lf]
  LF without CR: the count runs to the next CR and is invalid ...................... frame[mbulk-lf-only]
  count not a plain decimal (sign +, leading 0, -0, empty, space, letters) ........ frame[mbulk-plus...mbulk-letters]
  count above INT_MAX, above LLONG_MAX: invalid; INT_MAX itself waits .............. frame[mbulk-int-max*], [mbulk-llong]
  count <= 0 (`*0`, `*-1`, `*-5`): an empty request, no reply ....................... frame[mbulk-zero...]
  NUL before the CR: the CR is not seen (strchr), the request waits ................ frame[mbulk-nul]
  count above 10 before AUTH: "unauthenticated multibulk length"; 10 waits ......... limits_before_auth
Bulk header (`$<len>\\r\\n`)
  no CR within 64 KB: "too big bulk count string" .................................. error_then_close[bulk-too-big]
  first byte not '$' (a letter, '*', CR, LF shown as a space) ...................... frame[bulk-expected-*]
  the byte after CR is not checked to be LF ........................................ frame[bulk-cr-then-any-byte]
  LF without CR ..................................................................... frame[bulk-lf-only]
  length not a plain decimal, negative, above proto-max-bulk-len, above LLONG_MAX .. frame[bulk-plus...bulk-llong]
  proto-max-bulk-len itself waits ................................................... frame[bulk-max]
  NUL before the CR: waits .......................................................... frame[bulk-nul]
  length above 16384 before AUTH: "unauthenticated bulk length"; 16384 waits ....... limits_before_auth
  a big argument (>= 32 KB) read in pieces, also with a body longer than declared ... big_argument_in_pieces
Bulk body
  shorter than declared: waits, and the next bytes become the rest of the body ...... body_shorter_takes_next_bytes
  longer than declared: the declared bytes are the argument, the 2 bytes after them
  are skipped unchecked, the rest is parsed as the next request .................... frame[body-longer-*]
  binary body (CR, LF, NUL inside), empty body ...................................... frame[body-binary], [body-empty]
Inline requests
  no LF within 64 KB: "too big inline request" ..................................... error_then_close[inline-too-big]
  LF alone, CRLF, CR CR LF end a line .............................................. frame[inline-lf...]
  empty and blank lines: no reply .................................................. frame[inline-empty-lines]
  NUL in the line: the LF is not seen, the request waits ............................ frame[inline-nul]
  tabs separate arguments; a quote inside a word is kept ............................ frame[inline-tab], [inline-quote-in-word]
  double quotes: \\xHH, \\n \\r \\t \\b \\a, \\" escapes; a bad \\x and unknown escapes are
  the letter itself .................................................................. frame[inline-escapes...]
  single quotes: only \\' is an escape ............................................... frame[inline-single-quotes]
  closing quote glued to more text, unterminated quote: "unbalanced quotes" ........ error_then_close[unbalanced-*]
  bytes that are no command: unknown command, connection open ....................... garbage_bytes
  a NUL cuts arguments in error texts ................................................ error_texts_cut_arguments_at_nul
Cross-protocol guard (processCommand)
  a request named POST or Host: closes without a reply, losing earlier replies ..... frame[http-*]
Query buffer limits (readQueryFromClient)
  input beyond client-query-buffer-limit: closed without a reply ................... query_buffer_limit
  arguments queued by MULTI count toward the limit ................................. query_buffer_limit_counts_multi_queue
  1 MB before AUTH: not reachable by a client: before AUTH a request holds at most
  10 arguments of 16 KB and an inline line 64 KB, and Redis reads 16 KB at a time
Pipelines
  requests before a protocol error are answered, the error is last, nothing after it
  runs ............................................................................... pipeline_stops_at_the_error
  a frame that parses as another request does not close the connection ............. frame[pipeline-*]
  AUTH in the same read changes the limits of the next request ..................... limits_before_auth
  a huge declared length allocates nothing and blocks nobody ........................ huge_bulk_claim_does_not_block_others
"""
from __future__ import annotations

import time

import pytest

from forkdiff.client import Connection
from forkdiff.types import Kind, simple

from .asserts import assert_error, assert_ok, assert_reply

pytestmark = [pytest.mark.resp(2), pytest.mark.command("ping")]

OPEN, CLOSED = "<open>", "<closed>"
QUIET_S = 0.3  # nothing more within this time: the server is waiting for input
PIECE_GAP_S = 0.05  # pieces sent this far apart reach the server in reads of their own
PASSWORD = "proto-pw"
PONG = b"+PONG\r\n"
INVALID_MBULK = b"-ERR Protocol error: invalid multibulk length\r\n"
INVALID_BULK = b"-ERR Protocol error: invalid bulk length\r\n"
UNBALANCED = b"-ERR Protocol error: unbalanced quotes in request\r\n"


def exchange(conn: Connection, *pieces: bytes) -> list:
    """Send the pieces (each in a read of its own) and collect every reply's bytes, then OPEN or CLOSED."""
    for i, piece in enumerate(pieces):
        if i:
            time.sleep(PIECE_GAP_S)
        conn.send_raw(piece)
    got: list = []
    while True:
        reply = conn.read_reply(QUIET_S)
        if reply.kind is Kind.TIMEOUT:
            return got + [OPEN]
        if reply.kind is Kind.CLOSED:
            return got + [CLOSED]
        got.append(reply.raw)


def expected_dollar(byte: str) -> bytes:
    return b"-ERR Protocol error: expected '$', got '%s'\r\n" % byte.encode()


ECHO = b"*2\r\n$4\r\nECHO\r\n"
FRAMES = {
    # multibulk header
    "mbulk-cr-then-any-byte": (b"*1\rX$4\r\nPING\r\n", [PONG, OPEN]),
    "mbulk-cr-cr-lf": (b"*2\r\r\n$4\r\nECHO\r\n$1\r\na\r\n", [expected_dollar(" "), CLOSED]),
    "mbulk-lf-only": (b"*1\n$4\r\nPING\r\n", [INVALID_MBULK, CLOSED]),
    "mbulk-plus": (b"*+1\r\n$4\r\nPING\r\n", [INVALID_MBULK, CLOSED]),
    "mbulk-leading-zero": (b"*01\r\n$4\r\nPING\r\n", [INVALID_MBULK, CLOSED]),
    "mbulk-minus-zero": (b"*-0\r\n", [INVALID_MBULK, CLOSED]),
    "mbulk-empty": (b"*\r\n", [INVALID_MBULK, CLOSED]),
    "mbulk-space-before": (b"* 1\r\n", [INVALID_MBULK, CLOSED]),
    "mbulk-space-after": (b"*1 \r\n$4\r\nPING\r\n", [INVALID_MBULK, CLOSED]),
    "mbulk-letters": (b"*abc\r\n", [INVALID_MBULK, CLOSED]),
    "mbulk-int-max": (b"*2147483647\r\n", [OPEN]),
    "mbulk-int-max-plus-one": (b"*2147483648\r\n", [INVALID_MBULK, CLOSED]),
    "mbulk-above-uint32": (b"*4294967296\r\n", [INVALID_MBULK, CLOSED]),
    "mbulk-llong": (b"*9223372036854775808\r\n", [INVALID_MBULK, CLOSED]),
    "mbulk-zero": (b"*0\r\nPING\r\n", [PONG, OPEN]),
    "mbulk-minus-one": (b"*-1\r\nPING\r\n", [PONG, OPEN]),
    "mbulk-minus-five": (b"*-5\r\nPING\r\n", [PONG, OPEN]),
    "mbulk-nul": (b"*\x001\r\n$4\r\nPING\r\n", [OPEN]),
    # bulk header
    "bulk-expected-letter": (b"*1\r\nx\r\n", [expected_dollar("x"), CLOSED]),
    "bulk-expected-star": (b"*1\r\n*1\r\n", [expected_dollar("*"), CLOSED]),
    "bulk-expected-cr": (b"*1\r\n\r\r\n", [expected_dollar(" "), CLOSED]),
    "bulk-expected-lf": (b"*1\r\n\n$4\r\nPING\r\n", [expected_dollar(" "), CLOSED]),
    "bulk-cr-then-any-byte": (b"*1\r\n$4\rXPING\r\n", [PONG, OPEN]),
    "bulk-lf-only": (b"*1\r\n$4\nPING\r\n", [INVALID_BULK, CLOSED]),
    "bulk-plus": (b"*1\r\n$+4\r\nPING\r\n", [INVALID_BULK, CLOSED]),
    "bulk-leading-zero": (b"*1\r\n$04\r\nPING\r\n", [INVALID_BULK, CLOSED]),
    "bulk-minus-zero": (b"*1\r\n$-0\r\n", [INVALID_BULK, CLOSED]),
    "bulk-empty": (b"*1\r\n$\r\n", [INVALID_BULK, CLOSED]),
    "bulk-space": (b"*1\r\n$4 \r\n", [INVALID_BULK, CLOSED]),
    "bulk-letters": (b"*1\r\n$abc\r\n", [INVALID_BULK, CLOSED]),
    "bulk-negative": (b"*1\r\n$-5\r\n", [INVALID_BULK, CLOSED]),
    "bulk-null": (b"*1\r\n$-1\r\n", [INVALID_BULK, CLOSED]),
    "bulk-max": (b"*1\r\n$536870912\r\n", [OPEN]),
    "bulk-above-max": (b"*1\r\n$536870913\r\n", [INVALID_BULK, CLOSED]),
    "bulk-above-1gb": (b"*1\r\n$1073741824\r\n", [INVALID_BULK, CLOSED]),
    "bulk-llong": (b"*1\r\n$9223372036854775808\r\n", [INVALID_BULK, CLOSED]),
    "bulk-nul": (b"*1\r\n\x00$4\r\nPING\r\n", [OPEN]),
    # bulk body
    "body-longer-by-two": (b"*1\r\n$4\r\nPINGXYPING\r\n", [PONG, PONG, OPEN]),
    "body-longer-by-one": (b"*1\r\n$3\r\nPINGX\r\nPING\r\n",
                           [b"-ERR unknown command 'PIN', with args beginning with: \r\n", PONG, OPEN]),
    "body-longer-lf-left": (ECHO + b"$1\r\nab\r\nPING\r\n", [b"$1\r\na\r\n", PONG, OPEN]),
    "body-longer-in-header": (ECHO + b"$1\r\nabc\r\n", [b"$1\r\na\r\n", OPEN]),
    "body-binary": (ECHO + b"$6\r\na\r\n\x00b\n\r\n", [b"$6\r\na\r\n\x00b\n\r\n", OPEN]),
    "body-empty": (ECHO + b"$0\r\n\r\n", [b"$0\r\n\r\n", OPEN]),
    # inline
    "inline-lf": (b"PING\n", [PONG, OPEN]),
    "inline-cr-cr-lf": (b"PING\r\r\n", [PONG, OPEN]),
    "inline-empty-lines": (b"\r\n\n   \r\n\t\r\nPING\r\n", [PONG, OPEN]),
    "inline-nul": (b"ECHO a\x00b\r\n", [OPEN]),
    "inline-tab": (b"ECHO\ta\r\n", [b"$1\r\na\r\n", OPEN]),
    "inline-quote-in-word": (b'ECHO a"b"\r\n', [b"$2\r\nab\r\n", OPEN]),
    "inline-escapes": (b'ECHO "a\\r\\n\\t\\b\\a\\"\\x41\\x00"\r\n', [b'$9\r\na\r\n\t\x08\x07"A\x00\r\n', OPEN]),
    "inline-escapes-bad-hex": (b'ECHO "a\\x4" "\\xzz"\r\n', [b"-ERR wrong number of arguments for 'echo' command\r\n",
                                                            OPEN]),
    "inline-escapes-short-hex": (b'ECHO "a\\x4"\r\n', [b"$3\r\nax4\r\n", OPEN]),
    "inline-escapes-unknown": (b'ECHO "a\\qb"\r\n', [b"$3\r\naqb\r\n", OPEN]),
    "inline-single-quotes": (b"ECHO 'a\\'b\\n'\r\n", [b"$5\r\na'b\\n\r\n", OPEN]),
    # cross-protocol guard
    "http-post": (b"POST / HTTP/1.1\r\n", [CLOSED]),
    "http-host": (b"Host: 127.0.0.1\r\n", [CLOSED]),
    "http-after-a-command": (b"PING\r\nPOST / HTTP/1.1\r\nPING\r\n", [CLOSED]),
    "http-lowercase-multibulk": (b"*1\r\n$4\r\npost\r\n", [CLOSED]),
    # pipelines
    "pipeline-mixed": (b"PING\r\n*1\r\n$4\r\nPING\r\n*x\r\nPING\r\n", [PONG, PONG, INVALID_MBULK, CLOSED]),
    "pipeline-longer-body-then-valid": (b"*1\r\n$4\r\nPING\r\n*1\r\n$3\r\nPINGX\r\nPING\r\n",
                                        [PONG, b"-ERR unknown command 'PIN', with args beginning with: \r\n", PONG,
                                         OPEN]),
}


@pytest.mark.parametrize("data,expected", FRAMES.values(), ids=FRAMES.keys())
def test_protocol_frame(conn, data, expected):
    assert exchange(conn, data) == expected


ERRORS = {
    "unbalanced-double": (b'SET a "b\r\n', UNBALANCED),
    "unbalanced-single": (b"SET a 'b\r\n", UNBALANCED),
    "unbalanced-glued-double": (b'ECHO "a"b\r\n', UNBALANCED),
    "unbalanced-glued-single": (b"SET a 'b'c\r\n", UNBALANCED),
    "mbulk-too-big": (b"*" + b"1" * 70000, b"-ERR Protocol error: too big mbulk count string\r\n"),
    "bulk-too-big": (b"*1\r\n$" + b"1" * 70000, b"-ERR Protocol error: too big bulk count string\r\n"),
    "inline-too-big": (b"A" * 70000, b"-ERR Protocol error: too big inline request\r\n"),
}


@pytest.mark.parametrize("data,error", ERRORS.values(), ids=ERRORS.keys())
def test_protocol_error_then_close(conn, connect_client, data, error):
    assert exchange(conn, data) == [error, CLOSED]
    assert_reply(connect_client().call("PING"), simple("PONG"))


def test_protocol_header_split_across_reads(conn):
    assert exchange(conn, b"*", b"1\r", b"\n$4\r", b"\nPI", b"NG\r\n") == [PONG, OPEN]
    assert exchange(conn, b"PI", b"NG\r", b"\n") == [PONG, OPEN]


def test_protocol_mixed_inline_and_multibulk(conn):
    data = b"ECHO a\r\n*2\r\n$4\r\nECHO\r\n$1\r\nb\r\nECHO c\n*1\r\n$4\r\nPING\r\n"
    assert exchange(conn, data) == [b"$1\r\na\r\n", b"$1\r\nb\r\n", b"$1\r\nc\r\n", PONG, OPEN]


def test_protocol_body_shorter_takes_next_bytes(conn):
    """The body is "ab\\r"; it waits for the two bytes after it, so the next read's LF and P are skipped unchecked
    and "ING" is an inline request."""
    assert exchange(conn, ECHO + b"$3\r\nab\r\n") == [OPEN]
    assert exchange(conn, b"PING\r\n") == [b"$3\r\nab\r\r\n",
                                           b"-ERR unknown command 'ING', with args beginning with: \r\n", OPEN]


def test_protocol_big_argument_in_pieces(conn):
    big = bytes(range(256)) * 160  # 40,960 bytes: Redis's big-argument path (>= 32 KB)
    header = ECHO + b"$%d\r\n" % len(big)
    assert exchange(conn, header + big[:1000], big[1000:30000], big[30000:] + b"\r\n") == [
        b"$%d\r\n%s\r\n" % (len(big), big), OPEN]
    assert exchange(conn, header + big + b"XYPING\r\n") == [b"$%d\r\n%s\r\n" % (len(big), big), PONG, OPEN]


def test_protocol_pipeline_stops_at_the_error(conn, connect_client):
    data = b"SET k 1\r\n*1\r\n$x\r\nSET k 2\r\n*3\r\n$3\r\nSET\r\n$1\r\nj\r\n$1\r\n1\r\n"
    assert exchange(conn, data) == [b"+OK\r\n", INVALID_BULK, CLOSED]
    other = connect_client()
    assert other.call("GET", "k").value == b"1"
    assert other.call("EXISTS", "j").value == 0


def test_protocol_huge_bulk_claim_does_not_block_others(conn, connect_client):
    """A client claims a 400 MB argument and sends a little: nothing is allocated up front, others are served."""
    conn.send_raw(b"*2\r\n$4\r\nECHO\r\n$400000000\r\nabc")
    assert_reply(connect_client().call("PING"), simple("PONG"))
    assert conn.read_reply(timeout=QUIET_S).kind is Kind.TIMEOUT


def test_protocol_garbage_bytes(conn, connect_client):
    conn.send_raw(b"\xff\xfe garbage \x01\r\n")
    assert_error(conn.read_reply(), "ERR unknown command '\udcff\udcfe', with args beginning with: 'garbage' '\x01' ")
    assert_reply(connect_client().call("PING"), simple("PONG"))


def test_protocol_nul_byte_hides_the_line_end(conn, connect_client):
    """Redis looks for the line end with strchr, which stops at a NUL byte: the request waits for more input."""
    assert exchange(conn, b"\x00PING\r\n") == [OPEN]
    assert_reply(connect_client().call("PING"), simple("PONG"))
    assert exchange(conn, b"\x00" * 70000) == [b"-ERR Protocol error: too big inline request\r\n", CLOSED]


def test_protocol_error_texts_cut_arguments_at_nul(conn):
    """Redis formats arguments into error texts as C strings: a NUL byte ends the argument."""
    assert_error(conn.call(b"fo\x00o", b"a\x00b", b"c"), "ERR unknown command 'fo', with args beginning with: 'a' 'c' ")
    assert_error(conn.call("CONFIG", b"x\x00y"), "ERR unknown subcommand 'x'. Try CONFIG HELP.")


# -- limits --------------------------------------------------------------------------------------------------------
@pytest.fixture
def password(connect_client):
    """requirepass for the duration of the case; connections already open stay logged in."""
    admin = connect_client()
    assert_ok(admin.call("CONFIG", "SET", "requirepass", PASSWORD))
    try:
        yield PASSWORD
    finally:
        admin.call("CONFIG", "SET", "requirepass", "")


UNAUTH = {
    "ten-arguments": (b"*10\r\n", [OPEN]),
    "eleven-arguments": (b"*11\r\n", [b"-ERR Protocol error: unauthenticated multibulk length\r\n", CLOSED]),
    "bulk-16384": (b"*1\r\n$16384\r\n", [OPEN]),
    "bulk-16385": (b"*1\r\n$16385\r\n", [b"-ERR Protocol error: unauthenticated bulk length\r\n", CLOSED]),
    "inline-many-arguments": (b"PING " + b"a " * 20 + b"\r\n", [b"-NOAUTH Authentication required.\r\n", OPEN]),
    "auth-then-eleven": (b"AUTH %s\r\n*11\r\n" % PASSWORD.encode(), [b"+OK\r\n", OPEN]),
    "wrong-auth-then-eleven": (b"AUTH nope\r\n*11\r\n",
                               [b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
                                b"-ERR Protocol error: unauthenticated multibulk length\r\n", CLOSED]),
}


@pytest.mark.parametrize("data,expected", UNAUTH.values(), ids=UNAUTH.keys())
def test_protocol_limits_before_auth(raw_client, password, data, expected):
    assert exchange(raw_client(), data) == expected


def test_protocol_query_buffer_limit(conn, raw_client, config):
    config("client-query-buffer-limit", "1mb")
    under = b"z" * 1_000_000
    assert exchange(raw_client(), ECHO + b"$%d\r\n%s\r\n" % (len(under), under)) == [
        b"$%d\r\n%s\r\n" % (len(under), under), OPEN]
    over = b"z" * 1_100_000
    assert exchange(raw_client(), ECHO + b"$%d\r\n%s\r\n" % (len(over), over)) == [CLOSED]


def test_protocol_query_buffer_limit_counts_multi_queue(conn, raw_client, config):
    config("client-query-buffer-limit", "1mb")
    value = b"v" * 600_000
    set_k = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n%s\r\n" % (len(value), value)
    assert exchange(raw_client(), b"MULTI\r\n" + set_k + set_k + b"EXEC\r\n") == [b"+OK\r\n", b"+QUEUED\r\n", CLOSED]
    assert exchange(raw_client(), b"MULTI\r\n" + set_k + b"EXEC\r\n") == [b"+OK\r\n", b"+QUEUED\r\n",
                                                                           b"*1\r\n+OK\r\n", OPEN]
