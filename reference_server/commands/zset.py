"""Sorted-set group, single-key basics: ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZRANDMEMBER,
ZSCAN. Ranges are in zset_range.py, set algebra in zset_ops.py, pops (blocking too) in zset_pop.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .. import errors
from ..datatypes.zset import LISTPACK, ZSetLimits, ZSetValue
from ..errors import CommandError
from ..notify import notify
from ..replies import NULL_ARRAY, Double, format_double
from . import command
from .collection_common import LONG_MAX, parse_range_long
from .member_scan import scan_members
from .zset_common import get_zset, parse_score, removed_from, scored_reply, zset_for_write

_FLAGS = {b"nx", b"xx", b"ch", b"incr", b"gt", b"lt"}


@dataclass
class AddFlags:
    nx: bool = False
    xx: bool = False
    gt: bool = False
    lt: bool = False
    incr: bool = False
    ch: bool = False


ADDED, UPDATED, UNCHANGED, NOP = "added", "updated", "unchanged", "nop"


def add_member(z: ZSetValue, member: bytes, score: float, flags: AddFlags,
               limits: ZSetLimits) -> tuple[str, float]:
    """Redis's zsetAdd: (what happened, the member's resulting score); NaN raises."""
    current = z.score(member)
    if current is None:
        if flags.xx:
            return NOP, score
        z.insert(member, score, limits)
        return ADDED, score
    if flags.nx:
        return NOP, score
    if flags.incr:
        score += current
        if math.isnan(score):
            raise CommandError(errors.ZSCORE_NAN)
    if (flags.lt and score >= current) or (flags.gt and score <= current):
        return NOP, score
    if score != current:
        z.update(member, score)
        return UPDATED, score
    return UNCHANGED, score


def _parse_zadd(argv: list[bytes], flags: AddFlags) -> list[tuple[float, bytes]]:
    i = 2
    while i < len(argv) and argv[i].lower() in _FLAGS:
        setattr(flags, argv[i].lower().decode(), True)
        i += 1
    rest = argv[i:]
    if not rest or len(rest) % 2:
        raise CommandError(errors.SYNTAX)
    if flags.nx and flags.xx:
        raise CommandError(errors.ZADD_XX_NX)
    if (flags.gt and flags.nx) or (flags.lt and flags.nx) or (flags.gt and flags.lt):
        raise CommandError(errors.ZADD_GT_LT_NX)
    if flags.incr and len(rest) > 2:
        raise CommandError(errors.ZADD_INCR_PAIRS)
    return [(parse_score(rest[j]), rest[j + 1]) for j in range(0, len(rest), 2)]


def _zadd(engine, client, argv, flags: AddFlags):
    pairs = _parse_zadd(argv, flags)
    db = engine.db(client)
    key = argv[1]
    z = db.get_typed(key, ZSetValue)
    limits = ZSetLimits(engine.config)
    if z is None:
        if flags.xx:
            return None if flags.incr else 0
        z = ZSetValue.create(len(pairs), len(pairs[0][1]), limits)
        db.add(key, z)
    else:
        z.grow_for(len(pairs), limits)
    outcomes, score = [], 0.0
    try:
        for score, member in pairs:
            outcome, score = add_member(z, member, score, flags, limits)
            outcomes.append(outcome)
    finally:  # a NaN error stops the command, but what was done before it stays done
        if ADDED in outcomes or UPDATED in outcomes:
            db.signal(key)
            notify(engine, db, "z", "zincr" if flags.incr else "zadd", key)
    if flags.incr:
        return Double(score) if outcomes[0] != NOP else None
    counted = (ADDED, UPDATED) if flags.ch else (ADDED,)
    return sum(o in counted for o in outcomes)


@command("zadd")
def zadd(engine, client, argv):
    return _zadd(engine, client, argv, AddFlags())


@command("zincrby")
def zincrby(engine, client, argv):
    return _zadd(engine, client, argv, AddFlags(incr=True))


@command("zrem")
def zrem(engine, client, argv):
    z = zset_for_write(engine, client, argv[1])
    if z is None:
        return 0
    removed = 0
    for member in argv[2:]:
        removed += z.remove(member)
        if not len(z):
            break
    removed_from(engine, engine.db(client), argv[1], z, removed, "zrem")
    return removed


@command("zcard")
def zcard(engine, client, argv):
    z = get_zset(engine, client, argv[1])
    return len(z) if z is not None else 0


@command("zscore")
def zscore(engine, client, argv):
    z = get_zset(engine, client, argv[1])
    score = z.score(argv[2]) if z is not None else None
    return None if score is None else Double(score)


@command("zmscore")
def zmscore(engine, client, argv):
    z = get_zset(engine, client, argv[1])
    scores = [z.score(m) if z is not None else None for m in argv[2:]]
    return [None if s is None else Double(s) for s in scores]


def _rank(engine, client, argv, reverse: bool):
    if len(argv) > 4:
        raise CommandError(errors.WRONG_ARITY % argv[0].decode("utf-8", "replace").lower())
    withscore = len(argv) == 4
    if withscore and argv[3].lower() != b"withscore":
        raise CommandError(errors.SYNTAX)
    z = get_zset(engine, client, argv[1])
    rank = z.rank(argv[2], reverse) if z is not None else None
    if rank is None:
        return NULL_ARRAY if withscore else None
    return [rank, Double(z.score(argv[2]))] if withscore else rank


@command("zrank")
def zrank(engine, client, argv):
    return _rank(engine, client, argv, False)


@command("zrevrank")
def zrevrank(engine, client, argv):
    return _rank(engine, client, argv, True)


@command("zrandmember")
def zrandmember(engine, client, argv):
    if len(argv) == 2:
        z = get_zset(engine, client, argv[1])
        return engine.rng.choice(list(z.scores)) if z is not None else None
    count = parse_range_long(argv[2], -LONG_MAX, LONG_MAX)
    if len(argv) > 4 or (len(argv) == 4 and argv[3].lower() != b"withscores"):
        raise CommandError(errors.SYNTAX)
    withscores = len(argv) == 4
    if withscores and not -LONG_MAX // 2 <= count <= LONG_MAX // 2:
        raise CommandError(errors.VALUE_OUT_OF_RANGE)
    z = get_zset(engine, client, argv[1])
    if z is None or count == 0:
        return []
    return scored_reply(_random_entries(engine.rng, z, count), client.resp, withscores)


def _random_entries(rng, z: ZSetValue, count: int) -> list[tuple[float, bytes]]:
    entries = list(z)
    if count < 0:
        return [rng.choice(entries) for _ in range(-count)]
    if count >= len(entries):
        return entries[::-1]  # Redis walks a sorted set from its highest entry here
    if count == 1:
        return [rng.choice(entries)]
    picked = set(rng.sample(range(len(entries)), count))
    if z.enc == LISTPACK:  # a listpack is sampled in its own order
        return [e for i, e in enumerate(entries) if i in picked]
    return [entries[i] for i in rng.sample(sorted(picked), count)]


@command("zscan")
def zscan(engine, client, argv):
    return scan_members(engine, client, argv, ZSetValue, "zset", lambda z: [m for _, m in z],
                        lambda z, m: [format_double(z.score(m))], lambda z: z.enc == LISTPACK)

