"""What the sorted-set command modules share: score parsing as Redis does it, and scored replies."""
from __future__ import annotations

import math
import re

from .. import errors
from ..datatypes.zset import ZSetValue
from ..errors import CommandError
from ..notify import notify
from ..replies import Double
from ..util import string2d
from .generic_keys import read_typed

_NONZERO_MANTISSA = re.compile(rb"[1-9a-fA-F]")
_INF_WORD = re.compile(rb"^[+-]?inf(inity)?$", re.I)


def parse_score(arg: bytes, message: str = errors.NOT_FLOAT) -> float:
    """Redis's getDoubleFromObject (strtod): no spaces, no NaN, and no overflow or underflow to zero."""
    value = string2d(arg)
    if value is None:
        raise CommandError(message)
    if math.isinf(value) and not _INF_WORD.match(arg):
        raise CommandError(message)
    if value == 0.0 and _NONZERO_MANTISSA.search(_mantissa(arg)):
        raise CommandError(message)
    return value


def _mantissa(arg: bytes) -> bytes:
    low = arg.lower()
    if low.lstrip(b"+-").startswith(b"0x"):
        return low.lstrip(b"+-")[2:].split(b"p")[0]
    return low.split(b"e")[0]


def get_zset(engine, client, key: bytes) -> ZSetValue | None:
    """A reading command's lookup (a keyspace hit or miss)."""
    return read_typed(engine, engine.db(client), key, ZSetValue)


def zset_for_write(engine, client, key: bytes) -> ZSetValue | None:
    """A writing command's lookup (ZREM, ZREMRANGEBY*)."""
    return engine.db(client).get_typed(key, ZSetValue)


def scored_reply(entries: list[tuple[float, bytes]], resp: int, withscores: bool) -> list:
    """Members, or members with scores: flat pairs in RESP2, [member, score] arrays in RESP3."""
    if not withscores:
        return [m for _, m in entries]
    if resp >= 3:
        return [[m, Double(s)] for s, m in entries]
    out: list = []
    for s, m in entries:
        out.append(m)
        out.append(Double(s))
    return out


def removed_from(engine, db, key: bytes, value: ZSetValue, count: int, event: str) -> None:
    """After removing `count` entries: publish `event`, then drop an emptied key ("del"), else tell WATCHers it
    changed."""
    if not count:
        return
    notify(engine, db, "z", event, key)
    if len(value):
        db.signal(key)
    else:
        db.delete(key)
        notify(engine, db, "g", "del", key)
