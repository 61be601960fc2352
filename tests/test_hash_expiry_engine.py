"""Hash field expiry with a manual clock: what an expired field not yet removed looks like to each command (as
Redis 8.2 shows it between expiry and its active expire cycle), and the cycle removing fields and emptied hashes."""
from __future__ import annotations

import pytest

from reference_server.engine import Engine
from reference_server.replies import Map


@pytest.fixture
def now():
    return [1_000_000]


@pytest.fixture
def run(now):
    engine = Engine(clock=lambda: now[0])
    client = engine.new_client()

    def execute(*args):
        return engine.execute(client, [a if isinstance(a, bytes) else str(a).encode() for a in args])

    execute.engine = engine
    return execute


@pytest.fixture
def expired(run, now):
    """h: field a expired 5 ms ago (not yet removed), field b live."""
    run("HSET", "h", "a", "1", "b", "2")
    assert run("HPEXPIRE", "h", 10, "FIELDS", 1, "a") == [1]
    now[0] += 15
    return run


def test_hlen_counts_a_field_not_yet_removed(expired):
    assert expired("HLEN", "h") == 2


def test_iterating_readers_skip_it_without_removing_it(expired):
    assert expired("HGETALL", "h") == Map([(b"b", b"2")])
    assert expired("HKEYS", "h") == [b"b"]
    assert expired("HVALS", "h") == [b"2"]
    assert expired("HSCAN", "h", 0) == [b"0", [b"b", b"2"]]
    assert expired("HLEN", "h") == 2


def test_field_readers_remove_it(expired):
    assert expired("HGET", "h", "a") is None
    assert expired("HLEN", "h") == 1


def test_hset_over_it_is_an_update_without_ttl(expired):
    assert expired("HSET", "h", "a", "5") == 0
    assert expired("HGET", "h", "a") == b"5"
    assert expired("HTTL", "h", "FIELDS", 1, "a") == [-1]


def test_hdel_deletes_and_counts_it(expired):
    assert expired("HDEL", "h", "a") == 1
    assert expired("HLEN", "h") == 1


def test_hash_of_expired_fields_only_stays_until_the_cycle(run, now):
    run("HSET", "h", "a", "1")
    run("HPEXPIRE", "h", 10, "FIELDS", 1, "a")
    now[0] += 15
    assert run("HGETALL", "h") == Map([])
    assert run("EXISTS", "h") == 1 and run("TYPE", "h") == "hash" and run("DBSIZE") == 1
    run.engine.active_expire_cycle()
    assert run("EXISTS", "h") == 0 and run("TYPE", "h") == "none" and run("DBSIZE") == 0
    assert run("SCAN", 0) == [b"0", []]


def test_active_cycle_removes_expired_fields_in_every_db(run, now):
    run("HSET", "h", "a", "1", "b", "2", "c", "3")
    run("HPEXPIRE", "h", 10, "FIELDS", 2, "a", "b")
    run("SELECT", 5)
    run("HSET", "g", "x", "1")
    run("HPEXPIRE", "g", 20, "FIELDS", 1, "x")
    now[0] += 15
    run.engine.active_expire_cycle()
    assert run("EXISTS", "g") == 1
    run("SELECT", 0)
    assert run("HLEN", "h") == 1 and run("HGETALL", "h") == Map([(b"c", b"3")])
    now[0] += 10
    run.engine.active_expire_cycle()
    run("SELECT", 5)
    assert run("EXISTS", "g") == 0
    assert run.engine.stats["expired_subkeys"] == 3
    assert run.engine.stats["expired_keys"] == 0  # a hash emptied by its fields' expiry is not an expired key


def test_active_cycle_leaves_fields_not_yet_due(run, now):
    run("HSET", "h", "a", "1")
    run("HPEXPIRE", "h", 10, "FIELDS", 1, "a")
    now[0] += 10  # due exactly now: a field expires once its time is past
    run.engine.active_expire_cycle()
    assert run("HLEN", "h") == 1 and run("HGET", "h", "a") == b"1"


def test_cycle_without_field_ttls_registers_nothing(run):
    run("HSET", "h", "a", "1")
    run.engine.active_expire_cycle()
    assert "active_expire_hooks" not in run.engine.extensions
