"""Set algebra: SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE.

Results are built by adding members one by one to a set that starts in the encoding Redis starts it in, so a stored
result ends in the encoding Redis gives it.
"""
from __future__ import annotations

from .. import errors
from ..datatypes.set import HASHTABLE, INTSET, LISTPACK, SetLimits, SetValue
from ..errors import CommandError
from ..replies import RSet
from ..util import string2ll
from . import command
from .collection_common import LONG_MAX, parse_positive_long, parse_range_long, store_result
from .generic_keys import read_typed


def _load(engine, client, keys: list[bytes]) -> list[SetValue | None]:
    """Every key's set (None when missing), read in order (each miss a keyspace miss, the STORE forms' sources
    too); WRONGTYPE on the first key of another type."""
    db = engine.db(client)
    return [read_typed(engine, db, k, SetValue) for k in keys]


# -- intersection --------------------------------------------------------------------------------------------------
def _intersection(sets: list[SetValue | None], limit: int = 0) -> tuple[SetValue | None, list[bytes]]:
    """(smallest set, common members in its order); stops after `limit` members when limit > 0."""
    if any(s is None for s in sets):
        return None, []
    ordered = sorted(sets, key=len)
    first, others = ordered[0], [s for s in ordered[1:] if s is not ordered[0]]
    common: list[bytes] = []
    for member in first:
        if all(member in s for s in others):
            common.append(member)
            if limit and len(common) >= limit:
                break
    return first, common


@command("sinter")
def sinter(engine, client, argv):
    return RSet(_intersection(_load(engine, client, argv[1:]))[1])


@command("sintercard")
def sintercard(engine, client, argv):
    numkeys = parse_range_long(argv[1], 1, LONG_MAX, errors.NUMKEYS_POSITIVE)
    if numkeys > len(argv) - 2:
        raise CommandError(errors.NUMKEYS_OVER_ARGS)
    limit, i = 0, 2 + numkeys
    while i < len(argv):
        if argv[i].lower() == b"limit" and i + 1 < len(argv):
            limit = parse_positive_long(argv[i + 1], errors.LIMIT_NEGATIVE)
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    return len(_intersection(_load(engine, client, argv[2:2 + numkeys]), limit)[1])


@command("sinterstore")
def sinterstore(engine, client, argv):
    first, common = _intersection(_load(engine, client, argv[2:]))
    limits = SetLimits(engine.config)
    result = SetValue(INTSET if first is not None and first.enc == INTSET else LISTPACK)
    result.add_all(common, limits)
    if common and all(string2ll(m) is not None for m in common):
        result.maybe_to_intset(limits)
    store_result(engine, engine.db(client), argv[1], result, "s", "sinterstore")
    return len(result)


# -- union and difference ------------------------------------------------------------------------------------------
def _union(sets: list[SetValue | None], result: SetValue, limits: SetLimits) -> SetValue:
    for s in sets:
        if s is not None:
            result.add_all(s, limits)
    return result


def _difference(sets: list[SetValue | None], result: SetValue, limits: SetLimits) -> SetValue:
    first = sets[0]
    if first is None or any(s is first for s in sets[1:]):
        return result
    others = [s for s in sets[1:] if s is not None]
    result.add_all((m for m in first if not any(m in s for s in others)), limits)
    return result


def _scratch(sets: list[SetValue | None]) -> SetValue:
    """Where SUNION/SDIFF collect a reply: an intset while every input is one, else a hash table."""
    all_intsets = all(s is None or s.enc == INTSET for s in sets)
    return SetValue(INTSET if all_intsets else HASHTABLE)


def _reply(engine, client, argv, combine):
    sets = _load(engine, client, argv[1:])
    return RSet(combine(sets, _scratch(sets), SetLimits(engine.config)).ordered())


def _store(engine, client, argv, combine, event: str):
    sets = _load(engine, client, argv[2:])
    result = combine(sets, SetValue(INTSET), SetLimits(engine.config))
    store_result(engine, engine.db(client), argv[1], result, "s", event)
    return len(result)


@command("sunion")
def sunion(engine, client, argv):
    return _reply(engine, client, argv, _union)


@command("sunionstore")
def sunionstore(engine, client, argv):
    return _store(engine, client, argv, _union, "sunionstore")


@command("sdiff")
def sdiff(engine, client, argv):
    return _reply(engine, client, argv, _difference)


@command("sdiffstore")
def sdiffstore(engine, client, argv):
    return _store(engine, client, argv, _difference, "sdiffstore")
