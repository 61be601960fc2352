"""Transactions and connection state driven on the engine with a manual clock: WATCH against expiry at exact
milliseconds, SWAPDB/FLUSHALL touching only what existed, reply modes and per-client counters."""
from __future__ import annotations

from reference_server.replies import NO_REPLY, NULL_ARRAY, Err

from conftest import as_args  # noqa: E402  (the shared manual-clock fixtures: tests/conftest.py)


def run(engine, client, *args):
    return engine.execute(client, as_args(args))


def exec_ping(engine, client):
    assert run(engine, client, "MULTI") == "OK"
    assert run(engine, client, "PING") == "QUEUED"
    return run(engine, client, "EXEC")


def test_watch_live_key_expiring_before_exec_fails(engine, now):
    a = engine.new_client()
    run(engine, a, "SET", "k", "v", "PX", 100)
    run(engine, a, "WATCH", "k")
    now[0] += 99
    assert exec_ping(engine, a) == ["PONG"]
    run(engine, a, "WATCH", "k")
    now[0] += 1
    assert exec_ping(engine, a) is NULL_ARRAY


def test_watch_key_expired_at_watch_time_and_lazily_deleted_runs(engine, now):
    a, b = engine.new_client(), engine.new_client()
    run(engine, a, "SET", "k", "v", "PX", 10)
    now[0] += 10
    run(engine, a, "WATCH", "k")
    assert run(engine, b, "GET", "k") is None  # deletes the expired key
    assert exec_ping(engine, a) == ["PONG"]


def test_watch_key_expired_at_watch_time_then_written_fails(engine, now):
    a, b = engine.new_client(), engine.new_client()
    run(engine, a, "SET", "k", "v", "PX", 10)
    now[0] += 10
    run(engine, a, "WATCH", "k")
    run(engine, b, "SET", "k", "new")
    assert exec_ping(engine, a) is NULL_ARRAY


def test_swapdb_with_the_key_missing_everywhere_runs(engine):
    a, b = engine.new_client(), engine.new_client()
    run(engine, a, "WATCH", "k")
    run(engine, b, "SWAPDB", 0, 1)
    assert exec_ping(engine, a) == ["PONG"]


def test_swapdb_bringing_in_an_expired_key_runs(engine, now):
    a, b = engine.new_client(), engine.new_client()
    run(engine, b, "SELECT", 1)
    run(engine, b, "SET", "k", "v", "PX", 5)
    now[0] += 5
    run(engine, a, "WATCH", "k")
    run(engine, b, "SWAPDB", 0, 1)
    assert exec_ping(engine, a) == ["PONG"]


def test_flushall_touches_existing_watched_keys_only(engine):
    a, b = engine.new_client(), engine.new_client()
    run(engine, a, "WATCH", "missing")
    run(engine, b, "SET", "other", "1")
    run(engine, b, "FLUSHALL")
    assert exec_ping(engine, a) == ["PONG"]


def test_refused_exec_ends_the_transaction(engine):
    a = engine.new_client()
    run(engine, a, "MULTI")
    reply = run(engine, a, "EXEC", "extra")
    assert reply == Err("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")
    assert not a.in_multi and a.queue == []


def test_exec_keeps_multi_state_while_running(engine):
    a = engine.new_client()
    run(engine, a, "MULTI")
    run(engine, a, "CLIENT", "INFO")
    line = bytes(run(engine, a, "EXEC")[0]).decode()
    assert " flags=x " in line and " multi=1 " in line and " cmd=exec " in line
    assert not a.in_multi and "deny_blocking" not in a.flags


def test_client_reply_skip_silences_exactly_one_command(engine):
    a = engine.new_client()
    assert run(engine, a, "CLIENT", "REPLY", "SKIP") is NO_REPLY
    assert run(engine, a, "PING") is NO_REPLY
    assert run(engine, a, "PING") == "PONG"


def test_commands_processed_counts_executed_commands_only(engine):
    a = engine.new_client()
    run(engine, a, "PING")
    run(engine, a, "NOSUCH")
    run(engine, a, "SELECT", "x")  # runs, and fails inside the handler
    assert a.commands_processed == 2


def test_client_kill_forgets_the_victim_at_once(engine):
    a, b = engine.new_client(), engine.new_client()
    run(engine, b, "WATCH", "k")
    assert run(engine, a, "CLIENT", "KILL", "ID", b.id) == 1
    assert b.id not in engine.clients
    assert "k".encode() not in engine.keyspace[0].watchers
