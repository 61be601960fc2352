"""Memory accounting and `maxmemory`: what INFO's used_memory reports and what decides an OOM reply.

The reference has no allocator to ask, so used memory is a model: a fixed start-up size (Redis 8.2's own, empty,
with one client) plus a size per key and value in the spirit of MEMORY USAGE. Before a command runs, a server
over its limit evicts keys as its policy says (Redis's performEvictions); when nothing more may go, commands
flagged deny-oom are refused with Redis's OOM error.
"""
from __future__ import annotations

from typing import Any

from . import repl_stream

STARTUP_BYTES = 700_000  # an empty Redis 8.2.3 reports about this much used_memory
CLIENT_BYTES = 20_000  # per connection: query and reply buffers


def dataset_bytes(engine: Any) -> int:
    from .commands.memory import estimate
    return sum(estimate(key, value) for db in engine.keyspace.dbs for key, value in db.data.items())


def used_memory(engine: Any) -> int:
    return STARTUP_BYTES + CLIENT_BYTES * max(len(engine.clients) - 1, 0) + dataset_bytes(engine)


def over_limit(engine: Any) -> bool:
    """Evict as the policy allows; True when used memory still exceeds maxmemory (the command may be refused)."""
    limit = engine.config.get_int("maxmemory")
    if not limit:
        return False
    used = used_memory(engine)
    if used <= limit:
        return False
    policy = engine.config.get("maxmemory-policy")
    if policy == "noeviction":
        return True
    from .commands.memory import estimate
    from .notify import notify
    while used > limit:
        victim = _victim(engine, policy)
        if victim is None:
            return True
        db, key = victim
        used -= estimate(key, db.data[key])
        db._remove(key)
        db.signal(key)
        engine.stats["evicted_keys"] = engine.stats.get("evicted_keys", 0) + 1
        notify(engine, db, "e", "evicted", key)
        if repl_stream.active(engine) is not None:  # replicas delete it too
            verb = b"UNLINK" if engine.config.get("lazyfree-lazy-eviction") == "yes" else b"DEL"
            repl_stream.send(engine, [(db.index, [verb, key])])
    return False


def _victim(engine: Any, policy: str):
    """A key to evict: sampled as Redis samples (maxmemory-samples per pick), the best by the policy's measure."""
    volatile = policy.startswith("volatile-")
    rng = engine.rng
    dbs = [db for db in engine.keyspace.dbs if (db.expires if volatile else db.data)]
    if not dbs:
        return None
    samples = engine.config.get_int("maxmemory-samples")
    candidates = []
    for db in dbs:
        pool = list(db.expires if volatile else db.data)
        candidates += [(db, key) for key in rng.sample(pool, min(samples, len(pool)))]
    if policy.endswith("-random"):
        return rng.choice(candidates)
    return min(candidates, key=lambda c: _keep_score(engine, policy, *c))


def _keep_score(engine: Any, policy: str, db, key: bytes) -> int:
    """Lower goes first: the nearest expiry (ttl), the least frequent (lfu), the longest idle (lru)."""
    from .access import idle_ms, lfu_counter
    field, now = db.lru.get(key, 0), engine.now_ms()
    if policy == "volatile-ttl":
        return db.expires[key]
    if policy.endswith("-lfu"):
        return lfu_counter(field, now, engine.config.get_int("lfu-decay-time"))
    return -idle_ms(field, now)
