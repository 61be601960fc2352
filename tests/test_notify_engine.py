"""Keyspace notifications with a manual clock: the class filter, and "expired" from lazy and active expiry."""
from __future__ import annotations

import pytest

from reference_server.engine import Engine
from reference_server.notify import enabled
from reference_server.replies import Push, Pushes


@pytest.mark.parametrize("setting,event_class,expected", [
    ("AKE", "g", True), ("AKE", "n", False), ("AKE", "m", False), ("Kn", "n", True), ("g$", "g", False),
    ("E$", "g", False), ("E$", "$", True), ("", "g", False)])
def test_enabled(setting, event_class, expected):
    assert enabled(setting, event_class) is expected


@pytest.fixture
def setup():
    now = [1_000_000]
    engine = Engine(clock=lambda: now[0])
    actor, listener = engine.new_client(), engine.new_client()
    received = []
    listener.deliver = received.append
    run = lambda client, *a: engine.execute(client, [str(x).encode() for x in a])  # noqa: E731
    run(listener, "PSUBSCRIBE", "__keyevent@*__:expired")
    run(actor, "CONFIG", "SET", "notify-keyspace-events", "Ex")
    run(actor, "SET", "k", "v", "PX", 10)
    now[0] += 11
    return engine, run, actor, received


def test_expired_on_lookup(setup):
    engine, run, actor, received = setup
    assert run(actor, "GET", "k") is None
    assert received == [Push([b"pmessage", b"__keyevent@*__:expired", b"__keyevent@0__:expired", b"k"])]


def test_expired_in_active_cycle(setup):
    engine, run, actor, received = setup
    assert engine.active_expire_cycle() == 1
    assert [m[3] for m in received] == [b"k"]


def test_own_lazy_expiry_follows_the_reply(setup):
    engine, run, actor, received = setup
    actor.resp = 3
    run(actor, "PSUBSCRIBE", "__keyevent@*__:expired")
    got = run(actor, "GET", "k")
    assert got == Pushes([None, Push([b"pmessage", b"__keyevent@*__:expired", b"__keyevent@0__:expired", b"k"])])
    assert [m[3] for m in received] == [b"k"]  # another subscriber hears it at once


def test_own_writes_in_exec_follow_the_whole_exec(setup):
    engine, run, actor, received = setup
    run(actor, "CONFIG", "SET", "notify-keyspace-events", "E$")
    actor.resp = 3
    run(actor, "SUBSCRIBE", "__keyevent@0__:set")
    run(actor, "MULTI")
    run(actor, "SET", "a", "1")
    run(actor, "SET", "b", "1")
    got = run(actor, "EXEC")
    assert type(got) is Pushes and got[0] == ["OK", "OK"]
    assert [m[2] for m in got[1:]] == [b"a", b"b"]


def test_active_expiry_reaches_the_last_client_at_once(setup):
    engine, run, actor, received = setup
    mine = []
    actor.deliver = mine.append
    run(actor, "PSUBSCRIBE", "__keyevent@*__:expired")
    assert engine.active_expire_cycle() == 1  # no command is running: nobody's reply to wait for
    assert [m[3] for m in mine] == [b"k"]
