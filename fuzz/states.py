"""Key states that commands need and random single commands rarely build: one program step can be one of these.

A sorted set with mixed scores in both encodings (listpack up to 128 members, skiplist beyond), one with a single
score for the lex commands, a list long enough to leave the listpack, hashes with field TTLs and in hashtable
encoding, sets in each encoding, a stream with two groups and a consumer holding pending entries, counters,
HyperLogLogs and geo sets. The keys and names are those of the key pools (strategies.GROUP_KEYS) and of the value
overrides (fields f1..f3, members a, b, c, groups g1/g2, consumers c1/c2), so the commands after a state meet it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from forkdiff.types import Command

C = Command.of
BIG = 140  # past every listpack limit of Redis 8.2's defaults (128 entries)
LIMIT = 128


@dataclass(frozen=True)
class State:
    group: str
    name: str
    steps: tuple[Command, ...]


def _pairs(items: Iterable[tuple[object, object]]) -> list[object]:
    return [x for pair in items for x in pair]


def _mixed_scores(count: int) -> list[object]:
    return _pairs(((i * 37) % 11 - 5, f"{chr(97 + i % 26)}{i}") for i in range(count))


STATES: tuple[State, ...] = (
    State("sorted-set", "mixed scores, listpack",
          (C("ZADD", "z1", 1, "c", 2, "a", 2, "b", 3, "aa", -1, "d", "inf", "e", "-inf", "f", 0, "1", 2.5, "ab"),)),
    # one member across the listpack limit (the 129th converts it), as OBJECT ENCODING says before and after
    State("sorted-set", "mixed scores, skiplist", (C("ZADD", "z2", *_mixed_scores(LIMIT)), C("OBJECT", "ENCODING", "z2"),
                                                   C("ZADD", "z2", 1, "a"), C("OBJECT", "ENCODING", "z2"))),
    State("sorted-set", "one score, for lex ranges",
          (C("ZADD", "z1", *_pairs((0, m) for m in ("a", "b", "c", "aa", "ab", "1", "2.5", "-3", ""))),)),
    State("list", "short list with repeats", (C("RPUSH", "l1", "a", "b", "c", "1", "2", "b", "a"),)),
    State("list", "long list (quicklist)", (C("RPUSH", "l2", *(f"{i:03d}" + "y" * 62 for i in range(BIG))),
                                            C("LPUSH", "l2", "a", "b"), C("OBJECT", "ENCODING", "l2"))),
    State("hash", "fields with TTLs", (C("HSET", "h1", "f1", "v", "f2", "1", "f3", "3.5", "1", "x"),
                                       C("HEXPIRE", "h1", 100000, "FIELDS", 2, "f1", "f2"),
                                       C("HPEXPIRE", "h1", 3600000, "FIELDS", 1, "1"))),
    State("hash", "hashtable encoding", (C("HSET", "h2", *_pairs((f"f{i}", i) for i in range(BIG))),
                                         C("HSET", "h2", "f1", "v", "big", "y" * 65), C("OBJECT", "ENCODING", "h2"))),
    State("set", "intset", (C("SADD", "s1", 1, 2, 3, -3, 100),)),
    State("set", "listpack and hashtable", (C("SADD", "s2", "a", "b", "c", "1", "2.5"),
                                            C("SADD", "s1", *range(BIG), "a"), C("OBJECT", "ENCODING", "s1"))),
    State("stream", "groups, consumers, pending entries",
          (C("XADD", "x1", "1-1", "f", "v"), C("XADD", "x1", "1-2", "f", "v", "g", "w"), C("XADD", "x1", "2-1", "f", 1),
           C("XGROUP", "CREATE", "x1", "g1", "0"), C("XGROUP", "CREATE", "x1", "g2", "$"),
           C("XREADGROUP", "GROUP", "g1", "c1", "COUNT", 2, "STREAMS", "x1", ">"),
           C("XGROUP", "CREATECONSUMER", "x1", "g1", "c2"))),
    State("string", "counters and text", (C("SET", "k1", 10), C("SET", "k2", "hello world"),
                                          C("SET", "k3", "9223372036854775806"))),
    State("generic", "expiries at fixed times", (C("SET", "k2", "v"), C("EXPIREAT", "k2", 4102444800),
                                                 C("SET", "{k}4", "w"), C("PEXPIREAT", "{k}4", 4102444800000))),
    State("hyperloglog", "registers", (C("PFADD", "p1", "a", "b", "c", 1, 2),)),
    State("geo", "two cities", (C("GEOADD", "g1", 13.361389, 38.115556, "a", 15.087269, 37.502669, "b"),)),
)

ALWAYS = frozenset({"generic", "server", "transactions", "scripting", "connection"})  # these read every key
# k1 is in every group's key pool: as a string it gives every other group's commands their WRONGTYPE paths
SHARED = frozenset({"counters and text"})


def states_for(groups: Iterable[str]) -> tuple[State, ...]:
    """The states worth building for a campaign over `groups`."""
    chosen = set(groups)
    if chosen & ALWAYS:
        return STATES
    return tuple(s for s in STATES if s.group in chosen or s.name in SHARED)
