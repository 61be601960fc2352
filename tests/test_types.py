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
