"""Malformed input: Redis's protocol errors, the connection closed after them, the server still serving others."""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, simple

from .asserts import assert_error, assert_reply

pytestmark = pytest.mark.resp(2)

CASES = [
    (b"*1\r\nx\r\n", "ERR Protocol error: expected '$', got 'x'"),
    (b"*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$1073741824\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*abc\r\n", "ERR Protocol error: invalid multibulk length"),
    (b"*4294967296\r\n", "ERR Protocol error: invalid multibulk length"),
    (b'SET a "b\r\n', "ERR Protocol error: unbalanced quotes in request"),
    (b"SET a 'b'c\r\n", "ERR Protocol error: unbalanced quotes in request"),
    (b"*" + b"1" * 70000, "ERR Protocol error: too big mbulk count string"),
    (b"*1\r\n$" + b"1" * 70000, "ERR Protocol error: too big bulk count string"),
    (b"A" * 70000, "ERR Protocol error: too big inline request"),
]


@pytest.mark.command("ping")
@pytest.mark.parametrize("data,message", CASES, ids=[m.split(": ", 1)[1] for _, m in CASES])
def test_protocol_error_then_close(conn, connect_client, data, message):
    conn.send_raw(data)
    assert_error(conn.read_reply(), message)
    assert conn.is_closed(), "the server must close the connection after a protocol error"
    assert_reply(connect_client().call("PING"), simple("PONG"))


@pytest.mark.command("ping")
def test_protocol_commands_before_the_error_are_answered(conn):
    conn.send_raw(b"PING\r\n*1\r\n$4\r\nPING\r\n*1\r\nx\r\n")
    assert_reply(conn.read_reply(), simple("PONG"))
    assert_reply(conn.read_reply(), simple("PONG"))
    assert_error(conn.read_reply(), "ERR Protocol error: expected '$', got 'x'")
    assert conn.is_closed()


@pytest.mark.command("ping")
def test_protocol_huge_bulk_claim_does_not_block_others(conn, connect_client):
    """A client claims a 400 MB argument and sends a little: nothing is allocated up front, others are served."""
    conn.send_raw(b"*2\r\n$4\r\nECHO\r\n$400000000\r\nabc")
    other = connect_client()
    assert_reply(other.call("PING"), simple("PONG"))
    assert conn.read_reply(timeout=0.3).kind is Kind.TIMEOUT


@pytest.mark.command("ping")
def test_protocol_inline_commands_and_empty_lines(conn):
    conn.send_raw(b"\r\n\r\nPING\r\n   \r\nECHO \"a b\\x41\" \r\n*0\r\nPING\n")
    assert_reply(conn.read_reply(), simple("PONG"))
    assert conn.read_reply().value == b"a bA"
    assert_reply(conn.read_reply(), simple("PONG"))


@pytest.mark.command("ping")
def test_protocol_garbage_bytes(conn, connect_client):
    conn.send_raw(b"\xff\xfe garbage \x01\r\n")
    assert_error(conn.read_reply(), "ERR unknown command '\udcff\udcfe', with args beginning with: 'garbage' '\x01' ")
    assert_reply(connect_client().call("PING"), simple("PONG"))


@pytest.mark.command("ping")
def test_protocol_nul_byte_hides_the_line_end(conn, connect_client):
    """Redis looks for the line end with strchr, which stops at a NUL byte: the request waits for more input."""
    conn.send_raw(b"\x00PING\r\n")
    assert conn.read_reply(timeout=0.3).kind is Kind.TIMEOUT
    assert_reply(connect_client().call("PING"), simple("PONG"))
    conn.send_raw(b"\x00" * 70000)
    assert_error(conn.read_reply(), "ERR Protocol error: too big inline request")
    assert conn.is_closed()


@pytest.mark.command("ping")
def test_protocol_error_texts_cut_arguments_at_nul(conn):
    """Redis formats arguments into error texts as C strings: a NUL byte ends the argument."""
    assert_error(conn.call(b"fo\x00o", b"a\x00b", b"c"), "ERR unknown command 'fo', with args beginning with: 'a' 'c' ")
    assert_error(conn.call("CONFIG", b"x\x00y"), "ERR unknown subcommand 'x'. Try CONFIG HELP.")
