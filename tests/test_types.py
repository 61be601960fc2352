"""Commands and replies: raw bytes end to end, JSON round trips, redis-cli rendering."""
from __future__ import annotations

from forkdiff.types import Command, Kind, Reply, array, bulk, render


def test_command_json_round_trip_with_binary():
    cmd = Command.of("SET", b"\xff\x00key", 12, 1.5)
    assert cmd.args == (b"SET", b"\xff\x00key", b"12", b"1.5")
    assert Command.from_json(cmd.to_json()) == cmd


def test_command_renders_as_redis_cli_line():
    assert str(Command.of("SET", "a b", 'q"uote', b"\x01")) == 'SET "a b" "q\\"uote" "\\x01"'
    assert str(Command.of("GET", "")) == 'GET ""'


def test_reply_equality_ignores_raw_but_not_kind():
    assert Reply(Kind.BULK, b"x", b"$1\r\nx\r\n") == bulk("x")
    assert Reply(Kind.SIMPLE, "x") != Reply(Kind.BULK, b"x")


def test_render_nested():
    text = render(array(bulk("a"), array(bulk("b"))))
    assert text.splitlines()[0] == '1) a'
    assert "b" in text.splitlines()[1]


def test_reply_equality_keeps_the_null_kind():
    from forkdiff.resp import ReplyParser
    from forkdiff.types import NULL, NULL_ARRAY

    def parsed(data: bytes):
        p = ReplyParser()
        p.feed(data)
        return p.get()

    assert parsed(b"$-1\r\n") == NULL and parsed(b"$-1\r\n") != NULL_ARRAY
    assert parsed(b"*-1\r\n") == NULL_ARRAY and parsed(b"*-1\r\n") != NULL
    assert parsed(b"_\r\n") == NULL and parsed(b"_\r\n") == NULL_ARRAY


def test_reply_equality_compares_a_doubles_text():
    from forkdiff.resp import ReplyParser
    from forkdiff.types import double, double_text

    p = ReplyParser()
    p.feed(b",1.50\r\n,inf\r\n,1.5\r\n")
    padded, inf, plain_ = p.get(), p.get(), p.get()
    assert padded != double(1.5) and plain_ == double(1.5) and plain_ == double("1.5")
    assert inf == double(float("inf")) and double("Inf") != inf
    assert [double_text(x) for x in (3.0, 2.682209014892578e-6, 1e-5, 5e18, -0.0)] == \
        ["3", "2.682209014892578e-6", "0.00001", "5e+18", "-0"]
