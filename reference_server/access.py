"""The access field every key carries, as Redis keeps it in 24 bits of each value object.

Under an LRU policy (or none) the field is the LRU clock of the key's last access: unix seconds, wrapping at 24
bits; OBJECT IDLETIME is the distance to the clock now. Under an LFU policy (maxmemory-policy *-lfu) the same bits
hold the minute of the last access (16 bits, wrapping) and a logarithmic access counter (8 bits): a new key starts at
LFU_INIT_VAL, an access first takes off one per `lfu-decay-time` minutes since the last one, then adds one with
probability 1 / ((counter - LFU_INIT_VAL) * lfu-log-factor + 1) (always at or below LFU_INIT_VAL), up to 255.

Switching policies converts nothing, as in Redis: a key stamped under LRU reads as an LFU counter (usually decayed to
0) and one counted under LFU reads as a far-away LRU time, until it is accessed again.

Which lookups stamp the field: every read or write lookup of a live key (Database.get), except those Redis makes
with LOOKUP_NOTOUCH (TYPE, EXISTS, TTL, OBJECT…, which peek) and every lookup of a client in CLIENT NO-TOUCH mode
but TOUCH's. Writing a new value over an existing key keeps its field (Redis's dbSetValue); a key added (new, renamed,
moved, copied, restored) starts afresh.
"""
from __future__ import annotations

import random
from typing import Any, Callable

LRU_CLOCK_MAX = (1 << 24) - 1
LRU_CLOCK_RESOLUTION_MS = 1000
LFU_INIT_VAL = 5
LFU_COUNTER_MAX = 255
_MINUTES_MASK = (1 << 16) - 1


# -- the LRU clock -------------------------------------------------------------------------------------------------
def lru_clock(now_ms: int) -> int:
    return (now_ms // LRU_CLOCK_RESOLUTION_MS) & LRU_CLOCK_MAX


def idle_ms(field: int, now_ms: int) -> int:
    """Redis's estimateObjectIdleTime: the field read as an LRU clock (wrapping once)."""
    clock = lru_clock(now_ms)
    if clock >= field:
        return (clock - field) * LRU_CLOCK_RESOLUTION_MS
    return (clock + (LRU_CLOCK_MAX - field)) * LRU_CLOCK_RESOLUTION_MS


def lru_with_idle(idle_s: int, now_ms: int) -> int:
    """RESTORE ... IDLETIME under an LRU policy: the clock `idle_s` seconds ago (wrapped as Redis wraps it)."""
    field = lru_clock(now_ms) - idle_s
    return field + LRU_CLOCK_MAX if field < 0 else field


# -- the LFU counter -----------------------------------------------------------------------------------------------
def lfu_minutes(now_ms: int) -> int:
    return (now_ms // 60_000) & _MINUTES_MASK


def lfu_field(counter: int, now_ms: int) -> int:
    return (lfu_minutes(now_ms) << 8) | counter


def lfu_counter(field: int, now_ms: int, decay_time: int) -> int:
    """Redis's LFUDecrAndReturn: the counter less one per `decay_time` minutes since the access (0 never decays)."""
    counter = field & 0xFF
    if not decay_time:
        return counter
    last, now = field >> 8, lfu_minutes(now_ms)
    elapsed = now - last if now >= last else _MINUTES_MASK - last + now
    periods = elapsed // decay_time
    return 0 if periods > counter else counter - periods


def lfu_log_incr(counter: int, log_factor: int, rng: random.Random) -> int:
    """Redis's LFULogIncr: one more with a probability falling as the counter grows past LFU_INIT_VAL."""
    if counter == LFU_COUNTER_MAX:
        return counter
    base = max(0, counter - LFU_INIT_VAL)
    return counter + 1 if rng.random() < 1.0 / (base * log_factor + 1) else counter


# -- stamping ------------------------------------------------------------------------------------------------------
class AccessClock:
    """How a database stamps its keys without a server around it: the LRU clock, on every lookup."""

    lfu = False
    # The per-thread command states (Engine.command_states) while a server's LRU clock stamps: Database.get then
    # does what ServerAccessClock.touched does for it, inline. None: Database.get calls touched.
    lru_states: Any = None

    def __init__(self, clock: Callable[[], int]) -> None:
        self.clock = clock

    def new_field(self) -> int:
        return lru_clock(self.clock())

    def touched(self, field: int, forced: bool = False) -> int:
        return lru_clock(self.clock())


class ServerAccessClock(AccessClock):
    """A server's: its maxmemory-policy chooses LRU or LFU, its random source draws the LFU increments, and the
    running client's CLIENT NO-TOUCH leaves fields alone."""

    def __init__(self, engine: Any) -> None:
        super().__init__(engine.now_ms)
        self.engine = engine
        self._local = engine.command_states  # per thread: the running command's state (Engine.command_states)
        self._policy(engine.config.get("maxmemory-policy"))
        engine.config.listeners.append(self._config_changed)

    def _config_changed(self, name: str, value: str) -> None:
        if name == "maxmemory-policy":
            self._policy(value)

    def _policy(self, policy: str) -> None:
        self.lfu = _is_lfu(policy)
        self.lru_states = None if self.lfu else self._local

    def new_field(self) -> int:
        now = self.clock()
        return lfu_field(LFU_INIT_VAL, now) if self.lfu else lru_clock(now)

    def touched(self, field: int, forced: bool = False) -> int:
        engine = self.engine
        state = self._local.state  # the running command's client and time, read once (every lookup comes here)
        if not forced:
            client = state.client
            if client is not None and client.no_touch:
                return field
        now = state.now
        if now is None:
            now = engine.real_clock()
        if not self.lfu:
            return (now // LRU_CLOCK_RESOLUTION_MS) & LRU_CLOCK_MAX  # lru_clock(now)
        config = engine.config
        counter = lfu_counter(field, now, config.get_int("lfu-decay-time"))
        return lfu_field(lfu_log_incr(counter, config.get_int("lfu-log-factor"), self.engine.rng), now)


def _is_lfu(policy: str) -> bool:
    return policy.endswith("-lfu")
