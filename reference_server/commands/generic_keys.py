"""Lookups and value copies shared by the generic (keyspace) commands.

Redis distinguishes how a command looks a key up: reads count keyspace hits and misses, "no touch" reads leave the
key's access time alone (TYPE, EXISTS, TTL, OBJECT), writes do neither. All of them delete a key found expired.
"""
from __future__ import annotations

import copy
from typing import Any

from .. import errors
from ..errors import CommandError
from ..keyspace import Database
from ..util import string2ll

_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1


def peek(db: Database, key: bytes) -> Any:
    """The live value without touching its access time (an expired key is deleted on the way)."""
    when = db.expires.get(key)
    if when is not None and when <= db.clock():
        return db.get(key)
    return db.data.get(key)


def lookup_read(engine, db: Database, key: bytes, touch: bool = True) -> Any:
    """A reading lookup: counts a keyspace hit or miss as Redis's lookupKeyRead does."""
    value = db.get(key) if touch else peek(db, key)
    engine.stats["keyspace_hits" if value is not None else "keyspace_misses"] += 1
    return value


def duplicate(value: Any) -> Any:
    """An independent copy for COPY: strings keep their kind (bytes stay shared, being immutable)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray):
        return bytearray(value)
    own_copy = getattr(value, "copy", None)
    return own_copy() if callable(own_copy) else copy.deepcopy(value)


def parse_db_index(engine, arg: bytes) -> int:
    """A database index as MOVE and COPY DB take it: an int, then in range."""
    index = string2ll(arg)
    if index is None:
        raise CommandError(errors.NOT_INTEGER)
    if not _INT_MIN <= index <= _INT_MAX:
        raise CommandError(errors.VALUE_OUT_OF_RANGE_BETWEEN % (_INT_MIN, _INT_MAX))
    if not 0 <= index < len(engine.keyspace.dbs):
        raise CommandError(errors.DB_INDEX)
    return index
