"""Popping the lowest or highest members: ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP.

A blocked client is served by re-running its pop when one of its keys gets data, as Redis 7+ re-executes the
command: keys are tried in argument order and a key that changed type answers WRONGTYPE.
"""
from __future__ import annotations


from .. import errors
from ..blocking import parse_timeout_ms, serve_or_block
from ..datatypes.zset import ZSetValue
from ..errors import CommandError
from ..replies import NULL_ARRAY, Double
from . import command
from .collection_common import LONG_MAX, parse_positive_long, parse_range_long
from .zset_common import removed_from, scored_reply


def _pop(engine, client, key: bytes, z: ZSetValue, count: int, highest: bool) -> list[tuple]:
    entries = z.by_rank(0, count, reverse=highest)
    removed_from(engine, engine.db(client), key, z, z.remove_entries(entries), "zpopmax" if highest else "zpopmin")
    return entries


def _first_zset(engine, client, keys: list[bytes]) -> tuple[bytes, ZSetValue] | None:
    """The first existing key, which must be a sorted set (WRONGTYPE otherwise); None when all are missing."""
    db = engine.db(client)
    for key in keys:
        value = db.get(key)
        if value is None:
            continue
        if not isinstance(value, ZSetValue):
            raise CommandError(errors.WRONGTYPE)
        return key, value
    return None


def _zpop(engine, client, argv, highest: bool):
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    count = parse_positive_long(argv[2]) if len(argv) == 3 else None
    found = _first_zset(engine, client, argv[1:2])
    if found is None or count == 0:
        return []
    entries = _pop(engine, client, found[0], found[1], count or 1, highest)
    return scored_reply(entries, client.resp if count is not None else 2, True)


@command("zpopmin")
def zpopmin(engine, client, argv):
    return _zpop(engine, client, argv, False)


@command("zpopmax")
def zpopmax(engine, client, argv):
    return _zpop(engine, client, argv, True)


# -- ZMPOP ---------------------------------------------------------------------------------------------------------
def _parse_mpop(argv: list[bytes], numkeys_at: int) -> tuple[list[bytes], bool, int]:
    numkeys = parse_range_long(argv[numkeys_at], 1, LONG_MAX, errors.NUMKEYS_POSITIVE)
    where_at = numkeys_at + numkeys + 1
    if where_at >= len(argv):
        raise CommandError(errors.SYNTAX)
    where = argv[where_at].lower()
    if where not in (b"min", b"max"):
        raise CommandError(errors.SYNTAX)
    count, i = None, where_at + 1
    while i < len(argv):
        if count is None and argv[i].lower() == b"count" and i + 1 < len(argv):
            count = parse_range_long(argv[i + 1], 1, LONG_MAX, errors.COUNT_POSITIVE)
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    return argv[numkeys_at + 1:where_at], where == b"max", count or 1


def _mpop_reply(key: bytes, entries: list[tuple]) -> list:
    return [key, [[m, Double(s)] for s, m in entries]]


@command("zmpop")
def zmpop(engine, client, argv):
    keys, highest, count = _parse_mpop(argv, 1)
    found = _first_zset(engine, client, keys)
    if found is None:
        return NULL_ARRAY
    return _mpop_reply(found[0], _pop(engine, client, found[0], found[1], count, highest))


# -- blocking ------------------------------------------------------------------------------------------------------
def _blocking_pop(engine, client, keys: list[bytes], deadline: int, pop, name: str):
    def step(engine_, client_):
        found = _first_zset(engine_, client_, keys)
        return pop(engine_, client_, *found) if found is not None else None

    return serve_or_block(engine, client, keys, deadline, step, name)


def _bzpop(engine, client, argv, highest: bool):
    deadline = parse_timeout_ms(engine, argv[-1])

    def pop(engine_, client_, key, z):
        (score, member), = _pop(engine_, client_, key, z, 1, highest)
        return [key, member, Double(score)]

    return _blocking_pop(engine, client, argv[1:-1], deadline, pop, argv[0].decode().lower())


@command("bzpopmin")
def bzpopmin(engine, client, argv):
    return _bzpop(engine, client, argv, False)


@command("bzpopmax")
def bzpopmax(engine, client, argv):
    return _bzpop(engine, client, argv, True)


@command("bzmpop")
def bzmpop(engine, client, argv):
    keys, highest, count = _parse_mpop(argv, 2)
    deadline = parse_timeout_ms(engine, argv[1])

    def pop(engine_, client_, key, z):
        return _mpop_reply(key, _pop(engine_, client_, key, z, count, highest))

    return _blocking_pop(engine, client, keys, deadline, pop, "bzmpop")

