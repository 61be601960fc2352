"""CLIENT PAUSE with a manual clock: the engine answers POSTPONED for what a pause holds, and runs it once the pause
is over; UNPAUSE wakes the held clients in the order they were held."""
from __future__ import annotations

import pytest

from reference_server.client_pause import POSTPONED, remaining_ms, wait_for_unpause
from reference_server.engine import Engine


@pytest.fixture
def now():
    return [1_000_000]


@pytest.fixture
def engine(now):
    return Engine(clock=lambda: now[0])


def _run(engine, client, *args):
    return engine.execute(client, [a if isinstance(a, bytes) else str(a).encode() for a in args])


def test_write_pause_holds_writes_until_its_end(engine, now):
    admin, other = engine.new_client(), engine.new_client()
    assert _run(engine, admin, "CLIENT", "PAUSE", 100, "WRITE") == "OK"
    assert _run(engine, other, "SET", "k", "v") is POSTPONED
    assert _run(engine, other, "GET", "k") is None
    assert remaining_ms(engine) == 100
    now[0] += 100
    assert _run(engine, other, "SET", "k", "v") == "OK"
    assert remaining_ms(engine) == 0


def test_held_command_changes_nothing(engine):
    admin, other = engine.new_client(), engine.new_client()
    _run(engine, admin, "CLIENT", "PAUSE", 100, "WRITE")
    assert _run(engine, other, "CLIENT", "REPLY", "SKIP") is not POSTPONED
    assert _run(engine, other, "INCR", "n") is POSTPONED  # not the command CLIENT REPLY SKIP silences
    assert other.reply_mode == "skip"
    assert engine.keyspace[0].data == {}


def test_all_pause_holds_everything_but_rejections(engine):
    admin, other = engine.new_client(), engine.new_client()
    _run(engine, admin, "CLIENT", "PAUSE", 100, "ALL")
    assert _run(engine, other, "PING") is POSTPONED
    assert _run(engine, admin, "CLIENT", "UNPAUSE") is POSTPONED
    assert _run(engine, other, "GET").startswith("ERR wrong number of arguments")
    assert _run(engine, other, "NOSUCH").startswith("ERR unknown command")


def test_write_pause_and_transactions(engine):
    admin, other = engine.new_client(), engine.new_client()
    _run(engine, other, "MULTI")
    assert _run(engine, other, "GET", "k") == "QUEUED"
    _run(engine, admin, "CLIENT", "PAUSE", 100, "WRITE")
    assert _run(engine, other, "SET", "k", "v") is POSTPONED  # held before it is queued
    assert _run(engine, other, "EXEC") == [None]
    _run(engine, other, "MULTI")
    _run(engine, admin, "CLIENT", "UNPAUSE")
    assert _run(engine, other, "SET", "k", "v") == "QUEUED"
    _run(engine, admin, "CLIENT", "PAUSE", 100, "WRITE")
    assert _run(engine, other, "EXEC") is POSTPONED


def test_unpause_wakes_held_clients_in_order(engine):
    admin = engine.new_client()
    woken = []
    _run(engine, admin, "CLIENT", "PAUSE", 100, "WRITE")
    wait_for_unpause(engine, lambda: woken.append("first"))
    wait_for_unpause(engine, lambda: woken.append("second"))
    _run(engine, admin, "CLIENT", "UNPAUSE")
    assert woken == ["first", "second"]
    _run(engine, admin, "CLIENT", "UNPAUSE")
    assert woken == ["first", "second"]


def test_no_writes_script_is_not_held(engine):
    admin, other = engine.new_client(), engine.new_client()
    _run(engine, admin, "CLIENT", "PAUSE", 100, "WRITE")
    assert _run(engine, other, "EVAL", "#!lua flags=no-writes\nreturn 1", 0) == 1
    assert _run(engine, other, "EVAL", "return 1", 0) is POSTPONED
    assert _run(engine, other, "PUBLISH", "c", "m") is POSTPONED
