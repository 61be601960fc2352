"""Set group: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SMOVE, SPOP, SRANDMEMBER, SSCAN.

The multi-key operations (SINTER, SUNION, SDIFF and their STORE/CARD forms) are in set_ops.py.
"""
from __future__ import annotations

from .. import errors
from ..datatypes.set import HASHTABLE, INTSET, LISTPACK, SetLimits, SetValue
from ..errors import CommandError
from ..notify import notify
from ..replies import RSet
from . import command
from .collection_common import LONG_MAX, parse_positive_long, parse_range_long
from .generic_keys import read_typed
from .member_scan import scan_members

_SPOP_REBUILD_FACTOR = 5  # Redis rebuilds the remaining set when it is this much smaller than the popped part


def _read(engine, client, key: bytes) -> SetValue | None:
    """A reading command's lookup (a keyspace hit or miss)."""
    return read_typed(engine, engine.db(client), key, SetValue)


def _for_write(engine, client, key: bytes) -> SetValue | None:
    """A writing command's lookup (SREM, SPOP)."""
    return engine.db(client).get_typed(key, SetValue)


def _after_removal(engine, db, key: bytes, value: SetValue, event: str) -> None:
    """Publish `event` for the removal; an emptied set deletes its key ("del" after it)."""
    notify(engine, db, "s", event, key)
    if len(value):
        db.signal(key)
    else:
        db.delete(key)
        notify(engine, db, "g", "del", key)


@command("sadd")
def sadd(engine, client, argv):
    db = engine.db(client)
    key, members = argv[1], argv[2:]
    value = db.get_typed(key, SetValue)
    limits = SetLimits(engine.config)
    if value is None:
        value = SetValue.create(members[0], len(members), limits)
        added = value.add_all(members, limits)
        db.add(key, value)
        notify(engine, db, "s", "sadd", key)
        return added
    value.maybe_grow(len(members), limits)
    added = value.add_all(members, limits)
    if added:
        db.signal(key)
        notify(engine, db, "s", "sadd", key)
    return added


@command("srem")
def srem(engine, client, argv):
    value = _for_write(engine, client, argv[1])
    if value is None:
        return 0
    removed = 0
    for member in argv[2:]:
        removed += value.remove(member)
        if not len(value):
            break
    if removed:
        _after_removal(engine, engine.db(client), argv[1], value, "srem")
    return removed


@command("scard")
def scard(engine, client, argv):
    value = _read(engine, client, argv[1])
    return len(value) if value is not None else 0


@command("sismember")
def sismember(engine, client, argv):
    value = _read(engine, client, argv[1])
    return int(value is not None and argv[2] in value)


@command("smismember")
def smismember(engine, client, argv):
    value = _read(engine, client, argv[1])
    return [int(value is not None and m in value) for m in argv[2:]]


@command("smembers")
def smembers(engine, client, argv):
    value = _read(engine, client, argv[1])
    return RSet(value.ordered() if value is not None else [])


@command("smove")
def smove(engine, client, argv):
    db = engine.db(client)
    src_key, dst_key, member = argv[1:4]
    src = db.get(src_key)
    if src is None:
        return 0
    dst = db.get(dst_key)
    if not isinstance(src, SetValue) or (dst is not None and not isinstance(dst, SetValue)):
        raise CommandError(errors.WRONGTYPE)
    if src is dst:
        return int(member in src)
    if not src.remove(member):
        return 0
    _after_removal(engine, db, src_key, src, "srem")
    limits = SetLimits(engine.config)
    if dst is None:
        dst = SetValue.create(member, 1, limits)
        dst.add(member, limits)
        db.add(dst_key, dst)
    elif dst.add(member, limits):
        db.signal(dst_key)
    else:
        return 1
    notify(engine, db, "s", "sadd", dst_key)
    return 1


@command("spop")
def spop(engine, client, argv):
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    if len(argv) == 3:
        return _spop_count(engine, client, argv[1], parse_positive_long(argv[2]))
    db = engine.db(client)
    value = _for_write(engine, client, argv[1])
    if value is None:
        return None
    member = engine.rng.choice(value.ordered())
    value.remove(member)
    _after_removal(engine, db, argv[1], value, "spop")
    return member


def _spop_count(engine, client, key: bytes, count: int):
    db = engine.db(client)
    value = _for_write(engine, client, key)
    if value is None or count == 0:
        return RSet()
    members = value.ordered()
    notify(engine, db, "s", "spop", key)
    if count >= len(members):
        db.delete(key)
        notify(engine, db, "g", "del", key)
        return RSet(members)
    remaining = len(members) - count
    if remaining * _SPOP_REBUILD_FACTOR > count:
        popped = engine.rng.sample(members, count)
        for m in popped:
            value.remove(m)
    else:
        kept = engine.rng.sample(members, remaining)
        popped = [m for m in members if m not in set(kept)]
        db.set(key, _rebuilt(value, kept, SetLimits(engine.config)), keep_ttl=True)
    db.signal(key)
    return RSet(popped)


def _rebuilt(old: SetValue, kept: list[bytes], limits: SetLimits) -> SetValue:
    """The set Redis builds from the members SPOP leaves: a listpack unless the old set was an intset."""
    fresh = SetValue(INTSET if old.enc == INTSET else LISTPACK)
    fresh.add_all(kept, limits)
    return fresh


@command("srandmember")
def srandmember(engine, client, argv):
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    if len(argv) == 3:
        count = parse_range_long(argv[2], -LONG_MAX, LONG_MAX)
        return _srandmember_count(engine, client, argv[1], count)
    value = _read(engine, client, argv[1])
    if value is None:
        return None
    return engine.rng.choice(value.ordered())


def _srandmember_count(engine, client, key: bytes, count: int) -> list:
    value = _read(engine, client, key)
    if value is None or count == 0:
        return []
    members = value.ordered()
    rng = engine.rng
    if count < 0:
        return [rng.choice(members) for _ in range(-count)]
    if count >= len(members):
        return members
    picked = set(rng.sample(members, count))
    if value.enc == HASHTABLE:
        return rng.sample(sorted(picked), len(picked))
    return [m for m in members if m in picked]  # a listpack is sampled in its own order


@command("sscan")
def sscan(engine, client, argv):
    return scan_members(engine, client, argv, SetValue, "set", SetValue.ordered, lambda v, m: [],
                        lambda v: v.enc != HASHTABLE)
