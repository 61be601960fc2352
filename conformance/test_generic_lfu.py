"""OBJECT FREQ under an LFU maxmemory-policy: the logarithmic access counter and which accesses move it.

A new key starts at 5 (LFU_INIT_VAL); an access adds one with probability 1 / ((counter - 5) * lfu-log-factor + 1),
so always at or below 5, and with lfu-log-factor 0 always; the counter stops at 255. An access first takes off one
per lfu-decay-time minutes since the last: the cases set lfu-decay-time 0 (no decay) or run inside one EXEC (the
server's minute does not move there), so a minute boundary cannot shift them. Only the parts that do not depend on
the random draw are asserted. Every case puts maxmemory-policy and the lfu settings back (the `config` fixture).
"""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, array, bulk, integer, simple

from .asserts import assert_error, assert_ok, assert_reply

IDLETIME_UNDER_LFU = ("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
                      "switching between policies at runtime LRU and LFU data will take some time to adjust.")


@pytest.fixture
def lfu(config):
    """An LFU policy with every access counted and no decay: the counter moves by exactly one per access."""
    config("maxmemory-policy", "allkeys-lfu")
    config("lfu-log-factor", "0")
    config("lfu-decay-time", "0")


def freq(conn, key: str = "k") -> int:
    reply = conn.call("OBJECT", "FREQ", key)
    assert reply.kind is Kind.INTEGER, reply
    return reply.value


def dump(conn, key: str) -> bytes:
    reply = conn.call("DUMP", key)
    assert reply.kind is Kind.BULK, reply
    return reply.value


@pytest.mark.command("object|freq")
@pytest.mark.parametrize("policy", ["allkeys-lfu", "volatile-lfu"])
def test_object_freq_new_key_then_first_access(conn, config, policy):
    config("maxmemory-policy", policy)  # default lfu-log-factor 10: the first access still always counts
    assert_ok(conn.call("MULTI"))
    for command in [("SET", "k", "v"), ("OBJECT", "FREQ", "k"), ("OBJECT", "FREQ", "k"), ("GET", "k"),
                    ("OBJECT", "FREQ", "k"), ("RPUSH", "l", "a"), ("OBJECT", "FREQ", "l")]:
        assert_reply(conn.call(*command), simple("QUEUED"))
    assert_reply(conn.call("EXEC"), array(simple("OK"), integer(5), integer(5), bulk("v"), integer(6), integer(1),
                                          integer(5)))


@pytest.mark.command("object|freq")
def test_object_idletime_refused_under_lfu(conn, config):
    assert_ok(conn.call("SET", "k", "v"))
    config("maxmemory-policy", "allkeys-lfu")
    assert_error(conn.call("OBJECT", "IDLETIME", "k"), IDLETIME_UNDER_LFU)


@pytest.mark.command("object|freq")
def test_object_freq_log_factor_zero_counts_every_access(conn, lfu):
    assert_ok(conn.call("SET", "k", "v"))
    for _ in range(10):
        conn.call("GET", "k")
    assert freq(conn) == 15


