"""The generic group on the engine with a manual clock: expiry instants, idle time, encodings, and the SCAN cursor's
guarantees under table resizes."""
from __future__ import annotations

import random

import pytest

from reference_server.replies import Err
from reference_server.scan import position, reverse_bits, scan, table_bits

from conftest import START_MS  # noqa: E402  (the shared manual-clock fixtures live in tests/conftest.py)


# -- expiry --------------------------------------------------------------------------------------------------------
def test_expire_is_relative_to_the_command_time(run, now):
    run("SET", "k", "v")
    assert run("EXPIRE", "k", 10) == 1
    assert run("PEXPIRETIME", "k") == START_MS + 10_000
    now[0] += 9_999
    assert run("PTTL", "k") == 1
    now[0] += 1
    assert run("EXISTS", "k") == 0
    assert run("TTL", "k") == -2


def test_ttl_rounds_half_up(run, now):
    run("SET", "k", "v")
    run("PEXPIRE", "k", 1_499)
    assert run("TTL", "k") == 1
    run("PEXPIRE", "k", 1_500)
    assert run("TTL", "k") == 2


def test_expire_at_the_current_millisecond_deletes(run):
    run("SET", "k", "v")
    assert run("PEXPIREAT", "k", START_MS) == 1
    assert "k".encode() not in run.engine.keyspace[0].data


def test_expire_one_millisecond_ahead_keeps(run):
    run("SET", "k", "v")
    assert run("PEXPIREAT", "k", START_MS + 1) == 1
    assert run("EXISTS", "k") == 1


def test_expire_overflow_depends_on_the_clock(run):
    run("SET", "k", "v")
    limit = (1 << 63) - 1 - START_MS
    assert run("PEXPIRE", "k", limit) == 1
    assert isinstance(run("PEXPIRE", "k", limit + 1), Err)


def test_gt_lt_compare_absolute_instants(run, now):
    run("SET", "k", "v")
    run("PEXPIREAT", "k", START_MS + 5_000)
    assert run("PEXPIRE", "k", 5_000, "GT") == 0  # the same instant is not greater
    assert run("PEXPIRE", "k", 5_001, "GT") == 1
    assert run("PEXPIRE", "k", 5_001, "LT") == 0
    assert run("PEXPIRETIME", "k") == START_MS + 5_001


def test_rename_and_move_keep_the_expiry_instant(run):
    run("SET", "k", "v")
    run("PEXPIREAT", "k", START_MS + 777)
    run("RENAME", "k", "r")
    assert run("PEXPIRETIME", "r") == START_MS + 777
    run("MOVE", "r", 3)
    assert run.engine.keyspace[3].expires[b"r"] == START_MS + 777


def test_copy_of_an_expired_key_is_nothing(run, now):
    run("SET", "k", "v")
    run("PEXPIRE", "k", 10)
    now[0] += 10
    assert run("COPY", "k", "c") == 0
    assert run("EXISTS", "c") == 0


# -- OBJECT IDLETIME -----------------------------------------------------------------------------------------------
def test_idletime_counts_whole_seconds_since_last_access(run, now):
    run("SET", "k", "v")
    now[0] += 2_500
    assert run("OBJECT", "IDLETIME", "k") == 2
    assert run("TYPE", "k") == "string"  # no-touch lookups leave the access time alone
    assert run("OBJECT", "IDLETIME", "k") == 2
    run("GET", "k")
    assert run("OBJECT", "IDLETIME", "k") == 0


def test_idletime_rename_and_move_touch_the_key(run, now):
    """Their write lookup refreshes the access time, as Redis's lookupKeyWrite does (checked on Redis 8.2.3)."""
    run("SET", "k", "v")
    now[0] += 3_000
    run("RENAME", "k", "r")
    assert run("OBJECT", "IDLETIME", "r") == 0
    now[0] += 2_000
    run("MOVE", "r", 2)
    run("SELECT", 2)
    assert run("OBJECT", "IDLETIME", "r") == 0


def test_idletime_refused_under_lfu(run):
    run("SET", "k", "v")
    run.engine.config.set("maxmemory-policy", "allkeys-lfu")
    assert run("OBJECT", "IDLETIME", "k").startswith("ERR An LFU maxmemory policy is selected")


# -- OBJECT ENCODING -----------------------------------------------------------------------------------------------
def test_encoding_bytearray_is_raw(run):
    run.engine.keyspace[0].set(b"k", bytearray(b"1"))
    assert run("OBJECT", "ENCODING", "k") == b"raw"


def test_encoding_copy_keeps_raw(run):
    run("SET", "c" * 30, "v" * 20)
    run("COPY", "c" * 30, "d")
    assert run("OBJECT", "ENCODING", "d") == b"raw"


# -- WAIT ----------------------------------------------------------------------------------------------------------
def test_wait_blocks_until_its_deadline(run):
    client = next(iter(run.engine.clients.values()))
    assert repr(run("WAIT", 1, 50)) == "NO_REPLY"
    assert client.blocked.deadline_ms == START_MS + 50
    assert client.blocked.timeout_reply == 0


# -- SCAN cursor ---------------------------------------------------------------------------------------------------
def full(elements, count: int, between=None) -> list:
    cursor, seen, step = 0, [], 0
    while True:
        cursor, page = scan(elements, cursor, count)
        seen.extend(page)
        step += 1
        if between:
            between(step)
        if cursor == 0:
            return seen


def test_scan_cursor_is_reverse_binary():
    assert reverse_bits(0b0001, 4) == 0b1000
    elements = {bytes([i]) for i in range(10)}
    bits = table_bits(len(elements))
    cursor, page = scan(elements, 0, 1)
    visited = reverse_bits(cursor, bits)
    assert all(position(e) >> (64 - bits) < visited for e in page)


@pytest.mark.parametrize("size", [0, 1, 5, 64, 1000])
def test_scan_returns_every_element_once_when_nothing_changes(size):
    elements = {b"e%d" % i for i in range(size)}
    seen = full(elements, 7)
    assert sorted(seen) == sorted(elements)


def test_scan_count_limits_elements_seen():
    elements = {b"e%d" % i for i in range(1000)}
    _cursor, page = scan(elements, 0, 10)
    assert 10 <= len(page) < 40  # whole buckets: at least COUNT, a bucket's worth more at most


def test_scan_survives_growth_and_shrink():
    rng = random.Random(7)
    for _trial in range(20):
        stay = {b"s%d" % i for i in range(rng.randint(1, 300))}
        live = set(stay) | {b"t%d" % i for i in range(rng.randint(0, 300))}

        def churn(step):
            if rng.random() < 0.5:
                live.update(b"n%d" % rng.randrange(10_000) for _ in range(rng.randint(0, 400)))
            else:
                for extra in [e for e in live if e not in stay][: rng.randint(0, 400)]:
                    live.discard(extra)

        seen = full(live, rng.randint(1, 20), churn)
        assert stay <= set(seen)


def test_scan_compact_returns_everything_with_cursor_zero():
    assert scan([b"a", b"b"], 12345, 1, compact=True) == (0, [b"a", b"b"])


def test_scan_through_the_engine_deletes_expired(run, now):
    for i in range(20):
        run("SET", "k%d" % i, "v")
    run("PEXPIRE", "k3", 5)
    now[0] += 5
    cursor, keys = b"0", []
    while True:
        cursor, page = run("SCAN", cursor)
        keys += page
        if cursor == b"0":
            break
    assert b"k3" not in keys and len(keys) == 19
    assert b"k3" not in run.engine.keyspace[0].data
