"""The per-key access field (access.py) with a manual clock and an injected random source: LRU idle time, the LFU
counter's decay and logarithmic increment, and what a policy switch leaves behind."""
from __future__ import annotations

import random

import pytest

from reference_server.access import (LFU_INIT_VAL, LRU_CLOCK_MAX, idle_ms, lfu_counter, lfu_field, lfu_log_incr,
                                     lru_clock, lru_with_idle)
from reference_server.engine import Engine

from conftest import START_MS


class FixedDraw(random.Random):
    """A random source whose every draw is `value`."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


def make_run(now, rng=None, policy="allkeys-lfu"):
    engine = Engine(clock=lambda: now[0], rng=rng)
    client = engine.new_client()

    def run(*args):
        return engine.execute(client, [str(a).encode() for a in args])

    run.engine, run.client = engine, client
    run("CONFIG", "SET", "maxmemory-policy", policy)
    return run


# -- the pure functions --------------------------------------------------------------------------------------------
def test_idle_time_wraps_once():
    now = START_MS
    assert idle_ms(lru_clock(now - 5_000), now) == 5_000
    assert idle_ms(lru_clock(now) + 2, now) == (LRU_CLOCK_MAX - 2) * 1000  # a field "in the future": wrapped
    assert idle_ms(lru_with_idle(1000, now), now) == 1_000_000


@pytest.mark.parametrize("minutes,decay_time,expected", [(0, 1, 7), (3, 1, 4), (3, 2, 6), (100, 1, 0), (100, 0, 7)])
def test_counter_decays_per_period(minutes, decay_time, expected):
    field = lfu_field(7, START_MS)
    assert lfu_counter(field, START_MS + minutes * 60_000, decay_time) == expected


def test_counter_minutes_wrap_once():
    field = (65534 << 8) | 20
    now = (START_MS // 60_000 // 65536 + 1) * 65536 * 60_000 + 60_000  # the minute counter reads 1
    assert lfu_counter(field, now, 1) == 18  # Redis counts 65535 - 65534 + 1 minutes


@pytest.mark.parametrize("counter,factor,draw,expected", [
    (LFU_INIT_VAL, 10, 0.999, LFU_INIT_VAL + 1),  # at or below the base: probability 1
    (0, 10, 0.999, 1),
    (6, 10, 1 / 11 - 1e-9, 7), (6, 10, 1 / 11, 6),  # 1 / ((6 - 5) * 10 + 1)
    (105, 1, 0.5 / 101, 106), (105, 1, 1 / 101, 105),
    (200, 0, 0.999, 201),  # factor 0: every access counts
    (255, 0, 0.0, 255),
])
def test_log_increment(counter, factor, draw, expected):
    assert lfu_log_incr(counter, factor, FixedDraw(draw)) == expected


# -- through the engine --------------------------------------------------------------------------------------------
def test_accesses_draw_from_the_engines_random_source(now):
    run = make_run(now, FixedDraw(0.5))
    run("SET", "k", "v")
    run("GET", "k")  # 5 -> 6: always
    run("GET", "k")  # 6: p = 1/11 < 0.5, no increment
    assert run("OBJECT", "FREQ", "k") == 6
    run.engine.rng.value = 0.01
    run("GET", "k")
    assert run("OBJECT", "FREQ", "k") == 7


def test_object_freq_shows_decay_without_storing_it(now):
    run = make_run(now)
    run("CONFIG", "SET", "lfu-log-factor", "0")
    run("SET", "k", "v")
    run("GET", "k")
    run("GET", "k")  # 7
    now[0] += 3 * 60_000
    assert run("OBJECT", "FREQ", "k") == 4
    assert run("OBJECT", "FREQ", "k") == 4  # OBJECT is no access: the field was not rewritten
    run("CONFIG", "SET", "lfu-decay-time", "0")
    assert run("OBJECT", "FREQ", "k") == 7
    run("CONFIG", "SET", "lfu-decay-time", "1")
    run("GET", "k")  # decayed to 4, then counted: 5, stamped now
    now[0] += 30_000
    assert run("OBJECT", "FREQ", "k") == 5


def test_keys_stamped_under_lru_read_as_lfu_fields(now):
    run = make_run(now, policy="noeviction")
    run("SET", "k", "v")
    field = run.engine.keyspace[0].lru[b"k"]
    assert field == lru_clock(now[0])
    run("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
    assert run("OBJECT", "FREQ", "k") == lfu_counter(field, now[0], 1)  # no conversion, as in Redis
    run("CONFIG", "SET", "lfu-decay-time", "0")
    assert run("OBJECT", "FREQ", "k") == field & 0xFF


def test_keys_counted_under_lfu_read_as_lru_clocks(now):
    run = make_run(now)
    run("SET", "k", "v")
    field = run.engine.keyspace[0].lru[b"k"]
    run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
    assert run("OBJECT", "IDLETIME", "k") == idle_ms(field, now[0]) // 1000
    run("GET", "k")
    assert run("OBJECT", "IDLETIME", "k") == 0


def test_no_touch_client_leaves_lru_idle_time(now):
    run = make_run(now, policy="allkeys-lru")
    run("SET", "k", "v")
    now[0] += 5_000
    run("CLIENT", "NO-TOUCH", "ON")
    run("GET", "k")
    assert run("OBJECT", "IDLETIME", "k") == 5
    run("TOUCH", "k")
    assert run("OBJECT", "IDLETIME", "k") == 0


def test_restore_freq_only_under_lfu_and_idletime_only_under_lru(now):
    run = make_run(now, policy="allkeys-lru")
    run("SET", "src", "v")
    payload = run("DUMP", "src")
    run.engine.execute(run.client, [b"RESTORE", b"a", b"0", payload, b"FREQ", b"9"])
    assert run("OBJECT", "IDLETIME", "a") == 0
    run.engine.execute(run.client, [b"RESTORE", b"b", b"0", payload, b"IDLETIME", b"60"])
    assert run("OBJECT", "IDLETIME", "b") == 60
    run("CONFIG", "SET", "maxmemory-policy", "volatile-lfu")
    run.engine.execute(run.client, [b"RESTORE", b"c", b"0", payload, b"FREQ", b"9"])
    assert run("OBJECT", "FREQ", "c") == 9