# What one command adds to the counter of key k with every access counted: one per lookup of k, read or write;
# none for the commands that only peek (TYPE, EXISTS, TTL, OBJECT, MEMORY USAGE) or walk the keyspace.
@pytest.mark.command("object|freq")
@pytest.mark.parametrize("setup,command,added", [
    (("SET", "k", "v"), ("GET", "k"), 1),
    (("SET", "k", "v"), ("STRLEN", "k"), 1),
    (("SET", "k", "v"), ("SET", "k", "w"), 1),  # the new value keeps the counter its lookup raised
    (("SET", "k", "v"), ("SET", "k", "w", "NX"), 1),
    (("SET", "k", "v"), ("SET", "k", "w", "GET"), 2),
    (("SET", "k", "v"), ("GETSET", "k", "w"), 2),
    (("SET", "k", "v"), ("MSET", "k", "w"), 1),
    (("SET", "k", "v"), ("MGET", "k", "k"), 2),
    (("SET", "k", "100000"), ("INCR", "k"), 1),  # above the shared integers older servers hand out for 0-9999
    (("SET", "k", "v"), ("APPEND", "k", "w"), 1),
    (("SET", "k", "v"), ("EXPIRE", "k", "100"), 1),
    (("SET", "k", "v"), ("DUMP", "k"), 1),
    (("SET", "k", "v"), ("TOUCH", "k"), 1),
    (("SET", "k", "v"), ("TYPE", "k"), 0),
    (("SET", "k", "v"), ("EXISTS", "k"), 0),
    (("SET", "k", "v"), ("TTL", "k"), 0),
    (("SET", "k", "v"), ("OBJECT", "ENCODING", "k"), 0),
    (("SET", "k", "v"), ("MEMORY", "USAGE", "k"), 0),
    (("SET", "k", "v"), ("RANDOMKEY",), 0),
    (("SET", "k", "v"), ("SCAN", "0"), 0),
    (("RPUSH", "k", "a", "b"), ("LPOP", "k"), 1),
    (("RPUSH", "k", "a", "b"), ("LMOVE", "k", "k", "LEFT", "RIGHT"), 2),
    (("SADD", "k", "a"), ("SINTER", "k", "k"), 2),
    (("ZADD", "k", "1", "a"), ("ZUNIONSTORE", "k", "1", "k"), 2),  # the destination keeps its counter too
    (("HSET", "k", "f", "v"), ("HGET", "k", "f"), 1),
    (("SET", "k", "v"), ("EVAL", "return redis.call('get', KEYS[1])", "1", "k"), 1),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_object_freq_accesses_per_command(conn, lfu, setup, command, added):
    conn.call(*setup)
    assert freq(conn) == 5
    assert conn.call(*command).kind is not Kind.ERROR
    assert freq(conn) == 5 + added


@pytest.mark.command("object|freq")
def test_object_freq_inside_exec(conn, lfu):
    assert_ok(conn.call("SET", "k", "v"))
    assert_ok(conn.call("MULTI"))
    conn.call("GET", "k")
    conn.call("GET", "k")
    assert_reply(conn.call("EXEC"), array(bulk("v"), bulk("v")))
    assert freq(conn) == 7


@pytest.mark.command("object|freq")
@pytest.mark.parametrize("command,key", [(("RENAME", "k", "k2"), "k2"), (("COPY", "k", "k2"), "k2"),
                                         (("MOVE", "k", "1"), None)])
def test_object_freq_key_added_anew_starts_again(conn, lfu, command, key):
    assert_ok(conn.call("SET", "k", "v"))
    conn.call("GET", "k")
    conn.call("GET", "k")
    assert conn.call(*command).kind is not Kind.ERROR
    if key is None:
        assert_ok(conn.call("SELECT", "1"))
        key = "k"
    assert freq(conn, key) == 5
    if command[0] == "COPY":
        assert freq(conn, "k") == 8  # the source was looked up once more


@pytest.mark.since("7.2")
@pytest.mark.command("client|no-touch")
def test_object_freq_no_touch_client(conn, lfu):
    assert_ok(conn.call("SET", "k", "v"))
    assert_ok(conn.call("CLIENT", "NO-TOUCH", "ON"))
    conn.call("GET", "k")
    conn.call("SET", "k", "w")
    assert freq(conn) == 5
    assert_reply(conn.call("TOUCH", "k"), integer(1))  # TOUCH counts all the same
    assert freq(conn) == 6
    assert_ok(conn.call("CLIENT", "NO-TOUCH", "OFF"))
    conn.call("GET", "k")
    assert freq(conn) == 7


@pytest.mark.command("restore")
def test_object_freq_set_by_restore(conn, lfu):
    assert_ok(conn.call("SET", "src", "v"))
    payload = dump(conn, "src")
    assert_ok(conn.call("RESTORE", "a", "0", payload, "FREQ", "100"))
    assert freq(conn, "a") == 100
    assert_ok(conn.call("RESTORE", "b", "0", payload))
    assert freq(conn, "b") == 5
    assert_ok(conn.call("RESTORE", "c", "0", payload, "IDLETIME", "100"))  # an LRU setting: ignored under LFU
    assert freq(conn, "c") == 5
    assert_ok(conn.call("RESTORE", "a", "0", payload, "FREQ", "0", "REPLACE"))
    assert freq(conn, "a") == 0
    conn.call("GET", "a")
    assert freq(conn, "a") == 1


@pytest.mark.command("object|freq")
def test_object_freq_stops_at_255(conn, lfu):
    assert_ok(conn.call("SET", "src", "v"))
    assert_ok(conn.call("RESTORE", "k", "0", dump(conn, "src"), "FREQ", "250"))
    for _ in range(10):
        conn.call("GET", "k")
    assert freq(conn) == 255
